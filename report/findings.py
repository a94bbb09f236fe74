"""What a finding is: a rule broken by an agency's report (or source) for a year, with the
evidence. One type, one constructor, one identity for every part of nianbao."""

from __future__ import annotations

import hashlib
from typing import Any

Finding = dict[str, Any]  # {"rule", "severity", "message", "evidence"}
ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES = (INFO, WARNING, ERROR)  # least first


def finding(rule: str, message: str, **evidence: Any) -> Finding:
    """A finding of ``rule``, at the severity report.registry gives the rule (its one
    home: what the docs say is what the archive, the report and the digests use)."""
    return {"rule": rule, "severity": severity_of(rule), "message": message, "evidence": evidence}


def severity_of(rule: str) -> str:
    from report.registry import rule as registered  # the registry builds on this module

    known = registered(rule)
    if known is None:
        raise KeyError(f"rule {rule!r} is not in report.registry")
    return known.severity


def fingerprint(agency_key: str, year: int | None, rule: str, key: str | None) -> str:
    """Stable identity of a finding: recomputing findings never duplicates them."""
    return hashlib.sha256(f"{agency_key}|{year}|{rule}|{key or ''}".encode()).hexdigest()[:32]
