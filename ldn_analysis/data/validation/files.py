"""The file layer: read one CSV into text cells, reporting what Frictionless does not.

Frictionless (the schema layer, :mod:`.tableschema`) guesses a file's encoding and skips
blank rows silently; the evidence base wants stricter and more precise file checks, kept
here: a missing, unreadable or empty file, UTF-16/UTF-32 files, bytes that are not UTF-8
(with their byte offset), byte-order marks or NUL bytes inside the file, broken quoting,
ragged rows (naming the first missing column), header problems (blank, duplicate,
missing or unexpected names, with a "did you mean") and repeated header rows. A UTF-8
byte-order mark at the very start is accepted.

Every cell comes back as text (blank = NaN); the schema layer types it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ldn_analysis.data.validation.encoding import (
    BAD_CHAR,
    encoding_problems,
    header_problems,
)
from ldn_analysis.data.validation.problems import RESAVE_UTF8, Collector, file_problem
from ldn_analysis.errors import Problem

__all__ = ["RawTable", "drop_blank_and_header_rows", "read_csv"]

_UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"),
    (b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"),
    (b"\xfe\xff", "UTF-16 (big-endian)"),
    (b"\xff\xfe", "UTF-16 (little-endian)"),
)
_NOT_BLANK = re.compile(rb"[^ \t\r\n]")


@dataclass
class RawTable:
    """One CSV as read: its header and text cells (``None`` when the file is unusable).

    ``frame`` is indexed by the 0-based record number (data row = index + 1), so rows keep
    the numbering of the file after blank rows are dropped.
    """

    file: str
    header: list[str]
    frame: pd.DataFrame | None
    fatal: bool = False
    checksum: str | None = None


def read_csv(path: Path, resource: Mapping[str, Any], collector: Collector) -> RawTable | None:
    """Read one CSV; return ``None`` when the file is missing or unreadable.

    Problems go to ``collector``; a table with ``fatal`` set has problems that make its
    cells meaningless (wrong encoding, broken quoting, ragged rows, unusable header).
    """
    file = str(resource["path"])
    fields = [fd["name"] for fd in resource["schema"]["fields"]]
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        collector.add(
            file_problem(
                file,
                "file is missing",
                f"Add {file} (at least its header row) or remove the '{resource['name']}' "
                "resource from datapackage.json.",
            )
        )
        return None
    except OSError as exc:
        collector.add(
            file_problem(
                file,
                f"cannot read the file: {exc}",
                "Check the file's permissions and that it is a regular file.",
            )
        )
        return None
    checksum = hashlib.sha256(raw).hexdigest()
    broken = RawTable(file, [], None, fatal=True, checksum=checksum)
    if _NOT_BLANK.search(raw) is None:
        collector.add(
            file_problem(
                file,
                "file is empty (not even a header row)",
                f"Write the header row ({', '.join(fields[:4])}, ...) followed by the "
                "data rows; see data/README.md.",
            )
        )
        return broken
    for bom, encoding in _OTHER_BOMS:
        if raw.startswith(bom):
            collector.add(
                file_problem(
                    file,
                    f"file is encoded as {encoding}, not UTF-8 (it starts with a "
                    f"{encoding} byte-order mark)",
                    RESAVE_UTF8,
                )
            )
            return broken
    bom_len = len(_UTF8_BOM) if raw.startswith(_UTF8_BOM) else 0
    text = raw[bom_len:].decode("utf-8", "surrogateescape")
    header = next(csv.reader(io.StringIO(text, newline=""), strict=False), [])
    broken.header = header
    if BAD_CHAR.search(text):
        for p in encoding_problems(text, file, len(header), bom_len):
            collector.add(p)
        return broken
    problems, fatal = header_problems(file, header, fields)
    for p in problems:
        collector.add(p)
    if fatal:
        return broken
    frame, problems = _parse(text, file, len(header), header)
    for p in problems:
        collector.add(p)
    if frame is None:
        return broken
    return RawTable(file, header, frame, checksum=checksum)


def _parse(
    text: str, file: str, ncols: int, header: list[str]
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Parse ``text`` with the csv module (RFC 4180); report quoting errors and ragged rows."""
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for row in reader:
            rows.append(row)
    except csv.Error as exc:
        label = max(len(rows) - 1, 0) + 1
        return None, [
            Problem(
                file,
                label,
                None,
                None,
                f"CSV quoting error in or after this row: {exc}",
                "Wrap text containing commas, quotes or line breaks in double quotes, "
                'write a double quote inside such text twice (""), and close every '
                "opening quote.",
            )
        ]
    data = rows[1:]
    lengths = np.fromiter(map(len, data), dtype=np.int64, count=len(data))
    ragged = (lengths != ncols) & (lengths != 0)
    if ragged.any():
        collector = Collector()

        def message(pos: int) -> str:
            n = int(lengths[pos])
            if n < ncols:
                return (
                    f"row has {n} values but the header has {ncols} columns; values are "
                    f"missing from column '{header[n]}' on"
                )
            return (
                f"row has {n} values but the header has {ncols} columns; "
                f"{n - ncols} extra value(s) after column '{header[-1]}'"
            )

        cols = np.array([header[min(int(n), ncols - 1)] for n in lengths], dtype=object)
        # Column named: first missing column (short rows) or the last column (long rows).
        for short_or_long in (lengths < ncols, lengths > ncols):
            sel = ragged & short_or_long
            for col in pd.unique(cols[sel]):
                collector.add_rows(
                    file=file,
                    column=str(col),
                    labels=np.arange(len(data)),
                    mask=sel & (cols == col),
                    values=None,
                    message=message,
                    fix="Give every row exactly one value per header column: look for an "
                    "unquoted comma inside a text value (wrap such text in double quotes) "
                    "or a missing or extra comma.",
                    what="wrong number of values",
                )
        return None, collector.problems
    width = ncols
    padded = [r if len(r) == width else [""] * width for r in data]
    frame = pd.DataFrame(padded, columns=pd.Index(range(width)), dtype=object)
    frame.columns = header
    frame = frame.replace("", np.nan).astype("str")
    return frame, []


def drop_blank_and_header_rows(raw: RawTable, collector: Collector) -> pd.DataFrame:
    """Drop fully blank rows; report (and drop) rows that repeat the header row."""
    frame = raw.frame
    assert frame is not None
    first = frame.iloc[:, 0]
    cand = first.isna().to_numpy()
    if cand.any():
        blank = np.zeros(len(frame), dtype=bool)
        blank[cand] = frame.loc[cand].isna().all(axis=1).to_numpy()
        frame = frame.loc[~blank]
    first = frame.iloc[:, 0]
    text_first = first.astype("str") if first.dtype != "str" else first
    rep = (text_first == raw.header[0]).to_numpy(dtype=bool, copy=True)
    if rep.any():
        as_text = frame.loc[rep].astype("str")
        same = (as_text == pd.Series(raw.header, index=frame.columns)).all(axis=1).to_numpy()
        rep[rep] = same
        collector.add_rows(
            file=raw.file,
            column=raw.header[0],
            labels=frame.index.to_numpy(),
            mask=rep,
            values=first.to_numpy(),
            message="row repeats the header row (files joined together?)",
            fix="Delete the repeated header row; when joining CSV files keep only the first "
            "file's header.",
            what="repeated header row",
        )
        frame = frame.loc[~rep]
    return frame
