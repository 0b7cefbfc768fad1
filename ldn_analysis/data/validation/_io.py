"""Read one CSV: bytes, encodings, BOMs, header, field counts and parsing."""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import warnings
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ldn_analysis.data.validation._problems import (
    _BAD_CHAR,
    _HEAD_BYTES,
    _NOT_BLANK,
    _OTHER_BOMS,
    _RESAVE_UTF8,
    _UTF8_BOM,
    MAX_PER_CHECK,
    _Collector,
    _file_problem,
)
from ldn_analysis.errors import Problem

# --------------------------------------------------------------------------------------
# Reading one CSV
# --------------------------------------------------------------------------------------


@dataclass
class _Raw:
    """One CSV as read: header, values (strings, or floats for number fields) and state."""

    file: str
    header: list[str]
    frame: pd.DataFrame | None  # index = 0-based record number; blanks are NaN
    fatal: bool = False


def _offset_problems(text: str, file: str, header_len: int, bom_len: int) -> list[Problem]:
    """Locate undecodable bytes, stray BOMs and NUL bytes by row, column and byte offset."""
    collector = _Collector()
    cells: list[tuple[int | None, int, str]] = []  # (row label or None for header, col, cell)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), strict=False)
        for rec, row in enumerate(reader):
            for j, cell in enumerate(row):
                if _BAD_CHAR.search(cell):
                    cells.append((None if rec == 0 else rec - 1, j, cell))
    except csv.Error:
        pass
    header = next(csv.reader(io.StringIO(text, newline=""), strict=False), [])
    hits = iter(m for m in _BAD_CHAR.finditer(text))
    prev_pos, prev_bytes, shown = 0, bom_len, 0
    counts: dict[tuple[str | None, str], int] = {}
    for label, j, cell in cells:
        first = None
        for _ in range(len(_BAD_CHAR.findall(cell))):
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
            fix = _RESAVE_UTF8
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
                    _RESAVE_UTF8,
                )
            )
    if not collector.problems:
        m = _BAD_CHAR.search(text)
        if m:
            offset = len(text[: m.start()].encode("utf-8", "surrogateescape")) + bom_len
            collector.add(
                _file_problem(
                    file,
                    f"unreadable character at byte offset {offset}",
                    _RESAVE_UTF8,
                )
            )
    return collector.problems


def _clean_name(name: str) -> str:
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _header_problems(file: str, header: list[str], fields: list[str]) -> tuple[list[Problem], bool]:
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


def _record_field_counts(body: bytes) -> tuple[np.ndarray, np.ndarray] | None:
    """Count fields per record with numpy (quote-aware); ``None`` if quoting is unbalanced.

    Returns the field counts and a mask of blank records (empty lines).
    """
    b = np.frombuffer(body, dtype=np.uint8)
    quotes = np.flatnonzero(b == 34)
    if len(quotes) % 2:
        return None
    newlines = np.flatnonzero(b == 10)
    commas = np.flatnonzero(b == 44)
    if len(quotes):
        newlines = newlines[np.searchsorted(quotes, newlines) % 2 == 0]
        commas = commas[np.searchsorted(quotes, commas) % 2 == 0]
    ends = newlines if (len(b) and b[-1] == 10) else np.append(newlines, len(b))
    starts = np.concatenate(([0], ends[:-1] + 1))
    lengths = ends - starts
    has_cr = np.zeros(len(ends), dtype=bool)
    nonempty = lengths > 0
    has_cr[nonempty] = b[ends[nonempty] - 1] == 13
    blank = (lengths - has_cr) == 0
    counts = np.diff(np.concatenate(([0], np.searchsorted(commas, ends)))) + 1
    return counts, blank


def _parse_with_csv_module(
    text: str, file: str, ncols: int, header: list[str]
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Parse ``text`` with the csv module (ground truth for broken files)."""
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
        collector = _Collector()

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


def _read_csv(
    path: Path, resource: Mapping[str, Any], collector: _Collector
) -> tuple[_Raw | None, str | None]:
    """Read one CSV: return the raw table (or ``None`` if unreadable) and its sha256."""
    file = str(resource["path"])
    fields = [fd["name"] for fd in resource["schema"]["fields"]]
    types = {fd["name"]: fd.get("type", "string") for fd in resource["schema"]["fields"]}
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        collector.add(
            _file_problem(
                file,
                "file is missing",
                f"Add {file} (at least its header row) or remove the '{resource['name']}' "
                "resource from datapackage.json.",
            )
        )
        return None, None
    except OSError as exc:
        collector.add(
            _file_problem(
                file,
                f"cannot read the file: {exc}",
                "Check the file's permissions and that it is a regular file.",
            )
        )
        return None, None
    if _NOT_BLANK.search(raw) is None:
        collector.add(
            _file_problem(
                file,
                "file is empty (not even a header row)",
                f"Write the header row ({', '.join(fields[:4])}, ...) followed by the "
                "data rows; see data/README.md.",
            )
        )
        return None, hashlib.sha256(raw).hexdigest()
    for bom, encoding in _OTHER_BOMS:
        if raw.startswith(bom):
            collector.add(
                _file_problem(
                    file,
                    f"file is encoded as {encoding}, not UTF-8 (it starts with a "
                    f"{encoding} byte-order mark)",
                    _RESAVE_UTF8,
                )
            )
            return None, hashlib.sha256(raw).hexdigest()
    bom_len = len(_UTF8_BOM) if raw.startswith(_UTF8_BOM) else 0
    body = raw[bom_len:]
    # The checksum and the per-record field counts (numpy; both release the GIL) run in a
    # background thread while pandas parses the file in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        background = pool.submit(_digest_and_counts, raw, body)
        head = body[:_HEAD_BYTES].decode("utf-8", "surrogateescape")
        header = next(csv.reader(io.StringIO(head, newline=""), strict=False), [])
        suspicious = (
            _BAD_CHAR.search("".join(header)) is not None
            or body.find(_UTF8_BOM) >= 0
            or body.find(b"\x00") >= 0
        )
        frame = None
        fatal = False
        if not suspicious:
            problems, fatal = _header_problems(file, header, fields)
            for p in problems:
                collector.add(p)
            if not fatal:
                frame = _parse_fast(body, header, types)
        checksum, counts = background.result()
    if fatal:
        return _Raw(file, header, None, fatal=True), checksum
    ncols = len(header)
    if frame is not None and (
        counts is None
        or not (counts[0][~counts[1]] == ncols).all()
        or len(frame) != len(counts[0]) - 1
    ):
        frame = None  # ragged rows or uncertain record numbering: the csv module decides
    if frame is not None:
        return _Raw(file, header, frame), checksum
    # Slow path (broken or unusual files only): decode everything and let the csv module,
    # which follows RFC 4180 exactly, locate the problems.
    text = body.decode("utf-8", "surrogateescape")
    if _BAD_CHAR.search(text):
        for p in _offset_problems(text, file, len(header), bom_len):
            collector.add(p)
        return _Raw(file, header, None, fatal=True), checksum
    header = next(csv.reader(io.StringIO(text[:_HEAD_BYTES], newline=""), strict=False), [])
    if suspicious:  # header problems were not checked yet
        problems, fatal = _header_problems(file, header, fields)
        for p in problems:
            collector.add(p)
        if fatal:
            return _Raw(file, header, None, fatal=True), checksum
    frame, problems = _parse_with_csv_module(text, file, len(header), header)
    for p in problems:
        collector.add(p)
    if frame is None:
        return _Raw(file, header, None, fatal=True), checksum
    return _Raw(file, header, frame), checksum


def _digest_and_counts(raw: bytes, body: bytes) -> tuple[str, tuple | None]:
    """Return the file's sha256 and its per-record field counts (run in a thread)."""
    return hashlib.sha256(raw).hexdigest(), _record_field_counts(body)


def _parse_fast(body: bytes, header: list[str], types: Mapping[str, str]) -> pd.DataFrame | None:
    """Parse with pandas' C parser: number fields as float64, everything else as text.

    Returns ``None`` whenever anything is unusual (undecodable bytes, a number field with
    text, ``inf``, a tokenizing error), so that the caller falls back to the csv module
    and reports the problem precisely.
    """
    dtypes = {h: ("float64" if types.get(h) == "number" else str) for h in header}
    options = dict(
        header=0,
        keep_default_na=False,
        na_values=[""],
        skip_blank_lines=False,
        low_memory=False,
        index_col=False,
        encoding="utf-8",
        engine="c",
    )
    for attempt in (dtypes, str):
        try:
            with warnings.catch_warnings():  # ragged rows are reported by the caller
                warnings.simplefilter("ignore", pd.errors.ParserWarning)
                frame = pd.read_csv(io.BytesIO(body), dtype=attempt, **options)
        except UnicodeDecodeError:
            return None
        except (ValueError, pd.errors.ParserError):
            continue
        floats = [h for h, t in dtypes.items() if t == "float64"] if attempt is dtypes else []
        if floats and np.isinf(frame[floats].to_numpy()).any():
            continue  # inf text: re-read as text to report the value as written
        return frame
    return None


def _drop_blank_and_header_rows(raw: _Raw, collector: _Collector) -> pd.DataFrame:
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
