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

Without ``--address`` a local Ray instance of this run's own is started with this machine's CPUs,
listening on 127.0.0.1 only, without the dashboard, and stopped at the end (``ray_local``). With
``--address`` the driver joins an existing cluster (``ray start --head`` on one node, ``ray start
--address HEAD:6379`` on the others); an address that does not answer is an error at once, not a
hang. Either way the translators asked for must fit the cluster (an actor that no node can hold
would wait for ever), and SIGINT and SIGTERM stay unmt's (``ray.init`` installs its own SIGTERM
handler, and Ray's C++ core a stack-dumping one).
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
from unmt.pipeline.run.ray_local import LocalRay, kept_signals
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
        self._actors: list[Any] = []
        self._local: LocalRay | None = None
        check_share(config.translator_cpus)  # before a cluster is started or joined
        try:
            with kept_signals():  # ray.init would take SIGTERM (exit 15, a C++ stack dump)
                self._start()
            nodes = _node_cpus(self.ray)
            check_fit(nodes, config.translators, config.translator_cpus, self._where(nodes),
                      local=self._local is not None)  # fmt: skip
        except BaseException:
            self.close()
            raise
        self._task = self.ray.remote(num_cpus=1)(rn._worker)

    def _start(self) -> None:
        options: dict[str, Any] = {
            "include_dashboard": False,
            "log_to_driver": log.isEnabledFor(logging.INFO),
            "configure_logging": False,
        }
        address = self.config.address
        if address:
            _probe(address)
        else:
            if os.environ.get("RAY_ADDRESS"):
                log.info("RAY_ADDRESS is left aside: --address joins a running cluster")
            self._local = LocalRay(self.ray)
        try:
            if self._local is not None:
                self._local.start(os.cpu_count() or 1, options)
            else:
                self.ray.init(address=address, **options)
        except Exception as exc:  # Ray's own errors are long and multi-line
            log.debug("ray.init failed", exc_info=True)
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            what = "cannot start a local Ray instance"
            if address:
                what = f"cannot join the Ray cluster at {address}"
            raise UserError(f"{what} ({first})", hint="run with -vv for Ray's details") from None

    def _where(self, nodes: list[float]) -> str:
        """What the cluster has, for an error message."""
        total = sum(nodes)
        if self._local is not None:
            return f"the local Ray instance has {total:g} CPUs (this machine's)"
        return (
            f"the Ray cluster at {self.config.address} has {total:g} CPUs on {len(nodes)} "
            f"node(s), at most {max(nodes, default=0):g} on one"
        )

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
            local, self._local = self._local, None
            with kept_signals():  # a second Ctrl-C must not cut the shutdown short
                if local is not None:
                    local.stop()
                else:
                    self.ray.shutdown()


#: Ray counts resources in steps of 1/10000
_STEPS = 10_000


def _node_cpus(ray: Any) -> list[float]:
    """The CPUs of each live node of the cluster."""
    return [float(n.get("Resources", {}).get("CPU", 0)) for n in ray.nodes() if n.get("Alive")]


def check_share(cpus_each: float) -> None:
    """Refuse a ``--translator-cpus`` Ray cannot reserve (it counts CPUs in 1/10000 steps)."""
    if cpus_each and not int(cpus_each * _STEPS):
        raise UserError(
            f"--translator-cpus {cpus_each:g} is below Ray's smallest share of a CPU, 0.0001",
            hint="give --translator-cpus 0.0001 or more, or 0",
        )


def check_fit(
    node_cpus: list[float], translators: int, cpus_each: float, where: str, *, local: bool
) -> None:
    """Refuse what the cluster can never run: a cheap task needs one whole CPU on a node, a
    translator actor ``cpus_each`` on one node, and all ``translators`` run at once (where they
    take every CPU they are let go between chunks). ``where`` says what the cluster has.

    Raises:
        UserError: with what was asked, what the cluster has and what to give instead.
    """
    check_share(cpus_each)
    each = int(cpus_each * _STEPS)  # as Ray counts it
    grow = "" if local else ", or add a node with more CPUs"
    steps = [round(cpus * _STEPS) for cpus in node_cpus]
    if max(steps, default=0) < _STEPS:
        raise UserError(
            f"{where}: no node has a whole CPU for the segmentation, alignment and scoring tasks",
            hint="add a node with CPUs (ray start --address HEAD:PORT --num-cpus N)",
        )
    if not each:
        return
    largest = max(node_cpus)
    if each > max(steps):
        raise UserError(
            f"--translator-cpus {cpus_each:g} asks for {cpus_each:g} CPUs for each translator on "
            f"one node, but {where}",
            hint=f"give --translator-cpus {largest:g} or less{grow}",
        )
    room = sum(s // each for s in steps)
    if translators > room:
        raise UserError(
            f"--translators {translators} with --translator-cpus {cpus_each:g} need "
            f"{translators * cpus_each:g} CPUs at once, but {where}: room for {room}",
            hint=f"give --translators {room} or fewer, or a smaller --translator-cpus{grow}",
        )
