"""The crawl's on-disk queue (Scrapy's JOBDIR): resumed only when it is whole.

Scrapy writes a queue's record count and the list of its queues only when a crawl closes
cleanly; after a kill or a full disk they are stale or torn, and resuming from them drops
requests without a word (or dies on ``struct.error``) — and a crawl that silently skipped
pages would prove nothing. So a queue is resumed only if the previous crawl saved it and
every queue file reads back whole; otherwise it is discarded and the crawl starts over,
which conditional requests make cheap.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
from pathlib import Path

_SIZE = struct.Struct(">L")


def _lifo_whole(path: Path) -> bool:
    """Whether a queuelib LIFO disk queue file reads back whole: its header counts the
    records that its length suffixes chain back to the header."""
    size = path.stat().st_size
    if size < _SIZE.size:
        return False
    with path.open("rb") as f:
        (count,) = _SIZE.unpack(f.read(_SIZE.size))
        end, found = size, 0
        while end > _SIZE.size:
            f.seek(end - _SIZE.size)
            (length,) = _SIZE.unpack(f.read(_SIZE.size))
            end -= _SIZE.size + length
            found += 1
            if end < _SIZE.size:
                return False
    return end == _SIZE.size and found == count


def check(jobdir: str | os.PathLike[str]) -> str | None:
    """Why the queue in ``jobdir`` cannot be resumed, or None when it can (or is absent)."""
    root = Path(jobdir)
    if not root.exists():
        return None
    queue = root / "requests.queue"
    if not queue.exists():
        return None if not any(root.iterdir()) else "the queue was never saved"
    active = queue / "active.json"
    if not active.exists():
        return "the previous crawl stopped before it could save its queue"
    try:
        json.loads(active.read_text())
    except (OSError, ValueError):
        return "the queue's index is unreadable"
    for path in queue.rglob("*"):
        if path.is_file() and path.name != "active.json" and not _lifo_whole(path):
            return f"queue file {path.relative_to(root)} is torn"
    return None


def discard(jobdir: str | os.PathLike[str]) -> None:
    shutil.rmtree(jobdir, ignore_errors=True)
