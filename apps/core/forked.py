"""Run a memory-hungry function in a short-lived forked child and take its result back.

A worker that renders a PDF keeps most of the memory the render needed (Python's
allocator seldom hands it back), so after a few exports every worker of the cluster
carries its own copy of a render's peak. In a forked child the render shares the
worker's loaded code, sends its result back through a pipe and exits: its memory goes
with it. The child must not use the database (it would share the parent's connection):
give it plain data, such as an HTML string.

One such child at a time per machine (a lock file): two at once (two workers, or a render
queued again while its outdated twin still runs) would add their peaks; the second waits
for the first to end.
"""
from __future__ import annotations

import fcntl
import gc
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

LOCK_FILE = Path(tempfile.gettempdir()) / "traveloure-call-in-child.lock"


class ChildFailed(RuntimeError):
    """The child ended without sending a result (killed, or its error could not be sent)."""


def call_in_child(func: Callable[..., T], *args) -> T:
    """``func(*args)`` computed in a forked child, once no other child of this module runs
    on the machine; its exception is raised here."""
    with open(LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, after the child ended
        ok, value = _fork_and_wait(func, args)
    if not ok:
        raise value
    return value


def _fork_and_wait(func: Callable[..., T], args: tuple) -> tuple[bool, T | Exception]:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        # The collector would write to the header of every object inherited from the
        # parent (the worker's own, not frozen), copying their pages into the child.
        gc.freeze()
        os.close(read_fd)
        try:
            try:
                payload = pickle.dumps((True, func(*args)))
            except Exception as exc:  # noqa: BLE001 - handed to the parent as it is
                try:
                    payload = pickle.dumps((False, exc))
                except Exception:  # noqa: BLE001 - an exception that does not pickle
                    payload = pickle.dumps((False, ChildFailed(repr(exc))))
            with os.fdopen(write_fd, "wb") as out:
                out.write(payload)
        finally:
            os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not data:
        raise ChildFailed(f"the child process ended without a result (wait status {status})")
    return pickle.loads(data)
