"""Run one reader in a forked child with a memory ceiling and a time limit.

PDF, Word, image and HTML parsers are large native libraries fed with files from anywhere: a
zip bomb, a decompression bomb or a parser bug must cost one skipped file, not the whole
indexing run. The child gets a bounded address space and is killed when it stops reporting
progress for IDLE_SECONDS or runs longer than TOTAL_SECONDS in all; its result (or its one-line
error) comes back through a pipe. Where fork is not available the reader runs in-process.
"""
from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import time
import warnings
from pathlib import Path
from typing import Callable

from . import Context, Extract, UnreadableFile

MEMORY_BYTES = 2 * 1024 ** 3  # address space a reader may add to what the process already has
IDLE_SECONDS = 300  # one step (a page, one OCR'd image) may take this long
TOTAL_SECONDS = 3600
QUIET_SECONDS = 5  # work shorter than this prints no progress; longer work one line per PROGRESS_EVERY
PROGRESS_EVERY = 15


def run(reader: Callable[[Path, Context], Extract], path: Path, context: Context) -> Extract:
    if not hasattr(os, "fork"):
        return _guarded(reader, path, context)
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork in a threaded process (3.12+)
        child = ctx.Process(target=_child, args=(reader, path, context, send), daemon=True)
        child.start()
    send.close()
    started = last = time.monotonic()
    shown = None
    try:
        while True:
            now = time.monotonic()
            wait = min(IDLE_SECONDS - (now - last), TOTAL_SECONDS - (now - started))
            if wait <= 0 or not receive.poll(wait):
                if receive.poll(0):
                    continue
                raise UnreadableFile(f"reading took too long (no progress for {IDLE_SECONDS} s or over "
                                     f"{TOTAL_SECONDS} s in all)")
            try:
                kind, value = receive.recv()
            except EOFError:
                child.join(5)
                raise UnreadableFile(_death(child.exitcode)) from None
            last = time.monotonic()
            if kind == "progress":
                if last - started >= QUIET_SECONDS and (shown is None or last - shown >= PROGRESS_EVERY):
                    context.progress(value)
                    shown = last
            elif kind == "error":
                raise UnreadableFile(value)
            else:
                if shown is not None:
                    context.progress(f"{context.name}: read in {last - started:.0f} s"
                                     + (f" ({', '.join(value.notes)})" if value.notes else ""))
                return value
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join(5)


def _death(code: int | None) -> str:
    if code is not None and code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        return f"the reader crashed on this file ({name})"
    return "the reader stopped without a result"


def _child(reader, path: Path, context: Context, send) -> None:
    used = _address_space()
    if used is not None:
        limit = used + MEMORY_BYTES
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    context.progress = lambda message: send.send(("progress", message))
    try:
        send.send(("done", _guarded(reader, path, context)))
    except UnreadableFile as e:
        send.send(("error", str(e)))
    except BaseException as e:  # a child must answer, whatever happened
        send.send(("error", _reason(e)))
    finally:
        send.close()


def _guarded(reader, path: Path, context: Context) -> Extract:
    try:
        return reader(path, context)
    except UnreadableFile:
        raise
    except Exception as e:
        raise UnreadableFile(_reason(e)) from None


def _reason(error: BaseException) -> str:
    if isinstance(error, MemoryError):
        return f"needs more than {MEMORY_BYTES // 1024 ** 2} MB of memory to read"
    message = " ".join(str(error).split())[:200]
    return f"cannot be read ({type(error).__name__}{': ' + message if message else ''})"


def _address_space() -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None
