"""File-layer messages: undecodable bytes, stray byte-order marks, NUL bytes, the header row.

Frictionless reads files too, but guesses encodings and reports neither byte offsets nor a
"did you mean" for a misspelt column; these checks stay ours (see ``files.py``).
"""

from __future__ import annotations

import csv
import difflib
import io
import re

from ldn_analysis.data.validation.problems import (
    MAX_PER_CHECK,
    RESAVE_UTF8,
    Collector,
    file_problem,
)
from ldn_analysis.errors import Problem

__all__ = ["BAD_CHAR", "encoding_problems", "header_problems"]

#: A character that betrays a broken file: an undecodable byte, a BOM or a NUL.
BAD_CHAR = re.compile("[\udc80-\udcff\ufeff\x00]")


def encoding_problems(text: str, file: str, header_len: int, bom_len: int) -> list[Problem]:
    """Locate undecodable bytes, stray BOMs and NUL bytes by row, column and byte offset."""
    collector = Collector()
    cells: list[tuple[int | None, int, str]] = []  # (row label or None for header, col, cell)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=False)
        for rec, row in enumerate(reader):
            for j, cell in enumerate(row):
                if BAD_CHAR.search(cell):
                    cells.append((None if rec == 0 else rec - 1, j, cell))
    except csv.Error:
        pass
    header = next(csv.reader(io.StringIO(text, newline=""), strict=False), [])
    hits = iter(m for m in BAD_CHAR.finditer(text))
    prev_pos, prev_bytes, shown = 0, bom_len, 0
    counts: dict[tuple[str | None, str], int] = {}
    for label, j, cell in cells:
        first = None
        for _ in range(len(BAD_CHAR.findall(cell))):
            m = next(hits, None)
            first = m if first is None else first
        if first is None:
            continue
        pos = first.start()
        prev_bytes += len(text[prev_pos:pos].encode("utf-8", "surrogateescape"))
        prev_pos = pos
        col = header[j] if j < len(header) and label is not None else None
        if label is None:
            col = _clean_name(cell)
        elif j >= header_len:
            col = f"(extra value {j + 1})"
        ch = first.group()
        if "\udc80" <= ch <= "\udcff":
            what = "bytes that are not valid UTF-8"
            msg = f"{what}: byte 0x{ord(ch) - 0xDC00:02X} at byte offset {prev_bytes}"
            fix = RESAVE_UTF8
        elif ch == "\ufeff":
            what = "a stray byte-order mark (U+FEFF)"
            msg = f"{what} at byte offset {prev_bytes} (files joined together?)"
            fix = (
                "Delete the invisible U+FEFF character; when joining CSV files keep a single "
                "header row and strip the BOM of every file but the first."
            )
        else:
            what = "a NUL byte"
            msg = f"{what} at byte offset {prev_bytes}"
            fix = "Remove the NUL character; the file may be damaged or saved as UTF-16."
        key = (col, what)
        counts[key] = counts.get(key, 0) + 1
        if counts[key] <= MAX_PER_CHECK:
            shown += 1
            shown_value = cell.encode("utf-8", "surrogateescape").decode(
                "utf-8", "backslashreplace"
            )
            collector.add(
                Problem(
                    file,
                    None if label is None else label + 1,
                    col,
                    shown_value.replace("\ufeff", "\\ufeff").replace("\x00", "\\x00"),
                    f"contains {msg}",
                    fix,
                )
            )
    for (col, what), n in counts.items():
        if n > MAX_PER_CHECK:
            collector.add(
                Problem(
                    file,
                    None,
                    col,
                    None,
                    f"{n - MAX_PER_CHECK} more cell(s) with {what}",
                    RESAVE_UTF8,
                )
            )
    if not collector.problems:
        m = BAD_CHAR.search(text)
        if m:
            offset = len(text[: m.start()].encode("utf-8", "surrogateescape")) + bom_len
            collector.add(
                file_problem(
                    file,
                    f"unreadable character at byte offset {offset}",
                    RESAVE_UTF8,
                )
            )
    return collector.problems


def _clean_name(name: str) -> str:
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def header_problems(file: str, header: list[str], fields: list[str]) -> tuple[list[Problem], bool]:
    """Check the header row against the schema; return problems and whether they are fatal."""
    problems: list[Problem] = []
    fatal = False
    seen: set[str] = set()
    for j, name in enumerate(header):
        if name == "":
            fatal = True
            problems.append(
                Problem(
                    file,
                    None,
                    f"(column {j + 1})",
                    None,
                    f"header column {j + 1} has no name",
                    "Delete the empty column (often a trailing comma in the header row) "
                    "or name it.",
                )
            )
        elif name in seen:
            fatal = True
            problems.append(
                Problem(
                    file,
                    None,
                    name,
                    name,
                    f"column '{name}' appears twice in the header",
                    "Delete or rename the second column so every column name is unique.",
                )
            )
        seen.add(name)
    expected = set(fields)
    for name in fields:
        if name not in seen:
            near = [h for h in header if h.strip().lower() == name.lower()]
            hint = f" (found {near[0]!r}: remove the spaces / fix the case)" if near else ""
            problems.append(
                Problem(
                    file,
                    None,
                    name,
                    None,
                    f"required column '{name}' is missing{hint}",
                    f"Add a '{name}' column (header exactly as in the codebook, "
                    "data/README.md); leave its cells blank if unknown.",
                )
            )
    for name in header:
        if name and name not in expected and header.count(name) == 1:
            close = difflib.get_close_matches(name.strip(), fields, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            problems.append(
                Problem(
                    file,
                    None,
                    name,
                    None,
                    f"unexpected column '{name}'",
                    "Remove the column or rename it to a column of the schema; new "
                    f"columns need a schema change in datapackage.json first.{hint}",
                )
            )
    return problems, fatal
