"""What the spider hands the archive pipeline: one report's page with every document it
links to, fetched or not."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Doc:
    """One fetch: a report's page or an attachment."""

    url: str  # as listed (before redirects)
    final_url: str | None = None
    status: int | None = None  # 304: unchanged since the archived copy
    content_type: str | None = None
    last_modified: str | None = None
    etag: str | None = None
    body: bytes | None = None  # None when unchanged (304) or failed
    known_sha: str | None = None  # the archived copy a 304 refers to
    from_archive: bool = False  # not asked for: confirmed recently (NIANBAO_REVISIT_DAYS)
    error: str | None = None  # why it could not be fetched
    page_date: str | None = None
    part: bool = False  # a further page of the report's page (a CMS split it)
    picture: bool = False  # a picture the report's page shows (its tables may be pictures)


@dataclass
class ReportGroup:
    """A report as a portal lists it: its page and attachments, one of which the pipeline
    parses into the report version."""

    agency_id: str
    year: int | None  # None when the title names no year: the document's year is taken
    title: str
    page_url: str
    listed_date: str | None = None
    docs: list[Doc] = field(default_factory=list)
    pending: int = 0  # attachments still to come


@dataclass
class RelatedDoc:
    """A document listed beside a report that is not the report: its 更正."""

    url: str
    kind: str  # correction
    title: str
    agency_id: str
    doc: Doc | None = None
