"""Run every file of a batch in a guarded worker process: its own address-space limit and a
wall-clock timeout, at every ``--jobs`` (one worker included).

A worker that crashes, aborts (a native reader failing to allocate) or runs past its time is
killed and replaced; only the file it was working on is lost, and that file gets a result built
by ``on_failure`` with a reason naming what happened. Workers are reused from file to file and
forked from a parent that has already loaded the form specs and rule packs; the guard costs one
small message back per file, and files are sent a few at a time.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import select
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

DEFAULT_MEMORY = 2 * 1024**3  # bytes of address space one worker may map
DEFAULT_SECONDS = 120.0  # one file's wall-clock time, reading, checks and annotated copy together


@dataclass(frozen=True)
class Limits:
    memory: int = DEFAULT_MEMORY
    seconds: float = DEFAULT_SECONDS

    @property
    def memory_text(self) -> str:
        return f"{self.memory / 1024**3:g} GB"


class Interrupted(Exception):
    """SIGINT or SIGTERM arrived; ``exit_code`` is 128 + the signal number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.exit_code = 128 + signum


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """SIGINT and SIGTERM raise :class:`Interrupted` in the main thread while the block runs,
    so every ``finally`` (workers, temp folders, staged outputs) gets to clean up."""
    if multiprocessing.current_process().name != "MainProcess" or not _main_thread():
        yield
        return

    def raise_interrupted(signum: int, _frame: Any) -> None:
        raise Interrupted(signum)

    old = {s: signal.signal(s, raise_interrupted) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _context() -> Any:
    # fork: a worker starts in milliseconds with everything already imported. Elsewhere (Windows,
    # macOS defaults) spawn, where the limits that the platform lacks are simply not set.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _die_with_parent() -> None:
    """Linux: the kernel kills this worker when the batch process dies, even by SIGKILL."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(Exception):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


_CONN: Connection | None = None  # in a worker: its pipe to the parent


def checkpoint(value: Any) -> None:
    """In a worker: hand the parent what is done so far (a file's findings before its annotated
    copy), so a crash or timeout after this point loses only the rest. Elsewhere: nothing."""
    if _CONN is not None:
        _CONN.send(("partial", value))


def _worker_main(conn: Connection, func: Callable[..., Any], shared: tuple[Any, ...], memory: int,
                 tmpdir: str, errlog: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; Ctrl-C reaches the whole group
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    import tempfile

    os.environ["TMPDIR"] = tempfile.tempdir = tmpdir  # whatever a killed worker leaves is the batch's to remove
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("TQDM_DISABLE", "1")
    os.environ["RUST_BACKTRACE"] = "0"
    # A native abort prints to stderr ("memory allocation of … bytes failed"); keep it from the
    # terminal, and keep it for the reason given to the file.
    # Nothing a worker prints may reach the run's stdout (a JSON or CSV document) either.
    fd = os.open(errlog, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 2)
    os.dup2(fd, 1)
    os.close(fd)
    global _CONN
    _CONN = conn
    with contextlib.suppress(Exception):
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    todo: deque[Any] = deque()
    while True:
        if not todo:
            try:
                items = conn.recv()  # the parent sends several items at a time
            except (EOFError, OSError):
                return
            if items is None:
                return
            todo.extend(items)
        item = todo.popleft()
        try:
            result: tuple[str, Any] = ("ok", func(item, *shared))
        except MemoryError:
            result = ("memory", None)
        except Exception as exc:
            result = ("error", f"{type(exc).__name__}: {str(exc)[:200]}")
        try:
            conn.send(result)
        except MemoryError:
            conn.send(("memory", None))


class _Worker:
    def __init__(self, ctx: Any, number: int, func: Callable[..., Any], shared: tuple[Any, ...],
                 limits: Limits, tmpdir: Path) -> None:
        work = tmpdir / f"w{number}"
        work.mkdir(parents=True, exist_ok=True)
        self.errlog = str(tmpdir / f"w{number}.err")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, daemon=True,
                                args=(child, func, shared, limits.memory, str(work), self.errlog))
        self.proc.start()
        child.close()
        self.readable = _readable(self.conn)
        self.pending: deque[Any] = deque()  # sent, in the order the worker takes them; [0] is under way
        self.partial: Any = None  # what pending[0] has checkpointed
        self.deadline = 0.0  # for pending[0]

    def give(self, items: list[Any], seconds: float) -> None:
        if not self.pending:
            self.deadline = time.monotonic() + seconds
        self.pending.extend(items)
        # A worker that has just died (a native abort while items were being sent ahead) closes its
        # end: the send fails with EPIPE. Its sentinel reports the death in run_guarded's loop, which
        # gives its pending items (these included) to a new worker; the batch must not stop here.
        with contextlib.suppress(OSError):
            self.conn.send(items)

    def outcome(self, ready: set[Any]) -> tuple[str, Any] | None:
        """What became of ``pending[0]``: a message from the worker ("ok", "partial", …), "died",
        "timeout", or None while it is still at work. Results are read before a death is
        believed: what a worker sent before it died stands."""
        if self.conn in ready or self.readable():
            ready.discard(self.conn)  # it said so of one message: ask again for the next
            try:
                return self.conn.recv()  # type: ignore[no-any-return]
            except (EOFError, OSError):
                return "died", None
        if self.proc.sentinel in ready:
            return "died", None
        if time.monotonic() >= self.deadline:
            return "timeout", None
        return None

    def stop(self, hard: bool = False) -> None:
        with contextlib.suppress(Exception):
            if not hard and self.proc.is_alive():
                self.conn.send(None)
                self.proc.join(0.5)
            if self.proc.is_alive():
                self.proc.kill()
            self.proc.join(2)
        with contextlib.suppress(Exception):
            self.conn.close()

    def death_reason(self, limits: Limits) -> str:
        code = self.proc.exitcode
        try:
            with open(self.errlog, "rb") as fh:  # a native abort's message comes first, then its backtrace
                head = fh.read(4096).decode("utf-8", "replace")
        except OSError:
            head = ""
        if "memory allocation" in head or code == -getattr(signal, "SIGKILL", 9):  # SIGKILL: the OOM killer
            return f"内存超限：处理此文件需要的内存超过每个文件 {limits.memory_text} 的上限，已跳过"
        what = signal.Signals(-code).name if code is not None and code < 0 else f"退出码 {code}"
        return f"处理此文件的进程异常退出（{what}），文件可能已损坏或含有读取器无法处理的内容"


def _readable(conn: Connection) -> Callable[[], bool]:
    """Whether ``conn`` has a message (or its end closed) now: one poll(2) call where there is
    one (``Connection.poll`` builds a selector each time), else ``Connection.poll``."""
    if not hasattr(select, "poll"):
        return conn.poll
    poller = select.poll()
    poller.register(conn.fileno(), select.POLLIN)
    return lambda: bool(poller.poll(0))


# Items sent ahead to each worker, so it never waits for the parent between files. When the
# parent is slow to wake (a busy machine), it collects every result waiting and sends the
# items that replace them in one message.
PREFETCH = 8


def run_guarded(items: Iterable[Any], func: Callable[..., Any], shared: tuple[Any, ...], jobs: int,
                limits: Limits, tmpdir: Path, on_failure: Callable[[Any, str, Any], Any],
                prepare: Callable[[], Any] | None = None) -> Iterator[tuple[Any, Any]]:
    """Yield ``(item, func(item, *shared))`` for every item, each computed in a worker process;
    in completion order. An item whose worker fails gets ``on_failure(item, reason, partial)``
    instead (``partial``: what it passed to :func:`checkpoint`, or None); the items sent ahead
    to that worker go to a new one. ``prepare()`` runs here first when several workers are
    forked from this process: what it loads, every worker (a replacement too) starts with,
    instead of each loading it for itself (one worker gains nothing from it)."""
    ctx = _context()
    queue = deque(items)
    if prepare is not None and min(jobs, len(queue)) > 1 and ctx.get_start_method() == "fork":
        prepare()
    workers: list[_Worker] = []
    number = 0

    def spawn() -> _Worker:
        nonlocal number
        number += 1
        return _Worker(ctx, number, func, shared, limits, tmpdir)

    def feed(w: _Worker) -> None:
        room = min(PREFETCH - len(w.pending), len(queue))
        if room > 0:
            w.give([queue.popleft() for _ in range(room)], limits.seconds)

    if not queue:
        return
    try:
        workers = [spawn() for _ in range(max(1, min(jobs, len(queue))))]
        for w in workers:
            feed(w)
        while any(w.pending for w in workers):
            busy = [w for w in workers if w.pending]
            timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
            ready = set(wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout))
            for i, w in enumerate(workers):
                while w.pending:
                    got = w.outcome(ready)
                    if got is None:
                        break
                    status, value = got
                    if status == "partial":
                        w.partial = value
                        continue
                    item, partial = w.pending.popleft(), w.partial
                    w.partial = None
                    w.deadline = time.monotonic() + limits.seconds  # the next one starts now
                    if status == "ok":
                        yield item, value
                        continue
                    if status in ("died", "timeout"):
                        w.stop(hard=True)
                    result = on_failure(item, _reason(status, value, w, limits), partial)
                    if status in ("died", "timeout"):
                        queue.extendleft(reversed(w.pending))  # sent ahead, never started: again elsewhere
                        w = workers[i] = spawn()
                    yield item, result
                feed(w)
    finally:
        for w in workers:
            w.stop(hard=bool(queue) or bool(w.pending))


def _reason(status: str, value: Any, worker: _Worker, limits: Limits) -> str:
    if status == "timeout":
        return f"文件处理超时（超过 {limits.seconds:g} 秒），已跳过"
    if status == "memory":
        return f"内存超限：处理此文件需要的内存超过每个文件 {limits.memory_text} 的上限，已跳过"
    if status == "error":
        return f"处理时出错（{value}）"
    return worker.death_reason(limits)
