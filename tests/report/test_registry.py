"""One severity per rule: what docs/rules.md says (report.registry) is what a finding
carries, what the archive stores and what the digests count."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from report.findings import finding
from report.registry import RULES
from storage.findings import Found, store
from tests.support import new_archive

ROOT = Path(__file__).resolve().parents[2]


def test_every_finding_carries_its_rules_documented_severity() -> None:
    docs = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for name, rule in RULES.items():
        assert finding(name, "m")["severity"] == rule.severity
        section = docs[docs.index(f"### `{name}`") :]
        stated = re.search(r"Severity: (\w+)", section)
        assert stated and stated.group(1) == rule.severity, name


def test_a_rule_not_in_the_registry_is_refused() -> None:
    with pytest.raises(KeyError, match=r"not in report\.registry"):
        finding("carry.nonsense", "m")


def test_the_archive_stores_the_registrys_severity(tmp_path: Path) -> None:
    archive = new_archive(tmp_path)
    wrong = {"rule": "carry.continuity", "severity": "error", "message": "m", "evidence": {}}
    with archive.batch():
        store(archive.conn, [Found("demo-env", "demo-env", None, 2023, None, wrong)], "2024")
    assert archive.conn.execute("SELECT severity FROM findings").fetchall() == [("warning",)]
    archive.close()
