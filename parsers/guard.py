"""One document's parse in a child process, bounded in time and memory.

Documents come from the internet: a PDF that makes a library loop, a bomb that eats memory
or a crash in native code must cost that document only, never the batch. The child is
forked (no re-import, the bytes need no copying), limited with RLIMIT_AS, and killed when
its time is up; the caller gets the record or a DocumentError with a one-line reason.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import resource
import signal
from multiprocessing.connection import Connection
from typing import Any

# Loaded here, once, so that every forked child inherits them instead of importing them.
from parsers import doc, docx, html, ofd, pdf, sniff  # noqa: F401
from parsers.document import MB, Limits, read_document
from parsers.errors import DocumentError

# HTML and text up to this size are read in this process; larger ones, like every other
# format, in a child bounded by the limits (19 MB of spans took 3.9 GB and 97 s).
IN_PROCESS_BYTES = 256 * 1024


def _address_space() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * resource.getpagesize()


def _resident() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


def die_with(parent: int | None = None) -> None:
    """Ask the kernel to kill this process when its parent dies (Linux), so that a parser
    never outlives the crawl that started it. ``parent``: the pid the parent must still
    have (a fork's); a pool worker's parent is its fork server, which ends with the crawl."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if parent is not None and os.getppid() != parent:  # it died before the request took
        os._exit(1)


# The environment variable that gives a scheduled job its scheduler's pid (die_with).
SCHEDULER_PID = "NIANBAO_SCHEDULER_PID"


def die_with_named(variable: str) -> None:
    """die_with the parent whose pid the environment variable ``variable`` holds: a
    process started by one that may be gone already checks that it is not (the kernel
    only tells of a death after the request)."""
    value = os.environ.get(variable)
    die_with(int(value) if value else None)


def _child(
    writer: Connection, data: bytes, content_type: str | None, limits: Limits, parent: int
) -> None:
    die_with(parent)
    resident = _resident()
    cap = _address_space() + limits.memory_mb * MB
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    too_much = f"needs more than {limits.memory_mb} MB of memory: stopped"
    try:
        result: tuple[str, Any] = ("ok", read_document(data, content_type, limits))
    except DocumentError as exc:
        result = ("error", str(exc))
    except MemoryError:
        result = ("error", too_much)
    except Exception as exc:
        # A library refused an allocation in its own words (libxml2: "unknown error"):
        # a failure after the parse came near its cap is the cap's.
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - resident
        near = grown > 0.5 * limits.memory_mb * MB
        result = ("error", too_much if near else f"parser failed: {type(exc).__name__}: {exc}")
    try:
        writer.send(result)
    finally:
        os._exit(0)


def read_guarded(
    data: bytes, content_type: str | None = None, limits: Limits | None = None
) -> tuple[dict[str, Any], str]:
    """read_document, with ``limits.seconds`` and ``limits.memory_mb`` enforced."""
    limits = limits or Limits()
    if len(data) <= IN_PROCESS_BYTES and sniff.sniff(data[:4096]) in (sniff.TEXT, sniff.HTML):
        # Linear in size (spans clipped, cells capped), and this small: a few tenths of a
        # second and tens of MB at worst, less than the fork would cost.
        return read_document(data, content_type, limits)
    ctx = multiprocessing.get_context("fork")
    reader, writer = ctx.Pipe(duplex=False)
    proc = ctx.Process(
        target=_child, args=(writer, data, content_type, limits, os.getpid()), daemon=True
    )
    proc.start()
    writer.close()
    try:
        if not reader.poll(limits.seconds):
            raise DocumentError(f"took longer than {limits.seconds:g} s: stopped")
        try:
            status, payload = reader.recv()
        except (EOFError, OSError):
            proc.join(5)
            code = proc.exitcode
            if code is not None and code < 0:
                name = signal.Signals(-code).name
                raise DocumentError(f"the parser crashed ({name})") from None
            raise DocumentError("the parser stopped without an answer") from None
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        reader.close()
    if status == "ok":
        return payload
    raise DocumentError(payload)


def parse_guarded(
    data: bytes, content_type: str | None = None, limits: Limits | None = None
) -> dict[str, Any]:
    """parse_bytes, with ``limits.seconds`` and ``limits.memory_mb`` enforced."""
    return read_guarded(data, content_type, limits)[0]
