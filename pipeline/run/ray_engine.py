"""``unmt run --engine ray``: the same run on a Ray cluster.

The driver (the ``unmt run`` process) keeps everything it keeps with the local engine: the run
lock, the state store, the registration of documents and the corpus report. Ray runs the work:

- the cheap phases (segmentation; alignment, scoring and the document's report) as one Ray task
  per document and phase, each the same function the local engine's worker processes run;
- translation through ``--translators N`` actors, each holding one translator (the model loaded
  once per actor, ``--translator-cpus`` CPUs reserved for it), documents handed out as actors
  become free.

Every task and actor works on the run directory's files and returns the document's entry; the
driver records it, so the state store has one writer. The run directory must therefore be the
same path on every node (a shared filesystem on a real cluster), and so must the inputs and
the translation cache, which all translator actors share (SQLite: concurrent writers wait for
each other; a segment two actors translate at once is stored once). Outputs are the same files,
byte for byte, as with ``--engine local`` (tested with one translator actor).

Without ``--address`` a local Ray instance is started with this machine's CPUs, on 127.0.0.1,
without the dashboard, and stopped at the end. With ``--address`` the driver joins an existing
cluster (``ray start --head`` on one node, ``ray start --address HEAD:6379`` on the others); an
address that does not answer is an error at once, not a hang.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
from pathlib import Path
from typing import Any

from unmt.errors import UserError
from unmt.fileio import hash_checked_outputs
from unmt.pipeline.run import runner as rn
from unmt.pipeline.run import stages as st
from unmt.pipeline.run.config import RunConfig
from unmt.pipeline.run.inputs import DocInput
from unmt.pipeline.run.rundir import CACHE_NAME, RunDir
from unmt.pipeline.run.state import DocEntry

log = logging.getLogger(__name__)


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise UserError(
            "--engine ray needs the ray package, which is not installed",
            hint="install it with: pip install 'unmt[ray]' (or use --engine local)",
        ) from None
    return ray


def _probe(address: str) -> None:
    """Fail at once when ``HOST:PORT`` does not accept connections (ray.init would hang)."""
    if address == "auto" or address.startswith(("ray://", "local")):
        return
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise UserError(f"--address {address!r} is not HOST:PORT", hint="e.g. 10.0.0.5:6379")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port)), timeout=3):
            pass
    except OSError as exc:
        raise UserError(
            f"no Ray cluster answers at {address} ({exc.strerror or exc})",
            hint="start one with `ray start --head` on that machine, or leave out --address "
            "to start a local one",
        ) from None


def _translate_one(run_path: str, config: RunConfig, doc: DocInput, translator: Any) -> DocEntry:
    run = RunDir(run_path, persist=False, only=doc.doc_id)
    try:
        identity = translator.identity()
        stages = rn.DocStages(run, config)
        with hash_checked_outputs():
            rn._guard(run, doc, functools.partial(stages.translate, doc, translator, identity))
        return run.document(doc.doc_id)
    finally:
        run.close()


class _TranslatorActor:
    """One translator (one loaded model) serving documents one at a time."""

    def __init__(self, run_path: str, config: RunConfig, cache: str) -> None:
        self.run_path, self.config = run_path, config
        self.translator = st.open_run_translator(config, Path(cache))

    def translate(self, doc: DocInput) -> DocEntry:
        return _translate_one(self.run_path, self.config, doc, self.translator)


class RayEngine:
    """The executor of ``--engine ray`` (see the module docstring)."""

    def __init__(self, run: RunDir, config: RunConfig) -> None:
        self.run, self.config = run, config
        self.ray = _import_ray()
        options: dict[str, Any] = {
            "include_dashboard": False,
            "log_to_driver": log.isEnabledFor(logging.INFO),
            "configure_logging": False,
        }
        if config.address:
            _probe(config.address)
            self.ray.init(address=config.address, **options)
        else:
            self.ray.init(num_cpus=os.cpu_count() or 1, _node_ip_address="127.0.0.1", **options)
        self._task = self.ray.remote(num_cpus=1)(rn._worker)
        self._actors: list[Any] = []

    def each(self, docs: list[DocInput], phase: str) -> None:
        live = [d for d in docs if self.run.document(d.doc_id).status != "failed"]
        pending = {self._task.remote(str(self.run.path), self.config, d, phase): d for d in live}
        self._collect(pending)

    def _collect(self, pending: dict[Any, DocInput]) -> None:
        """Record each finished task's entry as it arrives (a failed task fails its document)."""
        while pending:
            ready, _ = self.ray.wait(list(pending), num_returns=1)
            doc = pending.pop(ready[0])
            try:
                entry = self.ray.get(ready[0])
            except Exception as exc:  # a crashed task or actor fails its document only
                cause = getattr(exc, "cause", None) or exc
                if isinstance(cause, st.TranslatorUnavailable):
                    raise cause from None
                self.run.set_document(doc.doc_id, status="failed", error=rn._error_text(cause))
                continue
            self.run.put_entry(doc.doc_id, entry)

    def _translators(self, live: int) -> list[Any]:
        """The translator actors, started at the first chunk with a live document and kept
        for the run (each loads its model once) where the cluster has CPUs left for the cheap
        tasks beside them."""
        if not self._actors:
            cache = str(self.config.translate.cache or self.run.path / CACHE_NAME)
            check = st.open_run_translator(self.config, Path(cache))  # bad model: exit 2 here
            try:
                self.run.update(translator=check.identity())
            finally:
                check.close()
            actor_cls = self.ray.remote(num_cpus=self.config.translator_cpus)(_TranslatorActor)
            count = min(self.config.translators, live)
            path = str(self.run.path)
            self._actors = [actor_cls.remote(path, self.config, cache) for _ in range(count)]
        return self._actors

    def translate_all(self, docs: list[DocInput], *, progress: bool) -> None:
        live = [d for d in docs if self.run.document(d.doc_id).status != "failed"]
        if not live:
            return
        idle = list(self._translators(len(live)))
        queue = list(live)
        pending: dict[Any, DocInput] = {}
        owner: dict[Any, Any] = {}
        while queue or pending:
            while queue and idle:
                actor = idle.pop(0)
                doc = queue.pop(0)
                ref = actor.translate.remote(doc)
                pending[ref], owner[ref] = doc, actor
            ready, _ = self.ray.wait(list(pending), num_returns=1)
            idle.append(owner.pop(ready[0]))
            self._collect({ready[0]: pending.pop(ready[0])})
        if self.ray.available_resources().get("CPU", 0) < 1:
            # the actors hold every CPU: the chunk's cheap tasks could never start, so let the
            # actors go (the next chunk starts them again; a larger cluster keeps them)
            self._release()

    def _release(self) -> None:
        for actor in self._actors:
            self.ray.kill(actor)
        self._actors = []

    def close(self) -> None:
        try:
            self._release()
        finally:
            self.ray.shutdown()
