"""The anchor of ``unmt bench translate``: a tuned direct CTranslate2 script, nothing of unmt.

What a careful engineer would write by hand to translate a file with a converted MarianMT:
SentencePiece in, ``</s>`` appended, sources sorted by length and cut into batches of at most
``--max-batch-tokens`` padded source tokens, one ``translate_batch`` per batch, SentencePiece
out. It imports only the standard library, ``sentencepiece`` and ``ctranslate2``, so its
process time is the floor that ``unmt translate`` is measured against (start-up included).

Run as a script by the benchmark (which imports only :func:`peak_mib` from it)::

    python direct_ct2.py CT2_DIR SOURCE_SPM TARGET_SPM JOB.json

``JOB.json`` holds ``texts``, ``targets`` (forced output length per text: each batch decodes
exactly its longest target, as unmt's benchmark policy does), ``beam``, ``max_batch_tokens``,
``device``, ``compute_type`` and ``t0`` (the launch time, ``time.time()``, set by the caller).
It prints one JSON line: ``wall`` (whole process since ``t0``), ``engine`` (seconds inside
``translate_batch``), ``load``, ``startup`` (``t0`` to the first batch), ``tokens``, ``outputs``.
"""

from __future__ import annotations

import json
import sys
import time


def peak_mib() -> float | None:
    """This process's peak RSS in MiB (``VmHWM``: unlike ``ru_maxrss``, not inherited through
    exec), where ``/proc`` has it. The benchmark's own workers report it too."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def main(argv: list[str]) -> int:
    ct2_dir, source_spm, target_spm, job_path = argv
    with open(job_path, encoding="utf-8") as fh:
        job = json.load(fh)
    t0 = float(job["t0"])
    start = time.perf_counter()
    import ctranslate2
    import sentencepiece

    src = sentencepiece.SentencePieceProcessor(model_file=source_spm)
    tgt = sentencepiece.SentencePieceProcessor(model_file=target_spm)
    translator = ctranslate2.Translator(
        ct2_dir, device=job["device"], compute_type=job["compute_type"], inter_threads=1
    )
    load = time.perf_counter() - start
    texts, targets = job["texts"], job["targets"]
    tokens = [[*src.encode(t, out_type=str), "</s>"] for t in texts]
    order = sorted(range(len(texts)), key=lambda i: -len(tokens[i]))
    batches: list[list[int]] = []
    for i in order:
        if batches and len(tokens[batches[-1][0]]) * (len(batches[-1]) + 1) <= int(
            job["max_batch_tokens"]
        ):
            batches[-1].append(i)
        else:
            batches.append([i])
    outputs = [""] * len(texts)
    engine = 0.0
    startup = None
    for batch in batches:
        longest = max(targets[i] for i in batch)
        if startup is None:
            startup = time.time() - t0
        began = time.perf_counter()
        results = translator.translate_batch(
            [tokens[i] for i in batch],
            beam_size=int(job["beam"]),
            max_batch_size=0,
            min_decoding_length=longest,
            max_decoding_length=longest,
            max_input_length=0,
        )
        engine += time.perf_counter() - began
        for i, r in zip(batch, results, strict=True):
            outputs[i] = tgt.decode_pieces(r.hypotheses[0])
    print(
        json.dumps(
            {
                "wall": time.time() - t0,
                "engine": engine,
                "load": load,
                "startup": startup,
                "tokens": sum(targets),
                "batches": len(batches),
                "hwm_mib": peak_mib(),
                "outputs": outputs,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
