"""unmt's own local Ray instance: ``unmt run --engine ray`` without ``--address``.

What plain ``ray.init(num_cpus=N)`` does in Ray 2.60, and what this module does instead:

- It joins any cluster that ``RAY_ADDRESS`` or the ``ray_current_cluster`` file in Ray's temp
  folder names (a ``ray start`` cluster, or the file a killed one left behind), then fails on
  ``num_cpus``. Here the instance is always a new one (``address="local"``, which reads neither),
  with its files in a private temp folder that is removed at the end.
- It turns ``_node_ip_address="127.0.0.1"`` into the machine's own address (``resolve_ip_for_
  localhost``), so gcs_server, raylet, workers and the driver listen on every interface. Ray keeps
  a loopback node address only where ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER`` is off (its single-
  machine mode); with it off, every server of the instance listens on 127.0.0.1.
- It prints a notice that it turned token authentication on (a token in ``~/.ray``) on every
  run. Authentication stays on here; the notice is left out.
- After a ``kill -9`` of the driver its children die with it (Ray sets PR_SET_PDEATHSIG), but
  the dashboard agent and the runtime env agent (children of the raylet) first try to tell the
  dead GCS that the raylet died, with a fixed 60 s timeout, and live on for a minute. Here a small
  watchdog process, started before Ray and holding a pipe from the driver, kills every process
  of the instance (each holds its log files open in the instance's temp folder) once the pipe
  closes, and removes the folder.

And around any ``ray.init`` and ``ray.shutdown`` (:func:`kept_signals`): ``ray.init`` installs a
SIGTERM handler that exits 15, and its C++ core a failure handler that prints a stack dump on
SIGTERM; a SIGTERM inside ``ray.init`` leaves a half-connected driver that aborts (SIGABRT) at
exit, and a second Ctrl-C inside ``ray.shutdown`` leaves it half done (Ray's exit handler then
finishes it after everything else, making the temp folder again). Here SIGINT and SIGTERM are
held back during both and handled by unmt's own handlers once they return.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from unmt.errors import UserError

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
#: a unix socket path has room for 107 bytes; Ray adds ``/session_<date>_<pid>/sockets/<name>``
#: (up to 66) to its temp folder
_SOCKET_PATH_MAX = 107
_RAY_SUFFIX = 70
_UNSET = object()
#: the logger of Ray's "Token authentication is enabled for this Ray cluster" notice
_TOKEN_NOTICE = "ray._private.authentication.authentication_token_setup"

#: the watchdog: waits for EOF on stdin (the driver closed it, or died), then SIGKILLs every
#: process (never the driver) that names the instance's folder in its command line or holds a
#: file open in it (every Ray process of the instance: its log files are there), and removes
#: the folder; where it killed any, once more a second later (one may have been starting)
_WATCHDOG = r"""
import os, shutil, signal, sys, time
folder, driver = sys.argv[1], int(sys.argv[2])
signal.signal(signal.SIGINT, signal.SIG_IGN)
while sys.stdin.buffer.read(4096):
    pass
inside = folder + os.sep


def of_instance(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as fh:
            if inside.encode() in fh.read():
                return True
        for fd in os.listdir("/proc/%d/fd" % pid):
            if os.readlink("/proc/%d/fd/%s" % (pid, fd)).startswith(inside):
                return True
    except OSError:
        pass
    return False


def sweep():
    pids = [int(n) for n in os.listdir("/proc") if n.isdigit()]
    found = [p for p in pids if p not in (os.getpid(), driver) and of_instance(p)]
    for pid in found:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    return found


killed = False
for _ in range(10):
    if not sweep():
        break
    killed = True
    time.sleep(0.2)
shutil.rmtree(folder, ignore_errors=True)
if killed:  # not a clean shutdown: a process may have been starting
    time.sleep(1)
    sweep()
    shutil.rmtree(folder, ignore_errors=True)
"""


def _temp_folder() -> Path:
    """A new private folder for the instance, short enough for Ray's unix socket paths."""
    bases = [os.environ.get("RAY_TMPDIR") or tempfile.gettempdir(), "/tmp"]
    for base in bases:
        if len(os.path.abspath(base)) + len("/unmt-ray-xxxxxxxx") + _RAY_SUFFIX > _SOCKET_PATH_MAX:
            continue
        try:
            return Path(tempfile.mkdtemp(prefix="unmt-ray-", dir=base))
        except OSError:
            continue
    raise UserError(
        f"no temp folder for the local Ray instance: {bases[0]} is too long for Ray's unix "
        "sockets and /tmp is not writable",
        hint="set TMPDIR (or RAY_TMPDIR) to a short writable folder",
    )


class LocalRay:
    """A local Ray instance on 127.0.0.1 that is this run's alone (see the module docstring)."""

    def __init__(self, ray: Any) -> None:
        self.ray = ray
        self.folder = _temp_folder()
        self._saved_env: dict[str, str | None] = {}
        self._constants: Any = None
        self._enable_cluster: Any = _UNSET
        self._watchdog: subprocess.Popen[bytes] | None = None

    def start(self, num_cpus: int, options: dict[str, Any]) -> None:
        """Start the instance (``ray.init``); :meth:`stop` it even where this raised."""
        self._watchdog = self._start_watchdog()
        env = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
        self._saved_env = {name: os.environ.get(name) for name in env}
        os.environ.update(env)
        # the constant is read once, when ray is imported: this process may have imported it
        from ray._private import ray_constants

        self._constants = ray_constants
        self._enable_cluster = getattr(ray_constants, "ENABLE_RAY_CLUSTER", _UNSET)
        ray_constants.ENABLE_RAY_CLUSTER = False
        notice = logging.getLogger(_TOKEN_NOTICE)
        level = notice.level
        notice.setLevel(logging.ERROR)
        try:
            self.ray.init(
                address="local",
                num_cpus=num_cpus,
                _node_ip_address=LOOPBACK,
                _temp_dir=str(self.folder),
                **options,
            )
        finally:
            notice.setLevel(level)

    def _start_watchdog(self) -> subprocess.Popen[bytes] | None:
        if not sys.platform.startswith("linux"):
            return None
        code = [sys.executable, "-c", _WATCHDOG, str(self.folder), str(os.getpid())]
        return subprocess.Popen(
            code,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl-C or a kill of the driver's group spares it
        )

    def stop(self) -> None:
        """Shut the instance down; the watchdog ends what is left and removes the folder."""
        try:
            self.ray.shutdown()
        finally:
            if self._constants is not None:
                if self._enable_cluster is _UNSET:
                    del self._constants.ENABLE_RAY_CLUSTER
                else:
                    self._constants.ENABLE_RAY_CLUSTER = self._enable_cluster
                self._constants = None
            for name, value in self._saved_env.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            self._saved_env = {}
            watchdog, self._watchdog = self._watchdog, None
            if watchdog is not None and watchdog.stdin is not None:
                watchdog.stdin.close()
                try:
                    watchdog.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    log.warning("the Ray watchdog did not finish; %s may remain", self.folder)
            else:
                shutil.rmtree(self.folder, ignore_errors=True)


@contextlib.contextmanager
def kept_signals() -> Iterator[None]:
    """Run a ``ray.init`` or ``ray.shutdown`` with SIGINT and SIGTERM held back, then handled by
    the handlers that were there before (unmt's: exit 130 or 143), at the C level too. A second
    signal while one is held (a ``ray.init`` that hangs) is handled at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    from ray._private import ray_constants
    from ray._private import utils as ray_utils

    saved: dict[int, Any] = {}
    for number in (signal.SIGINT, signal.SIGTERM):
        handler = signal.getsignal(number)
        if handler is not None:  # None: not set from Python, cannot be put back
            saved[int(number)] = handler
    pending: list[int] = []

    def hold(signum: int, frame: object) -> None:
        if pending:  # the user insists
            pending.clear()
            _handle(signum, saved)
        else:
            pending.append(signum)

    patches = [
        (ray_utils, "set_sigterm_handler", lambda handler: None),  # ray.init's sys.exit(15)
        (ray_constants, "RAY_DISABLE_FAILURE_SIGNAL_HANDLER", True),  # the C++ stack dump
    ]
    kept = [(obj, name, getattr(obj, name, _UNSET)) for obj, name, _ in patches]
    try:
        for obj, name, value in patches:
            setattr(obj, name, value)
        for sig in saved:
            signal.signal(sig, hold)
        yield
    finally:
        for obj, name, value in kept:
            if value is _UNSET:
                delattr(obj, name)
            else:
                setattr(obj, name, value)
        for sig, handler in saved.items():
            signal.signal(sig, handler)
        if pending:  # the interruption wins over whatever ray.init did
            _handle(pending.pop(), saved)


def _handle(signum: int, handlers: dict[int, Any]) -> None:
    """What the handler in ``handlers`` does with ``signum`` (raise, ignore or die)."""
    signal.signal(signum, handlers[signum])
    if callable(handlers[signum]):
        handlers[signum](signum, None)
    elif handlers[signum] == signal.SIG_DFL:
        signal.raise_signal(signum)
