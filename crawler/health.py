"""Per-agency source health from what one crawl met, and the findings it gives.

A portal that breaks is our crawler's problem, not the agency's: it becomes a ``source.*``
finding, which turns a year without a report into ``unverified`` instead of ``missing``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Health:
    list_errors: dict[str, str] = field(default_factory=dict)  # list URL → what went wrong
    list_ok: int = 0
    reports_found: int = 0
    unreadable: dict[str, str] = field(default_factory=dict)  # document URL → error

    def judge(self) -> tuple[str, str | None, list[dict[str, Any]]]:
        """(status, detail, findings) of the source after a finished crawl."""
        findings = []
        status, detail = "ok", None
        if self.list_errors:
            kinds = sorted({e.split(":", 1)[0] for e in self.list_errors.values()})
            status = kinds[0] if len(kinds) == 1 else "unreachable"
            detail = "; ".join(f"{u}: {e}" for u, e in sorted(self.list_errors.items()))
            findings.append(
                {
                    "rule": "source.unreachable",
                    "severity": "warning",
                    "message": f"{len(self.list_errors)} list page(s) could not be read: " + detail,
                    "evidence": {"list_pages": dict(sorted(self.list_errors.items()))},
                }
            )
        elif self.reports_found == 0:
            status, detail = "no_reports", "the list pages name no annual report of this agency"
            findings.append(
                {
                    "rule": "source.no_reports",
                    "severity": "warning",
                    "message": "the list pages were read but name no annual report of this "
                    "agency: the column may have moved",
                    "evidence": {"list_pages_read": self.list_ok},
                }
            )
        if self.unreadable:
            if status == "ok":
                status = "documents_failed"
                detail = f"{len(self.unreadable)} document(s) could not be fetched or read"
            findings.append(
                {
                    "rule": "source.unreadable_documents",
                    "severity": "warning",
                    "message": f"{len(self.unreadable)} document(s) could not be fetched or read",
                    "evidence": {"documents": dict(sorted(self.unreadable.items()))},
                }
            )
        return status, detail, findings
