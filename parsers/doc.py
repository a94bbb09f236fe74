"""Word 97–2003 (.doc) and WPS documents → text, tables as tab-separated rows.

The text is read from the document's piece table ([MS-DOC] 2.8.35): each piece is either
cp1252 bytes or UTF-16. catdoc reads the same files in ~3 ms but garbles some of them
(a whole table header came out as "Õl‹_" in this corpus), so it is only the fallback for
OLE files that are not Word binary documents (older WPS).
"""

from __future__ import annotations

import io
import shutil
import struct
import subprocess

import olefile

from parsers.errors import DocumentError

_CELL, _FIELD_BEGIN, _FIELD_SEP, _FIELD_END = "\x07", "\x13", "\x14", "\x15"
# Characters Word uses as marks: paragraph, line break, page break, and objects.
_MARKS = str.maketrans(
    {
        "\r": "\n",
        "\x0b": "\n",
        "\x0c": "\n",
        "\x01": None,
        "\x08": None,
        "\x1e": "-",
        "\x1f": None,
        "\xa0": " ",
    }
)


def _piece_text(word: bytes, table: bytes, fc_clx: int, lcb_clx: int, limit: int) -> str:
    clx = table[fc_clx : fc_clx + lcb_clx]
    i = 0
    while i < len(clx) and clx[i] == 0x01:  # Prc entries (formatting) before the Pcdt
        i += 3 + struct.unpack_from("<H", clx, i + 1)[0]
    if i >= len(clx) or clx[i] != 0x02:
        raise DocumentError("DOC without a piece table")
    lcb = struct.unpack_from("<I", clx, i + 1)[0]
    plc = clx[i + 5 : i + 5 + lcb]
    n = (lcb - 4) // 12
    cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
    parts: list[str] = []
    for k in range(n):
        start, end = cps[k], min(cps[k + 1], limit)
        if start >= end:
            break
        fc = struct.unpack_from("<I", plc, 4 * (n + 1) + 8 * k + 2)[0]
        if fc & 0x40000000:
            offset = (fc & 0x3FFFFFFF) // 2
            parts.append(word[offset : offset + end - start].decode("cp1252", "replace"))
        else:
            parts.append(word[fc : fc + 2 * (end - start)].decode("utf-16-le", "replace"))
    return "".join(parts)


def _drop_field_codes(text: str) -> str:
    """Keep a field's result, drop its instructions (HYPERLINK "…", PAGE …)."""
    out, depth_in_code = [], []
    for ch in text:
        if ch == _FIELD_BEGIN:
            depth_in_code.append(True)
        elif ch == _FIELD_SEP and depth_in_code:
            depth_in_code[-1] = False
        elif ch == _FIELD_END and depth_in_code:
            depth_in_code.pop()
        elif not any(depth_in_code):
            out.append(ch)
    return "".join(out)


def _rows(text: str) -> str:
    """Cell marks → tabs. A row ends with a mark of its own after its last cell's."""
    out: list[str] = []
    cell_closed = False
    for ch in text:
        if ch == _CELL:
            if cell_closed:
                out.append("\n")
                cell_closed = False
            else:
                out.append("\t")
                cell_closed = True
        else:
            if cell_closed and ch == "\r":
                continue
            out.append(ch)
            cell_closed = False
    return "".join(out).replace("\t\n", "\n")


def word_text(data: bytes) -> str:
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except (OSError, ValueError) as exc:
        raise DocumentError(f"unreadable OLE container ({exc})") from None
    with ole:
        if not ole.exists("WordDocument"):
            raise DocumentError("not a Word document")
        word = ole.openstream("WordDocument").read()
        if len(word) < 0x1AA or struct.unpack_from("<H", word, 0)[0] != 0xA5EC:
            raise DocumentError("not a Word 97–2003 document")
        flags = struct.unpack_from("<H", word, 0x0A)[0]
        if flags & 0x0100:
            raise DocumentError("encrypted Word document")
        table_name = "1Table" if flags & 0x0200 else "0Table"
        if not ole.exists(table_name):
            raise DocumentError(f"DOC without its {table_name} stream")
        table = ole.openstream(table_name).read()
        csw = struct.unpack_from("<H", word, 32)[0]
        lw = 32 + 2 + 2 * csw
        ccp_text = struct.unpack_from("<I", word, lw + 2 + 3 * 4)[0]
        fc_lcb = lw + 2 + 4 * struct.unpack_from("<H", word, lw)[0] + 2
        fc_clx, lcb_clx = struct.unpack_from("<II", word, fc_lcb + 33 * 8)
    text = _piece_text(word, table, fc_clx, lcb_clx, ccp_text)
    return _rows(_drop_field_codes(text)).translate(_MARKS)


def catdoc_text(data: bytes, timeout: float) -> str:
    exe = shutil.which("catdoc")
    if exe is None:
        raise DocumentError("this DOC/WPS needs catdoc, which is not installed")
    try:
        done = subprocess.run(
            [exe, "-w", "-d", "utf-8", "-"],
            input=data,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise DocumentError(f"catdoc took longer than {timeout:.0f} s") from None
    text = done.stdout.decode("utf-8", "replace")
    if done.returncode != 0 and not text.strip():
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DocumentError(f"unreadable DOC/WPS ({reason[-1] if reason else 'catdoc failed'})")
    return text


def doc_text(data: bytes, timeout: float) -> str:
    try:
        return word_text(data)
    except DocumentError as exc:
        if str(exc).startswith(("not a Word", "DOC without")):
            return catdoc_text(data, timeout)
        raise
    except (struct.error, IndexError) as exc:
        raise DocumentError(f"damaged Word document ({exc})") from None
