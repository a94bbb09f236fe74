"""The ``nianbao`` command: one click group, a subcommand per job.

Exit status everywhere: 0 success, 1 the work ran but something failed (some documents
could not be read), 2 bad usage or unreadable input.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from parsers import DocumentError, Limits
from parsers.guard import parse_guarded

MB = 1024 * 1024


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
)


def limit_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """What one document may cost: shared by every command that parses documents."""
    for name, kind, default, text in reversed(_LIMIT_OPTIONS):
        func = click.option(name, type=kind, default=default, show_default=True, help=text)(func)
    return func


def _limits(max_mb: float, max_pages: int, timeout: float, memory_mb: int) -> Limits:
    max_bytes = int(max_mb * MB)
    return Limits(
        max_bytes=max_bytes,
        max_text_bytes=min(max_bytes, _DEFAULTS.max_text_bytes),
        max_pages=max_pages,
        seconds=timeout,
        memory_mb=memory_mb,
    )


def _read_document(name: str, max_bytes: int) -> bytes:
    """The bytes of a file (or stdin for ``-``), or DocumentError with a one-line reason."""
    if name == "-":
        data = sys.stdin.buffer.read(max_bytes + 1)
    else:
        path = Path(name)
        try:
            size = path.stat().st_size
            if path.is_dir():
                raise DocumentError("is a directory")
            if size > max_bytes:
                raise DocumentError(
                    f"document too large: {size / MB:.1f} MB "
                    f"(limit {max_bytes / MB:.0f} MB, see --max-mb)"
                )
            data = path.read_bytes()
        except FileNotFoundError:
            raise DocumentError("no such file") from None
        except PermissionError:
            raise DocumentError("permission denied") from None
        except OSError as exc:
            raise DocumentError(exc.strerror or str(exc)) from None
    if len(data) > max_bytes:
        raise DocumentError(f"document too large (limit {max_bytes / MB:.0f} MB)")
    return data


def _summary(name: str, record: dict[str, Any]) -> str:
    cells = record["cells"]
    blank = sum(v is None for v in cells.values())
    head = (
        f"{name}: {record['agency'] or '?'} {record['year'] or '?'} · "
        f"template {record['template']} · {len(cells)} cells"
        + (f" ({blank} blank)" if blank else "")
        + f" · {len(record['findings'])} finding(s)"
    )
    lines = [head]
    for f in record["findings"]:
        lines.append(f"  {f['severity']:<7} {f['rule']}: {f['message']}")
    return "\n".join(lines)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nianbao")
def main() -> None:
    """nianbao (年报): watch government information-disclosure annual reports.

    Parses reports into structured records and flags those that are missing, late or
    internally inconsistent.

    Example: nianbao parse --json report.txt
    """


@main.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--json", "as_json", is_flag=True, help="One JSON record per line, in order.")
@limit_options
def parse(files: tuple[str, ...], as_json: bool, **limits: Any) -> None:
    """Parse report files into records; '-' reads a document from standard input.

    Any format a portal serves: text, HTML, PDF, DOCX, DOC/WPS, OFD, told apart by
    content, not by name. Without --json, prints a short summary per file and its
    findings. A file that cannot be read gives {"file": ..., "error": ...} (with --json)
    or a line on standard error; the other files are still parsed, and the exit status
    is 1.

    Example: nianbao parse --json 高龙镇2020年报.pdf - < other-report.txt
    """
    bounds = _limits(**limits)
    failed = 0
    show_progress = len(files) > 1 and sys.stderr.isatty()
    for n, name in enumerate(files, 1):
        if show_progress:
            click.echo(f"\r[{n}/{len(files)}] {name[-60:]:<60}", err=True, nl=False)
        try:
            record = parse_guarded(_read_document(name, bounds.max_bytes), limits=bounds)
        except Exception as exc:
            failed += 1
            if not isinstance(exc, DocumentError):
                exc = DocumentError(f"parser failed: {type(exc).__name__}: {exc}")
            if as_json:
                click.echo(json.dumps({"file": name, "error": str(exc)}, ensure_ascii=False))
            else:
                click.echo(f"nianbao: {name}: {exc}", err=True)
            continue
        if as_json:
            click.echo(json.dumps({"file": name, **record}, ensure_ascii=False))
        else:
            click.echo(_summary(name, record))
    if show_progress:
        click.echo(err=True)
    if failed:
        if not as_json:
            click.echo(f"nianbao: {failed} of {len(files)} file(s) could not be read", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
