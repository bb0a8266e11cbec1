"""Length-sorted batching under a token budget.

Sequences are sorted by length (longest first, so a budget problem shows at once and the
progress estimate is pessimistic rather than optimistic) and cut into batches whose padded size
``len(batch) * longest`` stays within ``max_batch_tokens`` and whose count stays within
``batch_size``. Callers restore the original order from the returned indices.
"""

from __future__ import annotations


def plan_batches(lengths: list[int], batch_size: int, max_batch_tokens: int) -> list[list[int]]:
    """Group indices of ``lengths`` into batches; every index appears exactly once.

    A sequence longer than ``max_batch_tokens`` on its own still gets a batch of one.
    """
    if batch_size < 1 or max_batch_tokens < 1:
        raise ValueError("batch_size and max_batch_tokens must be at least 1")
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for i in order:
        width = max(longest, lengths[i], 1)
        if current and (
            len(current) >= batch_size or width * (len(current) + 1) > max_batch_tokens
        ):
            batches.append(current)
            current, width = [], max(lengths[i], 1)
        current.append(i)
        longest = width
    if current:
        batches.append(current)
    return batches
