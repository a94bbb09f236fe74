"""Shared pytest options and fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from storage.archive import Archive
from tests.portal.site import PortalServer
from tests.support import Inbox, free_port, new_archive


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regen-golden",
        action="store_true",
        help="Rewrite tests/corpus/*.expected.json from the current parser, for review "
        "with git diff, instead of comparing against them.",
    )


@pytest.fixture
def regen_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--regen-golden"))


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    """A new archive file, tmp_path/nianbao.db, knowing the agencies of support.SOURCES."""
    a = new_archive(tmp_path)
    yield a
    a.close()


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on 127.0.0.1: (its inbox, its port)."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def portal() -> Iterator[PortalServer]:
    """The test portal served on 127.0.0.1."""
    with PortalServer() as server:
        yield server
