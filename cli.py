"""The ``nianbao`` command: one click group, a subcommand per job.

Exit status everywhere: 0 success, 1 the work ran but something failed (some documents
could not be read), 2 bad usage or unreadable input.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from ingest import MB, parse_file, reparse
from output.text import (
    crawl_summary,
    emit,
    finding_table,
    render_matrix,
    score_table,
    source_text,
    summary,
)
from parsers import DocumentError, Limits
from parsers.dates import now
from parsers.guard import SCHEDULER_PID, die_with
from storage.archive import Archive
from storage.crawls import last_run, run_stats, troubled_sources
from storage.db import ArchiveError, connect, exclusive
from storage.query import FINDING_COLUMNS, QueryError, search, user_query
from storage.query import agencies as agency_facts
from storage.query import findings as list_findings
from storage.query import matrix as compliance_matrix
from storage.sources import SourcesError, load_sources

_DEFAULTS = Limits()
_LIMIT_OPTIONS = (
    (
        "--max-mb",
        click.FloatRange(min=0.001),
        _DEFAULTS.max_bytes / MB,
        "Refuse documents larger than this many megabytes.",
    ),
    ("--max-pages", click.IntRange(min=1), _DEFAULTS.max_pages, "Refuse PDFs with more pages."),
    ("--timeout", click.FloatRange(min=0.1), _DEFAULTS.seconds, "Seconds one document may take."),
    ("--memory-mb", click.IntRange(min=64), _DEFAULTS.memory_mb, "Memory one document may use."),
    (
        "--ocr",
        click.Choice(["auto", "off"]),
        _DEFAULTS.ocr,
        "Pages without a text layer: read by OCR when the OCR extra is installed (auto), "
        "or left without text (off).",
    ),
)


def _load_sources(path: str) -> list[dict[str, Any]]:
    """The sources file's agencies, checked against the crawler's portal families."""
    from crawler.adapters import FAMILIES

    try:
        return load_sources(path, FAMILIES)
    except SourcesError as exc:
        raise click.UsageError(str(exc)) from None


def limit_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """What one document may cost: shared by every command that parses documents."""
    for name, kind, default, text in reversed(_LIMIT_OPTIONS):
        func = click.option(name, type=kind, default=default, show_default=True, help=text)(func)
    return func


def db_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """--db, shared by every command that reads or writes the archive."""
    return click.option(
        "--db",
        "db_path",
        type=click.Path(dir_okay=False),
        default="nianbao.db",
        show_default=True,
        help="The archive (SQLite file).",
    )(func)


def format_option(*choices: str) -> Callable[..., Any]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )


def _open(
    db_path: str, readonly: bool = False, create: bool = False, verify: bool | None = None
) -> sqlite3.Connection:
    """The archive, or a one-line error: a command that reads or checks refuses a missing
    archive, one that may start one (``create``) says so when it does."""
    try:
        new = not Path(db_path).exists()
        if new and not create:
            raise ArchiveError(f"no archive at {db_path}")
        conn = connect(db_path, readonly=readonly, verify=verify)
    except ArchiveError as exc:
        raise ArchiveFailure(str(exc)) from None
    if new:
        click.echo(f"started a new archive at {db_path}", err=True)
    return conn


def _pack(path: str | None, default: bool = False) -> Any:
    """The rule pack at --pack (the shipped neutral one when none is given and ``default``,
    else none), or a one-line error naming what is wrong with it."""
    from report.scoring import PackError, load_pack

    if path is None and not default:
        return None
    try:
        return load_pack(path)
    except PackError as exc:
        raise click.BadParameter(str(exc), param_hint="--pack") from None


def _limits(max_mb: float, max_pages: int, timeout: float, memory_mb: int, ocr: str) -> Limits:
    max_bytes = int(max_mb * MB)
    return Limits(
        max_bytes=max_bytes,
        max_text_bytes=min(max_bytes, _DEFAULTS.max_text_bytes),
        max_pages=max_pages,
        seconds=timeout,
        memory_mb=memory_mb,
        ocr=ocr,
    )


lang_option = click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="Language of what people read.",
)


def sources_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """--sources, shared by the commands that crawl (now or on a schedule)."""
    return click.option(
        "--sources",
        type=click.Path(dir_okay=False),
        default="agencies.toml",
        show_default=True,
        help="The sources file: agencies and their 年报 columns.",
    )(func)


def config_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """--config, shared by the commands that read nianbao.toml."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False),
        default="nianbao.toml",
        show_default=True,
        help="The config file: mail, subscriptions, schedule.",
    )(func)


def _config(path: str) -> Any:
    from monitor.config import ConfigError, load_config

    try:
        return load_config(path)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


class ArchiveFailure(click.ClickException):
    """The archive failed under a command (damaged, full disk): one line, exit 2."""

    exit_code = 2


class BadInput(click.ClickException):
    """A document, address or cell the command cannot take: one line, exit 2."""

    exit_code = 2


class _Commands(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # the reader went away (| head): not the archive's fault
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except (sqlite3.DatabaseError, OSError) as exc:  # a full disk, a damaged file
            db = ctx.params.get("db_path") or "the archive"
            raise ArchiveFailure(f"{db}: {exc}; nothing more was written") from None
        except ArchiveError as exc:
            raise ArchiveFailure(str(exc)) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nianbao")
def main() -> None:
    """nianbao (年报): watch government information-disclosure annual reports.

    Parses reports into structured records and flags those that are missing, late or
    internally inconsistent.

    Example: nianbao parse --json report.txt
    """
    scheduler = os.environ.pop(SCHEDULER_PID, None)
    if scheduler:  # a scheduled job dies with its scheduler, however it ends
        die_with(int(scheduler))


@main.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--json", "as_json", is_flag=True, help="One JSON record per line, in order.")
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Also archive the files in this archive (created if missing).",
)
@click.option(
    "--sources",
    type=click.Path(dir_okay=False),
    default=None,
    help="With --db: load agencies from this sources file first.",
)
@click.option(
    "--agency",
    "agency_id",
    default=None,
    help="With --db: the agency id the files belong to (else matched by name).",
)
@limit_options
def parse(
    files: tuple[str, ...],
    as_json: bool,
    db_path: str | None,
    sources: str | None,
    agency_id: str | None,
    **limits: Any,
) -> None:
    """Parse report files into records; '-' reads a document from standard input.

    Any format a portal serves: text, HTML, PDF, DOCX, DOC/WPS, OFD, told apart by
    content, not by name. Without --json, prints a short summary per file and its
    findings. A file that cannot be read gives {"file": ..., "error": ...} (with --json)
    or a line on standard error; the other files are still parsed, and the exit status
    is 1. With --db, every file is also archived (documents by content, report versions,
    cells, findings), so an archive can be built from files downloaded by hand.

    Example: nianbao parse --json 高龙镇2020年报.pdf - < other-report.txt
    """
    # One document at a time, waited for: a long PDF's pages are read on every core.
    bounds = replace(_limits(**limits), pdf_workers=os.cpu_count() or 1)
    archive = None
    if db_path:
        archive = Archive(_open(db_path, create=True))
        if sources:
            archive.load_agencies(_load_sources(sources))
    elif sources or agency_id:
        raise click.UsageError("--sources and --agency go with --db")
    failed = 0
    show_progress = len(files) > 1 and sys.stderr.isatty()
    for n, name in enumerate(files, 1):
        if show_progress:
            click.echo(f"\r[{n}/{len(files)}] {name[-60:]:<60}", err=True, nl=False)
        try:
            record, archived = parse_file(name, bounds, archive, agency_id)
        except DocumentError as exc:
            failed += 1
            if as_json:
                click.echo(json.dumps({"file": name, "error": str(exc)}, ensure_ascii=False))
            else:
                click.echo(f"nianbao: {name}: {exc}", err=True)
            continue
        if as_json:
            extra = {"archived": archived} if archived else {}
            click.echo(json.dumps({"file": name, **record, **extra}, ensure_ascii=False))
        else:
            click.echo(summary(name, record) + (f"\n  archived: {archived}" if archived else ""))
    if show_progress:
        click.echo(err=True)
    if archive is not None:
        archive.close()
    if failed:
        if not as_json:
            click.echo(f"nianbao: {failed} of {len(files)} file(s) could not be read", err=True)
        sys.exit(1)


@main.command()
@click.argument("sql")
@db_option
@format_option("table", "json", "csv")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds the query may run before it is stopped.",
)
def query(sql: str, db_path: str, fmt: str, timeout: float) -> None:
    """Run read-only SQL against the archive.

    The archive is opened read-only: statements that write fail. Tables: agencies,
    documents, reports, cells (with cell_keys; the view cell_values has key names),
    findings, crawl_runs, source_health, report_texts (the prose of each report, indexed
    by report_text for full text: see `nianbao search`); views latest_reports and
    compliance.

    Example: nianbao query "SELECT agency, year, value FROM latest_reports JOIN cell_values
    ON report_id = latest_reports.id WHERE key = 'applications.new_received.total'"
    """
    conn = _open(db_path, readonly=True)
    try:
        columns, rows = user_query(conn, sql, timeout)
    except QueryError as exc:
        raise click.UsageError(str(exc)) from None
    emit(columns, rows, fmt)


@main.command()
@db_option
@click.option("--agency", help="An agency id (or the name a report gives itself).")
@click.option("--year", type=int, help="A report year.")
@click.option("--rule", help="A rule or its prefix (applications., report.late) or a glob.")
@click.option(
    "--status",
    type=click.Choice(["open", "dismissed", "resolved", "all"]),
    default="open",
    show_default=True,
)
@click.option(
    "--review",
    type=click.Choice(["open", "dismissed", "confirmed"]),
    help="Only findings nobody has judged yet (open), or those a person dismissed or confirmed.",
)
@format_option("table", "json", "csv")
@lang_option
def findings(
    db_path: str,
    agency: str | None,
    year: int | None,
    rule: str | None,
    status: str,
    review: str | None,
    fmt: str,
    lang: str,
) -> None:
    """List findings: what is wrong with which agency's report for which year. Each has a
    number (id) that `nianbao review` takes, and shows a person's last review of it.

    The table and CSV are for people: the agency's name, the rule's title and what the
    finding says, in Chinese (--lang en for English). JSON is for programs: rule keys,
    evidence and ids.

    Example: nianbao findings --rule applications. --year 2022 --format json
    """
    if review == "dismissed":
        status = "all"
    conn = _open(db_path, readonly=True)
    items = list_findings(conn, agency, year, rule, status, review)
    if fmt == "json":
        columns = list(FINDING_COLUMNS)
        emit(columns, [[item[c] for c in columns] for item in items], fmt)
        return
    names = {a: facts["name"] for a, facts in agency_facts(conn).items()}
    emit(*finding_table(items, names, lang), fmt)


@main.command()
@db_option
@click.option(
    "--pack",
    type=click.Path(dir_okay=False),
    help="A rule pack (TOML): points per rule, rules only flagged, a cap per agency-year. "
    "Default: the shipped neutral pack (report/packs/default.toml).",
)
@click.option("--region", help="Only agencies whose region starts with this.")
@click.option("--year", type=int, help="Only findings of this report year.")
@format_option("table", "json", "csv")
@lang_option
def score(
    db_path: str, pack: str | None, region: str | None, year: int | None, fmt: str, lang: str
) -> None:
    """Score and rank agencies under a rule pack: each starts at the pack's base and loses
    the points its open findings cost (dismissed ones cost nothing; the pack's cap limits
    what one agency loses for one year); findings of rules the pack only flags are
    counted for a person's review. Ranked within region and level.

    Shipped packs: report/packs/default.toml (neutral) and
    report/packs/county-assessment.toml (a county 考核 table's 年报 item).

    Example: nianbao score --pack report/packs/county-assessment.toml --year 2023
    """
    from report.scoring import score as score_agencies

    rules = _pack(pack, default=True)
    conn = _open(db_path, readonly=True)
    known = agency_facts(conn)
    if region:
        known = {a: f for a, f in known.items() if (f["region"] or "").startswith(region)}
    items = list_findings(conn, None, year, None, "open", None)
    scores = score_agencies(rules, known, items)
    if fmt == "json":
        columns = ["rank", "of", "agency_id", "name", "level", "region", "score", "lost", "flagged"]
        emit(columns, [[getattr(s, c) for c in columns] for s in scores], fmt)
        return
    click.echo(
        f"{rules.name}（{rules.path}）" if lang == "zh" else f"{rules.name} ({rules.path})",
        err=True,
    )
    emit(*score_table(scores, lang), fmt)


@main.command("add-report")
@click.argument("agency_id")
@click.argument("year", type=click.IntRange(1990, 2100))
@click.argument("source", metavar="URL|FILE")
@db_option
@limit_options
def add_report_command(agency_id: str, year: int, source: str, db_path: str, **limits: Any) -> None:
    """Archive a report a person points to as AGENCY_ID's report for YEAR: fetched once
    from URL (or read from FILE), parsed and checked like a crawled one, with the URL kept
    as where it came from. The document has the last word: one that names another agency
    or year is filed as it says, with a finding. Run `nianbao check` afterwards: a year
    that was missing is resolved by the report found.

    Example: nianbao add-report qs-dongling 2023 https://example.gov.cn/nb/t2024.html
    """
    from ingest import add_report, read_source

    bounds = _limits(**limits)
    archive = Archive(_open(db_path))
    try:
        data, fetched = read_source(source, bounds.max_bytes)
        ingested, filing = add_report(archive, agency_id, year, data, fetched, bounds)
        filed_as = archive.filed_as(ingested.sha256)
    except DocumentError as exc:
        raise BadInput(str(exc)) from None
    finally:
        archive.close()
    where = ", ".join(f"report {r} ({a or 'unassigned'} {y})" for r, a, y in filed_as)
    if ingested.status == "known":
        click.echo(f"already archived: {where or 'not a report'}")
    elif filing is not None and (filing.agency_id, filing.year) != (agency_id, year):
        click.echo(
            f"{ingested.status}: {where}: the document is not {agency_id}'s {year} report "
            "(see report.attribution_conflict in nianbao findings)"
        )
    else:
        click.echo(f"{ingested.status}: {where}")


@main.command()
@click.argument("report_id", type=int)
@click.argument("key", metavar="CELL_KEY")
@click.argument("value", metavar="VALUE")
@db_option
@click.option("--note", required=True, help="Why: kept with the correction.")
@click.option("--by", "reviewer", help="Who corrected it.")
def correct(
    report_id: int, key: str, value: str, db_path: str, note: str, reviewer: str | None
) -> None:
    """Correct a cell nianbao misread: REPORT_ID (as `nianbao query` or the report shows
    it), the cell's key (docs/report-record.md) and its value as printed in the report
    (a number, or "null" for a blank). The parsed value, the corrected one, who and why
    are kept; the report's in-report checks are recomputed from the corrected cells, and
    every later parse of the document (`reparse`, a new parser) applies the correction
    and says so when the parser comes to read the cell the same way.

    Example: nianbao correct 1234 applications.new_received.total 27 --note "表三第一行" --by 王芳
    """
    from ingest import correct as correct_cell

    if not note.strip():
        raise click.UsageError("--note must say why")
    try:
        number: float | None = None if value.lower() == "null" else float(value)
    except ValueError:
        raise click.UsageError(f"VALUE must be a number or null, not {value!r}") from None
    if number is not None and (number < 0 or number != number):
        raise click.UsageError("VALUE must be a count: 0 or more")
    if number is not None and number.is_integer():
        number = int(number)
    archive = Archive(_open(db_path))
    try:
        done = correct_cell(archive, report_id, key, number, note.strip(), reviewer)
    except DocumentError as exc:
        raise BadInput(str(exc)) from None
    finally:
        archive.close()
    click.echo(
        f"correction {done['correction']}: report {report_id} {key}: "
        f"{done['parsed']} (as read) → {done['value']}; its checks recomputed"
    )


@main.command("backup")
@click.argument("out", type=click.Path(dir_okay=False))
@db_option
def backup_command(out: str, db_path: str) -> None:
    """Write a consistent copy of the archive to OUT, safe while a crawl runs: every
    finished crawl is in it, and it is one file (no write-ahead log beside it). The copy
    is written beside OUT and renamed into place, so a failed backup leaves no half file.

    Example: nianbao backup /srv/backups/nianbao-$(date +%F).db
    """
    from storage.db import backup

    click.echo(f"backing up {db_path} …", err=True)
    size = backup(db_path, out)
    click.echo(f"wrote {out} ({size / 1024**2:.1f} MB)")


@main.command()
@click.argument("finding_id", type=int)
@db_option
@click.option("--dismiss", "action", flag_value="dismiss", help="The finding is wrong.")
@click.option("--confirm", "action", flag_value="confirm", help="The finding is right.")
@click.option("--reopen", "action", flag_value="reopen", help="Open it again.")
@click.option("--note", required=True, help="Why: kept with the review and shown with it.")
@click.option("--by", "reviewer", help="Who judged it.")
def review(
    db_path: str, finding_id: int, action: str | None, note: str, reviewer: str | None
) -> None:
    """Record a person's judgement of a finding (its number is the id `nianbao findings`
    shows): dismiss it, confirm it or reopen it, with why and who. A dismissed finding
    stays dismissed through `check`, `reparse` and new crawls while its evidence is the
    same, counts against nobody, and is reopened (and told again) when its evidence
    changes.

    Example: nianbao review 42 --dismiss --note "the agency was merged in 2021" --by 王芳
    """
    if action is None:
        raise click.UsageError("say --dismiss, --confirm or --reopen")
    if not note.strip():
        raise click.UsageError("--note must say why")
    archive = Archive(_open(db_path))
    try:
        done = archive.review(finding_id, action, note.strip(), reviewer, now())
    finally:
        archive.close()
    click.echo(
        f"finding {done['id']} ({done['agency_id']} {done['year']} {done['rule']}): "
        f"{done['was']} → {done['status']}"
    )


@main.command()
@db_option
@format_option("table", "json", "csv", "html")
@click.option(
    "--out",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="Write to this file instead of standard output.",
)
@lang_option
def matrix(db_path: str, fmt: str, out: Any, lang: str) -> None:
    """The compliance matrix: one row per agency, one column per year.

    A cell is missing, pending (deadline not passed), unverified (the agency's columns were
    not read to their end, or the year's listing was another's: never called missing), or
    for a found report ok, late and/or inconsistent. Table and CSV show the worst, with the
    agency's name, in Chinese (--lang en for English; a CSV file starts with the BOM Excel
    needs); JSON gives every status by its key; HTML is the compliance report of `nianbao
    report` without the exported documents. Judged as of the date of the last `nianbao
    check`.

    Example: nianbao matrix --format csv --out matrix.csv
    """
    conn = _open(db_path, readonly=True)
    if fmt == "html":
        from output.compliance import gather, render

        out.write(render(gather(conn, lang)))
        return
    if fmt == "csv" and out.name != "<stdout>":
        out.write("\ufeff")  # a file for Excel, which reads UTF-8 only after this mark
    names = {a: facts["name"] for a, facts in agency_facts(conn).items()}
    render_matrix(compliance_matrix(conn), fmt, out, names, lang)


@main.command(name="report")
@db_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    default="report.html",
    show_default=True,
    help="The HTML file to write; the documents it links to go beside it.",
)
@lang_option
@click.option("--no-documents", is_flag=True, help="Do not export the archived documents.")
@click.option(
    "--all-documents",
    is_flag=True,
    help="Export every year's archived document, not only those findings are about.",
)
@click.option(
    "--pack",
    type=click.Path(dir_okay=False),
    help="Add a ranking of the agencies under this rule pack (see score).",
)
def report_command(
    db_path: str, out: str, lang: str, no_documents: bool, all_documents: bool, pack: str | None
) -> None:
    """Write the compliance report: one self-contained HTML file to read, filter and click
    through, as of the date of the last `nianbao check`.

    Each agency and year shows ok (with its warnings), late, inconsistent, missing,
    pending or unverified; a click opens its findings as sentences with the template's
    labels, the report's address on its portal and, for a year a finding is about, the
    archived document as evidence (exported to OUT's folder, OUT-stem-documents/; every
    year's with --all-documents). Past 2,000 agencies the report is an index with a page
    per region, and only the years an error is about have their documents exported; the
    panel names the others for `nianbao document`. Sources in trouble and charts of
    requests and outcomes follow.

    Example: nianbao report --out report.html --lang en
    """
    from output.compliance import write_report

    rules = _pack(pack)
    conn = _open(db_path, readonly=True)
    path = Path(out)

    def progress(done: int, pages: int) -> None:
        if done == pages or done % max(1, pages // 10) == 0:  # about ten lines
            click.echo(f"region pages: {done}/{pages}", err=True)

    data, written = write_report(
        conn,
        path,
        lang,
        documents=not no_documents,
        pack=rules,
        all_documents=all_documents,
        progress=progress,
    )
    years = f"{data['years'][0]}–{data['years'][-1]}" if data["years"] else "none"
    pages = data.get("region_pages")
    click.echo(
        f"wrote {path} ({len(data['agencies'])} agencies, years {years}, as of "
        f"{data['as_of']}"
        + (f"; an index of {pages} region pages in {path.stem}-regions/" if pages else "")
        + f"); {written} document(s) exported"
    )


@main.command(name="export")
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "csv"]),
    default="xlsx",
    show_default=True,
    help="A workbook, or one CSV file per sheet (UTF-8 with a BOM, as Excel reads it).",
)
@click.option(
    "--out",
    type=click.Path(),
    required=True,
    help="The .xlsx file to write, or for csv the folder to write the files in.",
)
@click.option(
    "--pack",
    type=click.Path(dir_okay=False),
    help="Add the sheet 得分: agencies scored and ranked under this rule pack (see score).",
)
@lang_option
def export_command(db_path: str, fmt: str, out: str, pack: str | None, lang: str) -> None:
    """Export the archive as spreadsheets to hand on: the compliance matrix (合规矩阵,
    statuses in words and the report's colours), every finding (问题清单: number, agency,
    year, the rule's title, what it says, severity, status, review, a link to the
    document, first seen) and the latest reports' cells (报表数据: one row per report,
    one column per cell, headed by the template's row and column names and the cell key).

    Headers are frozen and filtered, links clickable, dates real dates. Files are written
    beside their name and renamed, so a stopped export leaves no half file.

    Example: nianbao export --out 年报合规.xlsx
    """
    from output.workbook import write_csv, write_xlsx

    rules = _pack(pack)
    conn = _open(db_path, readonly=True)
    if fmt == "csv":
        written = write_csv(conn, Path(out), lang, rules)
        click.echo(
            f"wrote {len(written)} CSV file(s) in {out}: " + ", ".join(p.name for p in written)
        )
        return
    if Path(out).is_dir():
        raise click.BadParameter(
            f"{out} is a folder; give the .xlsx file to write", param_hint="--out"
        )
    counts = write_xlsx(conn, Path(out), lang, rules)
    click.echo(f"wrote {out}: " + ", ".join(f"{name} {n} row(s)" for name, n in counts.items()))


@main.command(name="reparse")
@db_option
@limit_options
def reparse_command(db_path: str, **limits: Any) -> None:
    """Re-run the current parser over every archived document (no network).

    A report whose record comes out the same is left as it is, so running it twice
    changes nothing.

    Example: nianbao reparse --db nianbao.db
    """
    archive = Archive(_open(db_path, verify=True))  # always checked before it is rewritten

    def progress(n: int, total: int) -> None:
        if sys.stderr.isatty():
            click.echo(f"\r[{n}/{total}]", err=True, nl=False)

    counts = reparse(archive, limits=_limits(**limits), progress=progress)
    archive.close()
    if sys.stderr.isatty():
        click.echo(err=True)
    click.echo(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "nothing archived")


@main.command(name="search")
@click.argument("text")
@db_option
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--all-versions", is_flag=True, help="Superseded versions too.")
@format_option("table", "json", "csv")
def search_command(text: str, db_path: str, limit: int, fmt: str, all_versions: bool) -> None:
    """Full-text search over archived reports, in either script: the latest version of
    each report, with the address it was fetched from.

    Example: nianbao search 行政执法案卷
    """
    hits = search(_open(db_path, readonly=True), text, limit, all_versions)
    columns = ["report_id", "agency", "year", "url", "snippet"]
    if all_versions:
        columns[3:3] = ["version", "latest"]
    emit(columns, [[h[c] for c in columns] for h in hits], fmt)


@main.command()
@click.argument("ref", metavar="SHA|REPORT_ID")
@db_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True),
    default=None,
    help="Where to write it ('-' for standard output; default: its hash and format).",
)
def document(ref: str, db_path: str, out: str | None) -> None:
    """Export an archived document exactly as it was fetched: by its SHA-256 (or 8+ of its
    first characters) or by the id of a report read from it.

    Example: nianbao document 42 --out report-42.pdf
    """
    from parsers.sniff import extension
    from storage.archive import document_bytes
    from storage.query import find_document

    conn = _open(db_path, readonly=True)
    found = find_document(conn, ref)
    if found is None:
        raise click.UsageError(f"no archived document {ref} (a report id or 8+ hex characters)")
    data = document_bytes(conn, found["sha256"])
    if out == "-":
        sys.stdout.buffer.write(data)
        return
    path = Path(out or f"{found['sha256'][:16]}.{extension(found['format'])}")
    path.write_bytes(data)
    click.echo(f"wrote {path} ({len(data)} bytes, {found['format']}, from {found['url'] or '-'})")


@main.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True)
def serve(db_path: str, host: str, port: int) -> None:
    """Browse the archive in Datasette: tables and columns described, facets (region,
    level, year, rule, status), canned questions and full-text search of report text.

    The archive is opened read-only. Needs the web extra:
    pip install 'nianbao[web]' (or .venv/bin/pip install -e '.[web]' in a clone).

    Example: nianbao serve --db nianbao.db --port 8001
    """
    import json
    import tempfile

    try:
        from datasette.cli import cli as datasette
    except ImportError:
        raise click.UsageError(
            "nianbao serve needs Datasette: pip install 'nianbao[web]'"
        ) from None
    from storage.web import metadata, register

    register()
    _open(db_path, readonly=True).close()  # a clear error for a missing or foreign file
    path = Path(db_path).resolve()
    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as meta:
        json.dump(metadata(path.stem), meta, ensure_ascii=False)
        meta.flush()
        click.echo(f"serving {path} read-only on http://{host}:{port}/", err=True)
        datasette.main(
            [
                "serve",
                str(path),
                "--metadata",
                meta.name,
                "--host",
                host,
                "--port",
                str(port),
                "--setting",
                "default_page_size",
                "50",
                "--setting",
                "sql_time_limit_ms",
                "5000",
                # Suggesting facets runs a query per column on every table page: at a
                # national archive's size, seconds. The facets set in the metadata stay.
                "--setting",
                "suggest_facets",
                "off",
            ],
            standalone_mode=True,
        )


@main.group()
def sources() -> None:
    """The sources file's agencies as the crawler sees them, and drafts of new ones.

    Example: nianbao sources check --agency fj-nanan-shengxin
    """


@sources.command(name="check")
@db_option
@click.option("--agency", help="Only this agency id.")
@format_option("table", "json")
@lang_option
def sources_check(db_path: str, agency: str | None, fmt: str, lang: str) -> None:
    """What the latest crawl read of each source: its columns (pages and records announced
    and read, why each stopped), the reports found per year (title, URL, listing date),
    and the report titles on its columns that went to nobody, with the reason. In Chinese
    by default (--lang en for English); JSON keeps the keys.

    Example: nianbao sources check --agency qs-county
    """
    from storage.query import sources_view

    conn = _open(db_path, readonly=True)
    view = sources_view(conn, agency)
    if agency and not view:
        raise click.UsageError(f"{db_path}: no agency {agency}")
    if fmt == "json":
        click.echo(json.dumps(view, ensure_ascii=False, indent=1))
        return
    for source in view:
        click.echo(source_text(source, lang))


@sources.command(name="discover")
@click.argument("url")
@click.option(
    "--max-pages",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="Read at most this many pages of the column.",
)
def sources_discover(url: str, max_pages: int) -> None:
    """Read one 年报 column and print a sources-file draft (agencies.toml) of every agency
    whose reports it lists: name as its titles give it, level and region guessed from
    the name, the list URL, the years seen. A column whose static read proves nothing is
    read in a browser too (Chromium). Review the draft before use.

    Example: nianbao sources discover http://www.example.gov.cn/xxgk/nb/index.html > draft.toml
    """
    from crawler.browser import chromium, render_states
    from crawler.discover import draft, read_column

    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise click.UsageError(f"{url}: not an http(s) URL")
    column = read_column(url, max_pages=max_pages, render=render_states if chromium() else None)
    for page, error in column.pages_failed.items():
        click.echo(f"warning: {page}: {error}", err=True)
    if not column.pages_read:
        click.echo(f"{url}: the column could not be read", err=True)
        sys.exit(1)
    click.echo(draft(column), nl=False)


@main.command()
@sources_option
@db_option
@config_option
@click.option("--agency", "agencies", multiple=True, help="Only this agency id (repeatable).")
@click.option("--year", "years", multiple=True, type=int, help="Only this report year.")
@click.option(
    "-s",
    "settings",
    multiple=True,
    metavar="NAME=VALUE",
    help="A Scrapy setting for this run, as scrapy crawl -s (repeatable).",
)
@click.option(
    "--full",
    is_flag=True,
    help="Ask for every document again (conditionally), not only list pages and what the "
    "portal has not confirmed within [crawl] revisit_days.",
)
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log instead of progress.")
@lang_option
def crawl(
    sources: str,
    db_path: str,
    config_path: str,
    agencies: tuple[str, ...],
    years: tuple[int, ...],
    settings: tuple[str, ...],
    full: bool,
    verbose: bool,
    lang: str,
) -> None:
    """Crawl the agencies' portals, archive every document and parse new reports.

    Quiet by default: one progress line on a terminal, warnings naming each source that
    failed, then a summary (-v shows Scrapy's log). Polite (robots.txt, AutoThrottle, two
    requests per host). List pages are read on every crawl; a document the portal
    confirmed within [crawl] revisit_days (default 30) is not asked for again, and older
    ones are asked for conditionally, so a crawl of an unchanged portal downloads nothing
    again (--full asks for every document). A crawl that was killed resumes where it stopped
    (its queue is kept beside the archive, in DB.crawl/). Exit 1 when some list page or
    document could not be fetched or read; the source health says which.

    Example: nianbao crawl --agency fj-nanan-shengxin -s DOWNLOAD_DELAY=2
    """
    rows = _load_sources(sources)
    unknown = sorted(set(agencies) - {r["id"] for r in rows})
    if unknown:
        raise click.UsageError(f"{sources}: no agency {', '.join(unknown)}")
    overrides = {}
    for item in settings:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.UsageError(f"-s {item}: expected NAME=VALUE")
        overrides[name] = value
    _open(db_path, create=True).close()  # a clear error for a bad archive before Scrapy
    lock = exclusive(db_path, "crawl", "another crawl is running on this archive")
    config = _config(config_path)
    from crawler.run import finished, queue_of, run_crawl

    progress = {"NIANBAO_PROGRESS": "1"} if sys.stderr.isatty() and not verbose else {}
    why = run_crawl(
        sources,
        db_path,
        list(agencies),
        list(years),
        {
            **progress,
            **config.crawl_settings,
            **({"NIANBAO_REVISIT_DAYS": "0"} if full else {}),
            **overrides,
        },
        config.contact,
        verbose,
    )
    if why:
        click.echo(f"warning: {queue_of(db_path)}: {why}; starting the crawl over", err=True)

    conn = _open(db_path, readonly=True)
    run = last_run(conn)
    if run is None or run["finish_reason"] is None:
        click.echo("crawl did not finish; run it again to resume", err=True)
        sys.exit(1)
    reason, errors = run["finish_reason"], run["errors"]
    stats = run_stats(conn, run["id"])
    click.echo(crawl_summary({**run, "stats": stats}, troubled_sources(conn, run["id"]), lang))
    if reason == "finished" and "JOBDIR" not in overrides:
        finished(db_path)
    lock.close()
    sys.exit(1 if errors or reason != "finished" else 0)


@main.command()
@db_option
@config_option
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The date deadlines are judged against (default today).",
)
@click.option(
    "--grace-days",
    type=click.IntRange(min=0),
    default=None,
    help="Days after a deadline before a report is missing (stored in the archive).",
)
@lang_option
def check(db_path: str, config_path: str, as_of: Any, grace_days: int | None, lang: str) -> None:
    """Recompute every finding: missing, late, carry-overs, rules in force, copied prose,
    impossible values. Findings that no longer hold are marked resolved, not deleted.

    --as-of only sets the date deadlines are judged against; reports already archived
    always count. The grace period and the similarity that makes prose a copy come from
    [check] in the config (grace_days, duplicate_similarity) unless given here.

    Example: nianbao check --as-of 2025-02-01
    """
    from datetime import date

    from monitor.checks import DUPLICATE_SIMILARITY
    from monitor.runner import describe, run_checks

    config = _config(config_path)
    archive = Archive(_open(db_path))

    def progress(n: int, total: int) -> None:
        if sys.stderr.isatty() and (n % 500 == 0 or n == total):
            click.echo(f"\r[{n}/{total} agencies]", err=True, nl=False)

    result = run_checks(
        archive,
        as_of.date() if as_of else date.today(),
        grace_days if grace_days is not None else config.grace_days,
        config.duplicate_similarity or DUPLICATE_SIMILARITY,
        progress,
    )
    archive.close()
    if sys.stderr.isatty():
        click.echo(err=True)
    click.echo(describe(result, lang))


@main.command()
@db_option
@config_option
@click.option(
    "--dry-run",
    "dry_run",
    type=click.Path(file_okay=False),
    default=None,
    help="Write the digests as .eml files in this folder instead of sending them.",
)
def alerts(db_path: str, config_path: str, dry_run: str | None) -> None:
    """Send each subscriber one digest of the findings not yet sent to them.

    Findings are grouped by agency, new first, with their evidence and a link to the
    source document, followed by what was resolved since the last digest. Messages go
    through the archive's outbox and are marked sent only once the server accepted them:
    if the server is down the command exits 1 and the next run sends them. Digests go out
    a few at once, each on its own connection, so a slow one holds back no other; one whose
    connection was lost after it went out (maybe delivered) is sent again on the next run
    under the same Message-ID, and said so. SMTP user and password come from
    NIANBAO_SMTP_USER and NIANBAO_SMTP_PASSWORD. A subscription's `notify` channels
    (DingTalk, WeCom, Feishu, webhooks: apprise URLs) get the same digest, each told once
    of each finding, retried while the channel is down.

    Example: nianbao alerts --dry-run outbox/
    """
    from monitor.alerts import drop_unsubscribed, preview, queue, send_pending
    from storage.outbox import unsent

    config = _config(config_path)
    if not config.subscriptions:
        click.echo(f"alerts are off: {config_path} has no [[subscription]]")
        return
    if dry_run:
        written = preview(_open(db_path, readonly=True), config, Path(dry_run))
        click.echo(f"{len(written)} digest(s) written to {dry_run}")
        return
    if config.mail is None and not any(sub.notify for sub in config.subscriptions):
        click.echo(f"alerts are off: {config_path} has no [mail] section and no notify channel")
        return
    conn = _open(db_path)
    lock = exclusive(db_path, "alerts", "another `nianbao alerts` is running on this archive")
    dropped = drop_unsubscribed(conn, config)
    if dropped:
        click.echo(f"{dropped} queued digest(s) dropped: their subscription was removed")
    queued = queue(conn, config)
    result = send_pending(conn, config.mail)
    click.echo(f"{queued} digest(s) queued, {result.sent} sent")
    for address in result.again:
        click.echo(
            f"{address}: sent again under its Message-ID (its last delivery was uncertain: "
            "a mail client that got both shows one)"
        )
    for address, what in sorted(result.uncertain.items()):
        click.echo(
            f"{address}: delivery uncertain ({what}): the server may have accepted it; "
            "sent again under the same Message-ID on the next run",
            err=True,
        )
    for address, answer in sorted(result.refused.items()):
        click.echo(
            f"{address}: refused by the server ({answer}); left in the outbox for a later run",
            err=True,
        )
    if result.stopped:
        click.echo(
            f"mail server refused or unreachable ({result.stopped}); "
            f"{len(unsent(conn))} left in the outbox for the next run",
            err=True,
        )
    lock.close()
    if result.stopped or result.refused or result.uncertain:
        sys.exit(1)


@main.command()
@db_option
@config_option
@sources_option
@click.option(
    "--jobs",
    "jobs_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Where the scheduler keeps its jobs (default: DB.jobs).",
)
def schedule(db_path: str, config_path: str, sources: str, jobs_path: str | None) -> None:
    """Run the crawl, check and alerts jobs of [schedule] until stopped (SIGTERM, Ctrl-C).

    Cron expressions have five fields (minute hour day month weekday), or six with
    seconds first. Jobs are kept in a SQLite job store: a job missed while the scheduler
    was down runs once when it starts again; no job overlaps itself. Each job runs as its
    own process with a time limit ([crawl] time_limit for the crawl).

    Example: nianbao schedule --config nianbao.toml
    """
    import scheduler

    config = _config(config_path)
    if not config.schedule:
        raise click.UsageError(f"{config_path}: no [schedule] section: nothing to run")
    try:
        scheduler.run(config, db_path, sources, jobs_path or f"{db_path}.jobs")
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


DEMO_CONFIG = """# The demo's subscribers: their digests are written to outbox/, not sent.
[[subscription]]
email = "researcher@example.org"

[[subscription]]
email = "qingshi-office@example.org"
agencies = ["qs-*"]
min_severity = "warning"

[[subscription]]
email = "editor@example.org"
language = "en"
rules = ["report.missing", "report.late"]
"""


@main.command()
@click.option(
    "--dir",
    "workdir",
    type=click.Path(file_okay=False),
    default="nianbao-demo",
    show_default=True,
    help="Where the demo writes its sources, archive, report and digests.",
)
@lang_option
def demo(workdir: str, lang: str) -> None:
    """The whole job on the bundled demo portal, offline, in under a minute.

    Serves the demo portal on 127.0.0.1 (county, city and department columns in the
    structures real portals use, with consistent reports for 2019–2023 and a handful of
    planted defects), crawls it into DIR/nianbao.db, checks it as of the demo's date,
    writes the compliance report DIR/report.html and the subscribers' digests to
    DIR/outbox/, and explains each planted defect and where to look at it.

    Example: nianbao demo --dir /tmp/demo --lang en
    """
    from datetime import date

    from demo.portal import AS_OF, DEMO_LEAVES_OUT, PLANTED, PortalServer, sources_toml
    from monitor.alerts import preview
    from monitor.config import load_config
    from monitor.runner import describe, run_checks
    from output.compliance import write_report
    from output.text import demo_guide, demo_matrix

    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    db, sources, config = work / "nianbao.db", work / "agencies.toml", work / "nianbao.toml"
    for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        stale.unlink(missing_ok=True)  # the demo starts from an empty archive each time
    config.write_text(DEMO_CONFIG, encoding="utf-8")
    with PortalServer() as portal:
        sources.write_text(sources_toml(portal.url, DEMO_LEAVES_OUT), encoding="utf-8")
        click.echo(
            f"1. 演示门户 {portal.url}：抓取到 {db}"
            if lang == "zh"
            else f"1. demo portal on {portal.url}: crawling it into {db}"
        )
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "cli",
                "crawl",
                "--db",
                str(db),
                "--sources",
                str(sources),
                "--config",
                str(config),
                "-s",
                "AUTOTHROTTLE_ENABLED=0",
                "-s",
                "DOWNLOAD_DELAY=0",
                "-s",
                "RETRY_BACKOFF_BASE=0.2",
                "--lang",
                lang,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    click.echo(textwrap.indent(done.stdout.strip(), "   "))
    crawled = last_run(_open(str(db), readonly=True)) if db.exists() else None
    if crawled is None or crawled["finish_reason"] != "finished":
        raise click.ClickException(f"the demo crawl failed: {done.stderr.strip()[-500:]}")
    archive = Archive(_open(str(db)))
    result = run_checks(archive, date.fromisoformat(AS_OF), 0)
    click.echo(f"2. {describe(result, lang)}")
    report, written = write_report(archive.conn, work / "report.html", lang)
    digests = preview(archive.conn, load_config(config), work / "outbox")
    click.echo(
        f"3. 合规报告：{work / 'report.html'}（旁附 {written} 个文件）；"
        f"{len(digests)} 份通知摘要在 {work / 'outbox'}/"
        if lang == "zh"
        else f"3. compliance report: {work / 'report.html'} ({written} documents beside it); "
        f"{len(digests)} digest(s) in {work / 'outbox'}/"
    )
    click.echo("")
    click.echo(demo_matrix(report, lang))
    click.echo("")
    click.echo(demo_guide(archive.conn, PLANTED, str(db), lang))
    archive.close()


if __name__ == "__main__":
    main()
