"""What a finding is: a rule broken by an agency's report (or source) for a year, with the
evidence. One type, one constructor, one identity for every part of nianbao."""

from __future__ import annotations

import hashlib
from typing import Any

Finding = dict[str, Any]  # {"rule", "severity", "message", "evidence"}
ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES = (INFO, WARNING, ERROR)  # least first


def finding(rule: str, severity: str, message: str, **evidence: Any) -> Finding:
    return {"rule": rule, "severity": severity, "message": message, "evidence": evidence}


def fingerprint(agency_key: str, year: int | None, rule: str, key: str | None) -> str:
    """Stable identity of a finding: recomputing findings never duplicates them."""
    return hashlib.sha256(f"{agency_key}|{year}|{rule}|{key or ''}".encode()).hexdigest()[:32]
