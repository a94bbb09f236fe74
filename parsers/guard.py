"""Documents parsed in a child process, each bounded in time and memory.

Documents come from the internet: a PDF that makes a library loop, a bomb that eats memory
or a crash in native code must cost that document only, never the batch. The child is
forked once (no re-import) and then reads document after document, so a crawl pays no
process start-up per document. It runs under RLIMIT_AS; the caller kills it when a
document's time is up, and it leaves by itself after a document that came near its memory
cap or left it grown, so one document's leftovers never shrink the next one's budget. The
caller gets the record or a DocumentError with a one-line reason, and a child that is gone
is replaced on the next document.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import resource
import signal
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

# Loaded here, once, so that every forked child inherits them instead of importing them.
from parsers import doc, docx, html, ocr, ofd, pdf, sniff  # noqa: F401
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


# A child reads at most this many documents, then leaves for a fresh one: what a library
# caches or fragments over thousands of documents is given back.
DOCUMENTS_PER_CHILD = 500


def _peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _serve(conn: Connection, memory_mb: int, ocr_mb: int, parent: int) -> None:
    """The child: read the documents the parent sends until it closes the pipe. Each answer
    says whether the child leaves after it."""
    die_with(parent)
    resident, space = _resident(), _address_space()
    cap = space + memory_mb * MB
    # A page read by OCR may take ``ocr_mb`` more (its recognizer's models and buffers):
    # the hard limit leaves room for it, raised to for that page's document alone.
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap + ocr_mb * MB))
    recognized: list[bool] = []

    def before_ocr() -> None:
        conn.send(("ocr",))  # the parent gives the page its own time
        resource.setrlimit(resource.RLIMIT_AS, (cap + ocr_mb * MB, cap + ocr_mb * MB))
        recognized.append(True)

    ocr.on_page(before_ocr)
    too_much = f"needs more than {memory_mb} MB of memory: stopped"
    for done in range(1, DOCUMENTS_PER_CHILD + 1):
        try:
            data, content_type, limits = conn.recv()
        except (EOFError, OSError):
            break
        peak = _peak()
        leave = done == DOCUMENTS_PER_CHILD
        try:
            result: tuple[str, Any] = ("ok", read_document(data, content_type, limits))
        except DocumentError as exc:
            result = ("error", str(exc))
        except MemoryError:
            result, leave = ("error", too_much), True
        except Exception as exc:
            # A library refused an allocation in its own words (libxml2: "unknown error"):
            # a failure in a parse that came near the cap is the cap's.
            near = _peak() > peak and _peak() - resident > 0.5 * memory_mb * MB
            result = ("error", too_much if near else f"parser failed: {type(exc).__name__}: {exc}")
            leave = leave or near
        del data
        # After OCR the child's address space is past its cap: the next document gets a
        # fresh child.
        leave = leave or bool(recognized)
        grown = _resident() - resident > memory_mb * MB // 4
        leave = leave or grown or _address_space() - space > memory_mb * MB // 4
        try:
            conn.send((*result, leave))
        except (OSError, ValueError):
            break
        if leave:
            break
    os._exit(0)


class _Child:
    """One resident parser child of this process and thread."""

    def __init__(self, memory_mb: int, ocr_mb: int) -> None:
        ctx = multiprocessing.get_context("fork")
        self.conn, there = ctx.Pipe(duplex=True)
        self.memory = (memory_mb, ocr_mb)
        self.proc = ctx.Process(
            target=_serve, args=(there, memory_mb, ocr_mb, os.getpid()), daemon=True
        )
        self.proc.start()
        there.close()

    def close(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join()
        self.conn.close()

    def read(self, data: bytes, content_type: str | None, limits: Limits) -> tuple[str, Any, bool]:
        """(status, payload, whether the child left): DocumentError when it took too long or
        died on the document."""
        try:
            self.conn.send((data, content_type, limits))
        except OSError:  # it left between two documents (killed from outside)
            raise DocumentError("the parser stopped without an answer") from None
        deadline, allowed = time.monotonic() + limits.seconds, limits.seconds
        try:
            while True:
                if not self.conn.poll(max(0.0, deadline - time.monotonic())):
                    raise DocumentError(f"took longer than {allowed:g} s: stopped")
                answer = self.conn.recv()
                if answer != ("ocr",):
                    return answer
                # A page read by OCR: seconds of its own, on top of the document's.
                deadline, allowed = deadline + limits.ocr_seconds, allowed + limits.ocr_seconds
        except (EOFError, OSError):
            self.proc.join(5)
            code = self.proc.exitcode
            if code is not None and code < 0:
                name = signal.Signals(-code).name
                raise DocumentError(f"the parser crashed ({name})") from None
            raise DocumentError("the parser stopped without an answer") from None


_local = threading.local()


def _forget_inherited() -> None:
    """In a forked process: the parent's child is not this process's to use or kill."""
    child = getattr(_local, "child", None)
    if child is not None:
        with contextlib.suppress(OSError):
            child.conn.close()
        _local.child = None


os.register_at_fork(after_in_child=_forget_inherited)


def release() -> None:
    """End this thread's parser child, if it has one (the next document forks another)."""
    child = getattr(_local, "child", None)
    _local.child = None
    if child is not None:
        child.close()


def _child_for(limits: Limits) -> _Child:
    child: _Child | None = getattr(_local, "child", None)
    memory = (limits.memory_mb, limits.ocr_memory_mb)
    if child is not None and (child.memory != memory or not child.proc.is_alive()):
        child.close()
        child = None
    if child is None:
        child = _local.child = _Child(*memory)
    return child


def _in_process(data: bytes) -> bool:
    """Text and HTML this small: linear in size (spans clipped, cells capped), a few tenths
    of a second and tens of MB at worst, less than the trip to the child would cost. Not a
    page that holds pictures: OCR may read them, bounded in the child like a scan."""
    if len(data) > IN_PROCESS_BYTES:
        return False
    kind = sniff.sniff(data[:4096])
    return kind == sniff.TEXT or (kind == sniff.HTML and b";base64," not in data)


def read_guarded(
    data: bytes, content_type: str | None = None, limits: Limits | None = None
) -> tuple[dict[str, Any], str]:
    """read_document, with ``limits.seconds`` and ``limits.memory_mb`` enforced."""
    limits = limits or Limits()
    if _in_process(data):
        return read_document(data, content_type, limits)
    child = _child_for(limits)
    leave = True
    try:
        status, payload, leave = child.read(data, content_type, limits)
    finally:
        if leave:
            release()
    if status == "ok":
        return payload
    raise DocumentError(payload)


def parse_guarded(
    data: bytes, content_type: str | None = None, limits: Limits | None = None
) -> dict[str, Any]:
    """parse_bytes, with ``limits.seconds`` and ``limits.memory_mb`` enforced."""
    return read_guarded(data, content_type, limits)[0]
