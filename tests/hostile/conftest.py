"""Running one hostile input in a child process, measured: wall time and peak memory."""

from __future__ import annotations

import multiprocessing
import resource
import time
from collections.abc import Callable
from resource import RUSAGE_CHILDREN, RUSAGE_SELF
from typing import Any

import pytest


def _child(work: Callable[[], Any], conn: Any) -> None:
    started = time.perf_counter()
    try:
        outcome: Any = ("ok", work())
    except Exception as exc:
        outcome = ("error", f"{type(exc).__name__}: {exc}")
    # The largest of this process and the children it waited for (a parser's child).
    peak = max(resource.getrusage(who).ru_maxrss for who in (RUSAGE_SELF, RUSAGE_CHILDREN)) / 1024
    conn.send((time.perf_counter() - started, peak, outcome))


def measured(work: Callable[[], Any], timeout: float = 120) -> tuple[float, float, Any]:
    """(seconds, peak MB of it and its children, ("ok", result) or ("error", message)) of
    ``work`` in a child."""
    ctx = multiprocessing.get_context("fork")
    reader, writer = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(work, writer))
    child.start()
    try:
        if not reader.poll(timeout):
            pytest.fail(f"still running after {timeout:g} s")
        return reader.recv()
    finally:
        child.kill()
        child.join()


@pytest.fixture
def measure() -> Callable[..., tuple[float, float, Any]]:
    return measured
