"""The parse pool dies with the crawl however early the crawl is killed: while its fork
server is still starting, while the first workers are being forked, or later."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import left_behind

pytestmark = pytest.mark.slow  # real processes

ROOT = Path(__file__).resolve().parents[2]
# A crawl's process reduced to its pool: started, given a job, killed after a delay.
KILLED_CRAWL = """
import os, signal, sys, time
from crawler.pipelines import parse_pool
if __name__ == "__main__":
    pool = parse_pool(2)
    pool.submit(os.getpid)
    time.sleep(float(sys.argv[1]))
    os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.parametrize("delay", [0, 0.01, 0.03, 0.1, 0.3, 1.0])
def test_no_parse_process_outlives_a_killed_crawl(tmp_path: Path, delay: float) -> None:
    script = tmp_path / "crawl.py"
    script.write_text(KILLED_CRAWL, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(delay)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stderr=subprocess.PIPE,
    )
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == -9, err.decode()
    deadline = time.monotonic() + 10
    while left_behind(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left_behind(proc.pid) == []
