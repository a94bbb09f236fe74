"""What one crawl proved about each column and each source: pure accounting.

A column (a ``list_urls`` entry, with the sub-columns it leads to) is read to its end only
on proof: every page it announced or linked was read, none failed, no loop, cap or
unreadable pager cut it short, and each of its parts proved its end — the pages or records
it announced were reached, the page its 尾页 names was read, or a page said it was the last
(see ``ListPage``). Only then may its agencies' years without a report be called missing;
otherwise (``unproven_end`` among the others) the source gives a ``source.incomplete``
finding and those years stay unverified.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.adapters.links import as_fetched

MAX_UNASSIGNED = 200  # titles given to nobody kept per list, for `nianbao sources check`
# Why a column stopped, worst first.
STOP_REASONS = (
    "page_failed",
    "page_cap",
    "loop",
    "unrecognized_paging",
    "total_not_reached",
    "not_read",
    "unproven_end",
    "end",
)


@dataclass
class Column:
    """One part of a column: the pages from its own first page, or a sub-column (更多) it
    leads to."""

    pages_announced: int | None = None
    records_announced: int | None = None
    pages_read: int = 0
    records_read: int = 0
    ended: bool = False  # a page of it said it was the last
    last_pages: set[str] = field(default_factory=set)  # pages its 尾页 links name
    unreadable: set[str] = field(default_factory=set)  # what its pages held unread
    item_sets: set[frozenset] = field(default_factory=set)  # the dated items of each page

    def proven(self, read: set[str]) -> bool:
        """Whether what was read of this part shows its end."""
        return (
            (self.pages_announced is not None and self.pages_read >= self.pages_announced)
            or (self.records_announced is not None and self.records_read >= self.records_announced)
            or self.ended
            or bool(self.last_pages and self.last_pages <= read)
        )


@dataclass
class ListRead:
    list_url: str
    family: str | None = None
    columns: dict[str, Column] = field(default_factory=dict)
    requested: set[str] = field(default_factory=set)
    read: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)
    loops: list[str] = field(default_factory=list)
    cut: set[str] = field(default_factory=set)  # page_cap, unrecognized_paging
    # Report titles given to nobody: {title, url, issuer, reason}.
    unassigned: list[dict[str, Any]] = field(default_factory=list)
    records_on: dict[str, int] = field(default_factory=dict)  # items counted of each page

    def want(self, url: str, cap: int) -> bool:
        """Whether to request ``url`` for this column: each page once, at most ``cap``."""
        url = _bare(url)
        if url in self.requested:
            return False
        if len(self.requested) >= cap:
            self.cut.add("page_cap")
            return False
        self.requested.add(url)
        return True

    def page_read(self, url: str, column: str, page: Any) -> None:
        """A page of ``column`` was read: ``page`` is the adapter's ListPage."""
        self.read.add(_bare(url))
        self.family = self.family or page.family
        col = self.columns.setdefault(column, Column())
        # A further page that lists what an earlier one listed is no page of its own (a
        # server that ignores the page asked for): counting it would prove an end unseen.
        items = frozenset((link.url, link.title) for link in page.links if link.listed_date)
        if items and col.pages_read and items in col.item_sets and page.family != "rendered":
            self.failed[_bare(url)] = "repeats an earlier page: the page asked for was not served"
        if items:
            col.item_sets.add(items)
        col.pages_read += 1
        col.records_read += page.records
        self.records_on[_bare(url)] = page.records
        if page.pages_announced is not None:
            col.pages_announced = max(col.pages_announced or 0, page.pages_announced)
        if page.records_announced is not None:
            col.records_announced = max(col.records_announced or 0, page.records_announced)
        if page.unrecognized_paging:
            self.cut.add("unrecognized_paging")
        col.ended = col.ended or page.ends_here
        if page.last_page:
            col.last_pages.add(_bare(page.last_page))
        col.unreadable.update(page.unreadable)

    def rendered_instead(self, url: str, column: str) -> None:
        """``url``, read statically, is read again in a browser: the browser's reading of
        it counts, not both."""
        bare = _bare(url)
        if bare in self.read:
            self.read.discard(bare)
            self.requested.discard(bare)
            if column in self.columns:
                self.columns[column].pages_read -= 1
                self.columns[column].records_read -= self.records_on.pop(bare, 0)

    def handed_over(self, url: str) -> None:
        """A page asked for here is read by other means (the browser): not owed here."""
        self.requested.discard(_bare(url))

    def page_failed(self, url: str, error: str) -> None:
        self.failed[_bare(url)] = error

    def seen(self, url: str) -> bool:
        """Whether ``url`` was asked for already in this crawl."""
        return _bare(url) in self.requested

    def not_assigned(self, title: str, url: str, issuer: str, reason: str) -> None:
        if len(self.unassigned) < MAX_UNASSIGNED:
            self.unassigned.append({"title": title, "url": url, "issuer": issuer, "reason": reason})

    def looped(self, url: str) -> None:
        """A next link led back to a page already read (not to the page itself)."""
        self.loops.append(url)

    def stop_reason(self) -> str:
        if self.failed:
            return "page_failed"
        for reason in ("page_cap", "loop", "unrecognized_paging"):
            if reason in self.cut or (reason == "loop" and self.loops and not self._counted()):
                return reason
        for col in self.columns.values():
            if (col.pages_announced and col.pages_read < col.pages_announced) or (
                col.records_announced and col.records_read < col.records_announced
            ):
                return "total_not_reached"
        if not self.read or self.requested - self.read:
            return "not_read"
        if not self._counted():
            return "unproven_end"
        return "end"

    def _counted(self) -> bool:
        """Every part of the column proved its end (its announced pages read, its 尾页
        read, a last page): a next link back to a page already read is then the pager's
        last page, not a loop."""
        return bool(self.columns) and all(c.proven(self.read) for c in self.columns.values())

    def summary(self) -> dict[str, Any]:
        """The row a crawl stores for this column."""
        reason = self.stop_reason()
        announced_pages = [c.pages_announced for c in self.columns.values()]
        announced_records = [c.records_announced for c in self.columns.values()]
        return {
            "list_url": self.list_url,
            "family": self.family,
            "pages_announced": sum(p or 0 for p in announced_pages)
            if any(announced_pages)
            else None,
            "pages_read": len(self.read),
            "pages_failed": len(self.failed),
            "records_announced": sum(r or 0 for r in announced_records)
            if any(announced_records)
            else None,
            "records_read": sum(c.records_read for c in self.columns.values()),
            "complete": reason == "end",
            "stop_reason": reason,
            "detail": {
                "failed": dict(sorted(self.failed.items())),
                "loops": self.loops,
                "columns": sorted(self.columns),
                "unread": sorted(self.requested - self.read - set(self.failed)),
                "unreadable": sorted(set().union(*(c.unreadable for c in self.columns.values()))),
                "unproven": sorted(
                    url for url, c in self.columns.items() if not c.proven(self.read)
                ),
                "unassigned": self.unassigned,
            },
        }


@dataclass
class Health:
    """What one crawl met of one agency's source."""

    lists: list[str] = field(default_factory=list)  # its list URLs
    reports_found: int = 0
    unreadable: dict[str, str] = field(default_factory=dict)  # document URL → error
    years: dict[str, int] = field(default_factory=dict)  # document URL → the year listed

    def unread(self, url: str, error: str, year: int | None) -> None:
        """A document that could not be fetched or read, and the year it was listed for
        (its problem is that year's, in the report)."""
        self.unreadable[url] = error
        if year is not None:
            self.years[url] = year

    def judge(
        self, reads: dict[str, dict[str, Any]]
    ) -> tuple[str, str | None, list[dict[str, Any]]]:
        """(status, detail, findings) of the source after a crawl, from its columns' reads."""
        findings = []
        status, detail = "ok", None
        mine = [reads[u] for u in self.lists if u in reads]
        errors = {url: error for r in mine for url, error in r["detail"]["failed"].items()}
        whole_failed = [r for r in mine if r["pages_read"] == 0 and r["pages_failed"]]
        if whole_failed:
            kinds = sorted({e.split(":", 1)[0] for e in errors.values()})
            status = kinds[0] if len(kinds) == 1 else "unreachable"
            detail = "; ".join(f"{u}: {e}" for u, e in sorted(errors.items()))
            findings.append(
                {
                    "rule": "source.unreachable",
                    "severity": "warning",
                    "message": f"{len(errors)} list page(s) could not be read: " + detail,
                    "evidence": {"list_pages": dict(sorted(errors.items()))},
                }
            )
        elif incomplete := [r for r in mine if not r["complete"]]:
            status = "incomplete"
            detail = "; ".join(
                f"{r['list_url']}: {r['stop_reason']} ({r['pages_read']} of "
                f"{r['pages_announced'] or '?'} pages)"
                for r in incomplete
            )
            findings.append(
                {
                    "rule": "source.incomplete",
                    "severity": "warning",
                    "message": f"{len(incomplete)} column(s) not read to their end: " + detail,
                    "evidence": {
                        "lists": [
                            {k: r[k] for k in _EVIDENCE if k in r} | {"detail": r["detail"]}
                            for r in incomplete
                        ]
                    },
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
                    "evidence": {"list_pages_read": sum(r["pages_read"] for r in mine)},
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
                    "evidence": {
                        "documents": dict(sorted(self.unreadable.items())),
                        "years": {
                            u: y for u, y in sorted(self.years.items()) if u in self.unreadable
                        },
                    },
                }
            )
        return status, detail, findings


def _bare(url: str) -> str:
    """A page's address as fetched: escaped as Scrapy sends it (a column's own link to
    ``list.jsp?lm=年报`` names the page fetched as ``…lm=%E5%B9%B4%E6%8A%A5``), without the
    fragment, which never reaches the server."""
    return as_fetched(url.split("#", 1)[0])


_EVIDENCE = (
    "list_url",
    "family",
    "pages_announced",
    "pages_read",
    "records_announced",
    "records_read",
    "stop_reason",
)


@dataclass
class Ledger:
    """Everything one crawl learns of its sources, for the crawl's record."""

    reads: dict[str, ListRead] = field(default_factory=dict)  # list URL → its read
    health: dict[str, Health] = field(default_factory=dict)  # agency id → its source
    names: dict[str, str] = field(default_factory=dict)  # agency id → name
    discovered: dict[str, dict[str, Any]] = field(default_factory=dict)  # name → details
    # The columns whose reads are evidence for verdicts: a crawl limited to some agencies
    # or years read a column for them alone, and proves nothing of a column it shares
    # with agencies it skipped, nor of years it skipped (None: every column).
    evidence: set[str] | None = None

    def as_evidence(self, reads: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        """The rows of ``reads`` a crawl may record as what it read of its columns."""
        return [r for url, r in reads.items() if self.evidence is None or url in self.evidence]

    def summaries(self, finished: bool) -> dict[str, dict[str, Any]]:
        """Each column's row; a crawl that did not finish read none of them to its end."""
        reads = {url: r.summary() for url, r in self.reads.items()}
        if not finished:
            for r in reads.values():
                r.update(complete=False, stop_reason="not_read")
        return reads
