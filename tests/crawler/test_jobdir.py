"""The crawl queue is resumed only when it reads back whole."""

from __future__ import annotations

import json
import struct
from pathlib import Path

from crawler import jobdir


def _queue(path: Path, records: list[bytes], header: int | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = b"".join(r + struct.pack(">L", len(r)) for r in records)
    path.write_bytes(struct.pack(">L", len(records) if header is None else header) + body)


def test_absent_or_cleanly_saved_queue_resumes(tmp_path: Path) -> None:
    assert jobdir.check(tmp_path / "none") is None
    root = tmp_path / "job"
    _queue(root / "requests.queue" / "slot" / "0", [b"a" * 10, b"b" * 300])
    (root / "requests.queue" / "active.json").write_text(json.dumps({"slot": [0]}))
    assert jobdir.check(root) is None


def test_killed_or_torn_queues_are_not_resumed(tmp_path: Path) -> None:
    root = tmp_path / "job"
    _queue(root / "requests.queue" / "slot" / "0", [b"a" * 10])
    assert "before it could save" in jobdir.check(root)  # no active.json: killed
    (root / "requests.queue" / "active.json").write_text("{}")
    _queue(root / "requests.queue" / "slot" / "0", [b"a" * 10, b"b"], header=0)  # stale count
    assert "torn" in jobdir.check(root)
    (root / "requests.queue" / "slot" / "0").write_bytes(b"")  # never flushed
    assert "torn" in jobdir.check(root)
    _queue(root / "requests.queue" / "slot" / "0", [b"a" * 10])
    path = root / "requests.queue" / "slot" / "0"
    path.write_bytes(path.read_bytes()[:-2])  # a record cut short
    assert "torn" in jobdir.check(root)
    jobdir.discard(root)
    assert not root.exists()
