"""Validate the LDN evidence base: Table Schema checks plus one registry of cross-table rules.

The evidence base is a folder holding ``datapackage.json`` (a Frictionless tabular data
package) and one CSV per resource. :func:`validate_package` reads every CSV, converts it to
the dtypes its Table Schema declares and runs three layers of checks, gathering every
problem before raising one :class:`~ldn_analysis.errors.DataValidationError`:

1. **File checks** (while reading): missing or unreadable file, empty file, UTF-16/UTF-32
   files, bytes that are not UTF-8 (with the byte offset), stray byte-order marks or NUL
   bytes inside the file, broken quoting, ragged rows (a row with more or fewer values than
   the header), and the header itself: missing, extra, duplicate or blank column names. A
   UTF-8 byte-order mark at the very start is accepted (spreadsheets write one). A
   resource without its CSV is a problem; a CSV without a resource is not loaded and is
   listed by :func:`undeclared_files` (and by ``data check``).
2. **Schema checks** (declarative, driven by each field of the Table Schema): ``type``
   (integer, number, boolean, string; ``NaN``/``inf`` text is never a number), the
   constraints ``required``, ``enum``, ``pattern``, ``minimum``, ``maximum``,
   ``exclusiveMinimum``, ``exclusiveMaximum`` and ``unique``, the ``primaryKey`` (unique;
   blanks compare equal in composite keys) and every ``foreignKey`` (a blank reference is
   allowed). ``sd > 0``, "ids resolve" and "every row has an http(s) ``source_url``" are
   expressed here, declaratively, by ``exclusiveMinimum``, ``foreignKeys`` and
   ``required`` + ``pattern``.
3. **Cross-table rules**: everything the Table Schema cannot express, in the single
   registry :data:`RULES` (events <= n_at_risk, arm sizes <= n_enrolled, dose range and
   confidence intervals ordered, ids consistent with their parent ids, ...).

Conventions
-----------
Every :class:`~ldn_analysis.errors.Problem` names the file (relative to the data folder),
the **data row** and the column. Data rows are 1-based and exclude the header, matching
:class:`~ldn_analysis.errors.DataValidationError`: row 1 is the first row under the header,
which a spreadsheet shows as row 2 (so spreadsheet row = data row + 1). Blank lines count as
rows so the numbering follows the order of records in the file; fully blank rows are
otherwise ignored. Problems about a whole file or column have ``row=None``.

At most :data:`MAX_PER_CHECK` problems are listed per check, file and column; one more
problem then says how many further rows have the same problem.

Nothing here writes to disk. The happy path is vectorized (pandas/numpy over whole
columns, per-value work only on the distinct values of a column); Python-level loops run
only over failing rows or on files that are already known to be broken.
"""

from __future__ import annotations

import csv
import difflib
import functools
import hashlib
import io
import json
import operator
import re
import sys
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ldn_analysis import paths
from ldn_analysis.errors import DataValidationError, LDNError, Problem
from ldn_analysis.vocab import (
    CONTROLLED_DESIGNS,
    CROSSOVER_DESIGNS,
    NONRANDOMIZED_DESIGNS,
    RANDOMIZED_DESIGNS,
)

if TYPE_CHECKING:  # pragma: no cover
    from ldn_analysis.data import Evidence

__all__ = [
    "CORE_TABLES",
    "CONTROLLED_DESIGNS",
    "CROSSOVER_DESIGNS",
    "MAX_PER_CHECK",
    "RULES",
    "Finding",
    "Rule",
    "ValidatedPackage",
    "check_command",
    "format_summary",
    "read_descriptor",
    "summarize",
    "undeclared_files",
    "validate_package",
]

#: Problems listed per (check, file, column) before the rest are only counted.
MAX_PER_CHECK = 20

#: Resources every evidence package must have, in report order.
CORE_TABLES = ("studies", "outcomes", "adverse_events", "registrations", "reviews", "conditions")


_SUPPORTED_TYPES = ("string", "integer", "number", "boolean")
_UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32 (big-endian)"),
    (b"\xff\xfe\x00\x00", "UTF-32 (little-endian)"),
    (b"\xfe\xff", "UTF-16 (big-endian)"),
    (b"\xff\xfe", "UTF-16 (little-endian)"),
)
_BAD_CHAR = re.compile("[\udc80-\udcff\ufeff\x00]")
_NOT_BLANK = re.compile(rb"[^ \t\r\n]")
_HEAD_BYTES = 1 << 16  # the header row is read from the first 64 KiB
_INT_TEXT = r"\s*[+-]?[0-9]+\s*"
_NUM_TEXT = r"\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*"
_NAN_INF_TEXT = re.compile(r"\s*[+-]?(nan|inf|infinity)\s*", re.IGNORECASE)
_RESAVE_UTF8 = (
    "Re-save the file as UTF-8 (Excel: 'CSV UTF-8'; LibreOffice: character set "
    "'Unicode (UTF-8)'; Python: encoding='utf-8'), or retype the character."
)


# --------------------------------------------------------------------------------------
# Problem collection
# --------------------------------------------------------------------------------------


def _py(value: Any) -> Any:
    """Return ``value`` as a plain Python scalar (``None`` for blanks)."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
    return value


def _fmt(value: Any) -> str:
    """Format a cell value for a message (``blank`` for missing values)."""
    value = _py(value)
    return "blank" if value is None else str(value)


class _Collector:
    """Gather problems, capping the number listed per check, file and column."""

    def __init__(self, limit: int = MAX_PER_CHECK):
        self.limit = limit
        self.problems: list[Problem] = []

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def add_rows(
        self,
        *,
        file: str,
        column: str | None,
        labels: Sequence[int] | np.ndarray,
        mask: np.ndarray,
        values: pd.Series | Sequence[Any] | np.ndarray | None,
        message: str | Callable[[int], str],
        fix: str | Callable[[int], str],
        what: str,
    ) -> None:
        """Add one problem per failing row (positions where ``mask`` is true).

        ``labels`` are 0-based record numbers (row = label + 1); ``message``/``fix`` are
        strings or callables taking the failing position; ``what`` names the problem in
        the summary line for rows beyond the cap.
        """
        hits = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(hits):
            return
        for pos in hits[: self.limit]:
            msg = message(pos) if callable(message) else message
            fx = fix(pos) if callable(fix) else fix
            if values is None:
                value = None
            elif isinstance(values, pd.Series):
                value = values.iloc[pos]
            else:
                value = values[pos]
            self.problems.append(Problem(file, int(labels[pos]) + 1, column, _py(value), msg, fx))
        rest = len(hits) - self.limit
        if rest > 0:
            fx = fix(hits[0]) if callable(fix) else fix
            self.problems.append(
                Problem(
                    file,
                    None,
                    column,
                    None,
                    f"{rest} more row(s) with the same problem ({what}) not listed",
                    fx,
                )
            )


# --------------------------------------------------------------------------------------
# Descriptor
# --------------------------------------------------------------------------------------


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def read_descriptor(folder: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Read and structurally check ``datapackage.json`` in ``folder``.

    Parameters
    ----------
    folder : Path
        The data folder.

    Returns
    -------
    descriptor : dict or None
        The parsed descriptor, or ``None`` when it cannot be used at all.
    problems : list of Problem
        Problems with the descriptor (missing file, invalid JSON with line and column,
        resources without name/path/fields, unsupported field types, foreign keys that
        point nowhere, missing core resources).
    """
    name = paths.DATAPACKAGE
    path = folder / name
    if not folder.is_dir():
        return None, [
            Problem(
                str(folder),
                None,
                None,
                None,
                "data folder does not exist",
                "Pass an existing folder with --data-dir, or set LDN_DATA_DIR to one.",
            )
        ]
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        return None, [
            Problem(
                name,
                None,
                None,
                None,
                f"no {name} in {folder}",
                f"Copy data/{name} from the repository into the folder.",
            )
        ]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(name, None, None, None, f"cannot read the file: {exc}", _RESAVE_UTF8)]
    try:
        desc = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [
            Problem(
                name,
                None,
                None,
                None,
                f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                "Fix the JSON syntax there (a missing comma or quote is the usual cause).",
            )
        ]
    problems: list[Problem] = []

    def bad(message: str, fix: str, column: str | None = None) -> None:
        problems.append(Problem(name, None, column, None, message, fix))

    if not isinstance(desc, dict) or not isinstance(desc.get("resources"), list):
        bad("the descriptor has no 'resources' list", "Add a 'resources' list.")
        return None, problems
    if not isinstance(desc.get("version"), str) or not re.fullmatch(
        r"[0-9]+\.[0-9]+\.[0-9]+", desc.get("version", "")
    ):
        bad("'version' is not a semantic version such as 1.0.0", "Set 'version': 'X.Y.Z'.")
    names: dict[str, dict[str, Any]] = {}
    for i, res in enumerate(desc["resources"]):
        label = res.get("name", f"#{i + 1}") if isinstance(res, dict) else f"#{i + 1}"
        fields = (res.get("schema") or {}).get("fields") if isinstance(res, dict) else None
        if not isinstance(res, dict) or not res.get("name") or not res.get("path"):
            bad(f"resource {label} has no 'name' or 'path'", "Give every resource both.")
            continue
        if not isinstance(fields, list) or not fields:
            bad(f"resource '{label}' has no schema fields", "Add 'schema': {'fields': [...]}.")
            continue
        if res["name"] in names:
            bad(f"resource name '{label}' is used twice", "Give each resource its own name.")
        for fd in fields:
            if not isinstance(fd, dict) or not fd.get("name"):
                bad(f"resource '{label}' has a field without a name", "Name every field.")
            elif fd.get("type", "string") not in _SUPPORTED_TYPES:
                bad(
                    f"field '{fd['name']}' of '{label}' has unsupported type {fd.get('type')!r}",
                    f"Use one of: {', '.join(_SUPPORTED_TYPES)}.",
                    column=fd["name"],
                )
        names[res["name"]] = res
    for res in names.values():
        own = {fd.get("name") for fd in res["schema"]["fields"] if isinstance(fd, dict)}
        for key in _as_list(res["schema"].get("primaryKey")):
            if key not in own:
                bad(f"primaryKey '{key}' of '{res['name']}' is not a field", "Fix primaryKey.")
        for fk in res["schema"].get("foreignKeys", []) or []:
            target = (fk.get("reference") or {}).get("resource", "")
            target = res["name"] if target == "" else target
            ref = names.get(target)
            ref_fields = (
                {fd.get("name") for fd in ref["schema"]["fields"] if isinstance(fd, dict)}
                if ref
                else set()
            )
            if ref is None or not set(_as_list(fk["reference"].get("fields"))) <= ref_fields:
                bad(
                    f"foreign key {fk.get('fields')!r} of '{res['name']}' points to "
                    f"{target}.{fk['reference'].get('fields')!r}, which does not exist",
                    "Point the foreign key at an existing resource and field.",
                )
            if not set(_as_list(fk.get("fields"))) <= own:
                bad(
                    f"foreign key field {fk.get('fields')!r} of '{res['name']}' is not a field",
                    "Fix the foreign key.",
                )
    for core in CORE_TABLES:
        if core not in names:
            bad(f"core resource '{core}' is missing", f"Restore the '{core}' resource.")
    return desc, problems


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
                Problem(
                    file,
                    None,
                    None,
                    None,
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
            Problem(
                file,
                None,
                None,
                None,
                "file is missing",
                f"Add {file} (at least its header row) or remove the '{resource['name']}' "
                "resource from datapackage.json.",
            )
        )
        return None, None
    except OSError as exc:
        collector.add(
            Problem(
                file,
                None,
                None,
                None,
                f"cannot read the file: {exc}",
                "Check the file's permissions and that it is a regular file.",
            )
        )
        return None, None
    if _NOT_BLANK.search(raw) is None:
        collector.add(
            Problem(
                file,
                None,
                None,
                None,
                "file is empty (not even a header row)",
                f"Write the header row ({', '.join(fields[:4])}, ...) followed by the "
                "data rows; see data/README.md.",
            )
        )
        return None, hashlib.sha256(raw).hexdigest()
    for bom, encoding in _OTHER_BOMS:
        if raw.startswith(bom):
            collector.add(
                Problem(
                    file,
                    None,
                    None,
                    None,
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


# --------------------------------------------------------------------------------------
# Schema checks
# --------------------------------------------------------------------------------------


def _take(per_unique: np.ndarray, codes: np.ndarray, fill: Any) -> np.ndarray:
    """Broadcast per-distinct-value results back to rows (``fill`` where blank)."""
    if len(per_unique) == 0:
        return np.full(len(codes), fill, dtype=per_unique.dtype if fill is not None else object)
    out = per_unique[np.where(codes >= 0, codes, 0)]
    if (codes < 0).any():
        out = out.copy()
        out[codes < 0] = fill
    return out


def _parse_numbers(uniques: np.ndarray, integer: bool) -> tuple[np.ndarray, np.ndarray]:
    """Parse distinct text values; return floats and a per-value 'bad type' mask."""
    text = pd.Series(uniques, dtype=object)
    ok = text.str.fullmatch(_INT_TEXT if integer else _NUM_TEXT).fillna(False).to_numpy(bool)
    values = np.full(len(uniques), np.nan)
    if ok.any():
        values[ok] = pd.to_numeric(text[ok].str.strip(), errors="coerce").to_numpy(float)
    bad = ~ok | ~np.isfinite(values)
    values[bad] = np.nan
    return values, bad


def _type_message(kind: str, value: Any) -> tuple[str, str]:
    text = "" if value is None else str(value)
    if _NAN_INF_TEXT.fullmatch(text):
        return (
            "NaN or infinity is not allowed in a numeric column",
            "Leave the cell blank if the source does not give the value (blank = unknown).",
        )
    if kind == "integer":
        return (
            "is not a whole number",
            "Write a whole number with digits only (e.g. 42: no decimals, units, % or "
            "thousands separators), or leave the cell blank if the source does not give it.",
        )
    if kind == "number":
        if re.fullmatch(_NUM_TEXT, text):
            return ("is too large to be a finite number", "Check the value against the source.")
        return (
            "is not a number",
            "Write a plain number with a decimal point (e.g. 4.5: no units, %, ranges or "
            "thousands separators), or leave the cell blank if the source does not give it.",
        )
    return (
        "must be true or false",
        "Write true or false in lowercase, or leave the cell blank if unknown.",
    )


def _bound_checks(constraints: Mapping[str, Any]) -> list[tuple[str, float, Callable]]:
    out = []
    if "minimum" in constraints:
        out.append(("at least", constraints["minimum"], np.less))
    if "exclusiveMinimum" in constraints:
        out.append(("greater than", constraints["exclusiveMinimum"], np.less_equal))
    if "maximum" in constraints:
        out.append(("at most", constraints["maximum"], np.greater))
    if "exclusiveMaximum" in constraints:
        out.append(("less than", constraints["exclusiveMaximum"], np.greater_equal))
    return out


def _check_fields(
    frame: pd.DataFrame, resource: Mapping[str, Any], file: str, collector: _Collector
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Convert every schema field to its dtype and run the field constraints.

    Per-value work (number parsing) runs on the distinct values of a column only
    (``pandas.factorize``) and is broadcast back to the rows; a ``pattern`` is first tried
    on the whole column at once (see :func:`_all_match`).

    Returns the typed frame and, per column, a mask of the cells that failed a check.
    """
    labels = frame.index.to_numpy()
    primary = _as_list(resource["schema"].get("primaryKey"))
    typed: dict[str, Any] = {}
    invalid: dict[str, np.ndarray] = {}
    for fd in resource["schema"]["fields"]:
        name = fd["name"]
        if name not in frame.columns:
            continue
        kind = fd.get("type", "string")
        cons = fd.get("constraints", {}) or {}
        desc = fd.get("description", "")
        col = frame[name]
        numeric: np.ndarray | None = None

        def report(mask: np.ndarray, message: Any, fix: Any, what: str, col=col, name=name):
            if mask.any():
                invalid[name] = invalid[name] | mask if name in invalid else mask
            collector.add_rows(
                file=file,
                column=name,
                labels=labels,
                mask=mask,
                values=col,
                message=message,
                fix=fix,
                what=what,
            )

        if kind == "number" and col.dtype == "float64":
            numeric = col.to_numpy(dtype=float)
            blank = np.isnan(numeric)
        elif kind == "string":
            blank = col.isna().to_numpy()
            if "enum" in cons:
                allowed = [str(v) for v in cons["enum"]]

                def enum_fix(p: int, col=col, allowed=allowed) -> str:
                    close = difflib.get_close_matches(str(col.iloc[p]).strip(), allowed, n=1)
                    hint = f"Did you mean '{close[0]}'? " if close else ""
                    return f"{hint}Use one of: {', '.join(allowed)}."

                report(
                    ~col.isin(allowed).to_numpy() & ~blank,
                    "is not one of the allowed values",
                    enum_fix,
                    "value not allowed",
                )
            if "pattern" in cons and not _all_match(col.to_numpy(object)[~blank], cons["pattern"]):
                codes, uniques = pd.factorize(col, use_na_sentinel=True)
                ok_u = (
                    pd.Series(np.asarray(uniques, dtype=object), dtype=object)
                    .str.fullmatch(cons["pattern"])
                    .fillna(False)
                    .to_numpy(bool)
                )
                report(
                    _take(~ok_u, codes, False),
                    "does not have the expected format",
                    f"Use the format the codebook gives for {name}: {desc}",
                    "wrong format",
                )
            typed[name] = col if col.dtype == "str" else col.astype("str")
        else:
            codes, uniques = pd.factorize(col, use_na_sentinel=True)
            uniques = np.asarray(uniques, dtype=object)
            blank = codes < 0
            if kind in ("integer", "number"):
                parsed, bad_u = _parse_numbers(uniques, integer=kind == "integer")
                numeric = _take(parsed, codes, np.nan)
                report(
                    _take(bad_u, codes, False),
                    lambda p, col=col, k=kind: _type_message(k, col.iloc[p])[0],
                    lambda p, col=col, k=kind: _type_message(k, col.iloc[p])[1],
                    f"not a valid {kind}",
                )
            elif kind == "boolean":
                idx = pd.Index(uniques, dtype=object)
                is_true = np.asarray(idx.isin(fd.get("trueValues", ["true"])))
                bad_u = ~(is_true | np.asarray(idx.isin(fd.get("falseValues", ["false"]))))
                bad = _take(bad_u, codes, False)
                report(
                    bad,
                    "must be true or false",
                    "Write true or false in lowercase, or leave the cell blank if unknown.",
                    "not true/false",
                )
                truth = _take(is_true, codes, False).astype(bool)
                typed[name] = pd.arrays.BooleanArray(truth, blank | bad)
        if cons.get("unique") and primary != [name]:
            dup = col.duplicated(keep="first").to_numpy() & ~blank
            report(
                dup,
                "value is used in an earlier row; it must be unique",
                f"Make every {name} unique.",
                "duplicate value",
            )
        if numeric is not None:
            for word, limit, fails in _bound_checks(cons):
                out = fails(numeric, limit) & ~np.isnan(numeric)
                if out.any():
                    unit = f" ({fd['unit']})" if fd.get("unit") else ""
                    report(
                        out,
                        f"must be {word} {_fmt(limit)}{unit}",
                        f"Check the value against the source ({desc.rstrip('.')}): a value "
                        "outside this range is a typo, a unit mix-up, or out of the evidence "
                        "base's scope (then the lead decides whether the row stays).",
                        f"not {word} {_fmt(limit)}",
                    )
                    numeric = np.where(out, np.nan, numeric)
            if kind == "integer":
                safe = np.where(np.abs(numeric) < 2**62, numeric, np.nan)
                typed[name] = pd.array(safe, dtype="Float64").astype("Int64")
            else:
                typed[name] = numeric.astype("float64")
        if cons.get("required"):
            report(
                blank,
                "is blank but required",
                f"Fill in {name} ({desc.rstrip('.')}).",
                "blank required value",
            )
    return pd.DataFrame(typed, index=frame.index), invalid


_UNSAFE_IN_JOIN = re.compile(r"\\[sWDnrtfvbBAZ0-7xuUN]|(?<!\\)[.^$\[\]]|\(\?(?!:)")
_POSITIVE_CLASS = re.compile(r"\[(?!\^)((?:\\.|[^\]\\])*)\]")
_NEWLINE_IN_CLASS = re.compile(r"\\[sWDnrtfv]|\n")


@functools.lru_cache(maxsize=256)
def _joined_regex(pattern: str) -> re.Pattern[str] | None:
    r"""Compile ``pattern`` repeated over newline-joined values, or ``None`` if unsafe.

    Anchors ``^...$`` are removed. Patterns that could match a newline return ``None``:
    ``\s``, ``\W``, ``\D``, ``.``, negated classes ``[^...]``, classes containing
    such escapes, inline flags, inner anchors.
    """
    inner = pattern
    if inner.startswith("^"):
        inner = inner[1:]
    if inner.endswith("$") and not inner.endswith("\\$"):
        inner = inner[:-1]
    classes = _POSITIVE_CLASS.findall(inner)
    if any(_NEWLINE_IN_CLASS.search(c) for c in classes):
        return None
    if _UNSAFE_IN_JOIN.search(_POSITIVE_CLASS.sub("", inner)):
        return None
    try:
        # Possessive repetition: lines cannot share characters, so giving back
        # iterations never helps a full match (and would cost a saved state per line).
        return re.compile(f"(?:{inner})(?:\n(?:{inner}))*+")
    except re.error:
        return None


def _all_match(values: np.ndarray, pattern: str) -> bool:
    """Return True if every value fully matches ``pattern``, in one regex call when safe.

    ``False`` means "some value may not match": the caller then tests the distinct values
    one by one to locate them.
    """
    if len(values) == 0:
        return True
    rx = _joined_regex(pattern)
    if rx is None:
        return False
    joined = "\n".join(values)
    if joined.count("\n") != len(values) - 1:  # a value contains a newline
        return False
    return rx.fullmatch(joined) is not None


def _check_primary_key(
    typed: pd.DataFrame, resource: Mapping[str, Any], file: str, collector: _Collector
) -> None:
    keys = _as_list(resource["schema"].get("primaryKey"))
    if not keys or not set(keys) <= set(typed.columns) or typed.empty:
        return
    dup = typed.duplicated(subset=keys, keep="first").to_numpy(copy=True)
    if len(keys) > 1:
        all_blank = typed[keys].isna().all(axis=1).to_numpy()
        dup &= ~all_blank
    elif not dup.any():
        return
    else:
        dup &= typed[keys[0]].notna().to_numpy()
    if not dup.any():
        return
    groups = typed.groupby(keys, dropna=False, sort=False).ngroup().to_numpy()
    first_label = pd.Series(typed.index.to_numpy()).groupby(groups).transform("first").to_numpy()
    shown = typed[keys].to_numpy(dtype=object)
    labels = typed.index.to_numpy()
    key_text = " + ".join(keys)
    collector.add_rows(
        file=file,
        column=keys[0] if len(keys) == 1 else keys[-1],
        labels=labels,
        mask=dup,
        values=[", ".join(_fmt(v) for v in row) if len(keys) > 1 else row[0] for row in shown],
        message=lambda p: f"duplicate {key_text}: the same as row {int(first_label[p]) + 1}",
        fix=(
            f"{key_text} must be unique: delete the duplicate row or tell the rows apart "
            "(ids take a letter suffix, e.g. smith_2011b)."
            if len(keys) == 1
            else f"{key_text} must be unique: merge the rows, or tell them apart (for "
            "adverse events: fill in reported_term)."
        ),
        what=f"duplicate {key_text}",
    )


def _key_index(
    typed: Mapping[str, pd.DataFrame], memo: dict[Any, Any], table: str, column: str
) -> tuple[pd.Index, np.ndarray]:
    """Return the distinct values of ``table.column`` as an Index, memoized.

    The Index builds its hash table once and every lookup reuses it. Also returns the row
    of each value's first occurrence; blanks are left out.
    """
    key = ("key_index", table, column)
    if key not in memo:
        values = typed[table][column]
        first = ~values.duplicated(keep="first").to_numpy() & values.notna().to_numpy()
        memo[key] = (pd.Index(values.to_numpy(dtype=object)[first]), np.flatnonzero(first))
    return memo[key]


def _check_foreign_keys(
    typed: dict[str, pd.DataFrame],
    resources: Mapping[str, Mapping[str, Any]],
    collector: _Collector,
    memo: dict[Any, Any] | None = None,
) -> None:
    memo = {} if memo is None else memo
    for name, res in resources.items():
        table = typed.get(name)
        if table is None or table.empty:
            continue
        for fk in res["schema"].get("foreignKeys", []) or []:
            fields = _as_list(fk["fields"])
            target = fk["reference"].get("resource", "") or name
            ref_fields = _as_list(fk["reference"]["fields"])
            ref = typed.get(target)
            if ref is None or not set(fields) <= set(table.columns):
                continue
            if not set(ref_fields) <= set(ref.columns):
                continue
            ref_file = str(resources[target]["path"])
            present = table[fields].notna().any(axis=1).to_numpy()
            if len(fields) == 1:
                index, _ = _key_index(typed, memo, target, ref_fields[0])
                found = index.get_indexer(table[fields[0]].to_numpy(dtype=object)) >= 0
            else:
                found = pd.MultiIndex.from_frame(table[fields]).isin(
                    pd.MultiIndex.from_frame(ref[ref_fields])
                )
            missing = present & ~found
            values = (
                table[fields[0]].to_numpy(dtype=object, na_value=None)
                if len(fields) == 1
                else [", ".join(map(_fmt, r)) for r in table[fields].to_numpy(dtype=object)]
            )
            ref_text = "/".join(ref_fields)
            collector.add_rows(
                file=str(res["path"]),
                column=fields[0],
                labels=table.index.to_numpy(),
                mask=missing,
                values=values,
                message=f"is not a known {ref_text} in {ref_file}",
                fix=(
                    f"Use a {ref_text} that exists in {ref_file} (check the spelling), or add "
                    f"the missing row to {ref_file} first."
                ),
                what=f"unknown {ref_text}",
            )


# --------------------------------------------------------------------------------------
# Cross-table rules (the registry)
# --------------------------------------------------------------------------------------

Tables = Mapping[str, pd.DataFrame]


@dataclass(frozen=True)
class Finding:
    """Rows of one table breaking a rule, reported against one column.

    Attributes
    ----------
    table : str
        Resource name whose rows are reported.
    column : str
        Column the problem is reported in (its value is shown).
    mask : numpy.ndarray
        Boolean array aligned with the table's rows; true = rule broken.
    context : dict
        Extra per-row arrays (aligned with the table) available to the message template.
    """

    table: str
    column: str
    mask: np.ndarray
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    """A cross-table or cross-column rule of the registry :data:`RULES`.

    Attributes
    ----------
    id : str
        Stable identifier (used in tests and the codebook).
    title : str
        One-line description for the codebook.
    needs : tuple of str
        ``"table.column"`` entries the rule reads; the rule is skipped (other problems
        already explain why) when one is missing or its table could not be read.
    message : str
        ``str.format`` template for the problem message; fields: ``column``, ``value``,
        every column of the reported table, and the finding's ``context`` keys.
    fix : str
        Template for the concrete fix sentence (same fields as ``message``).
    find : callable
        ``find(tables) -> list[Finding]``; vectorized over whole tables.
    """

    id: str
    title: str
    needs: tuple[str, ...]
    message: str
    fix: str
    find: Callable[[Tables], list[Finding]]


def _f(table: pd.DataFrame, column: str) -> np.ndarray:
    """Return a numeric column as a float array (NaN for blanks)."""
    return table[column].to_numpy(dtype="float64", na_value=np.nan)


class _RuleTables(dict):
    """The typed tables handed to the rules, with a per-run memo for shared lookups."""

    def __init__(self, tables: Mapping[str, pd.DataFrame], memo: dict[Any, Any] | None = None):
        super().__init__(tables)
        self.memo: dict[Any, Any] = {} if memo is None else memo


def _study_positions(tables: Tables, child: str) -> np.ndarray:
    """Row position in studies of each ``<child>.study_id`` (-1 if unknown), memoized."""
    memo = getattr(tables, "memo", {})
    key = ("study_positions", child)
    if key not in memo:
        index, rows = _key_index(tables, memo, "studies", "study_id")
        pos = index.get_indexer(tables[child]["study_id"].to_numpy(dtype=object))
        memo[key] = np.where(pos >= 0, rows[np.maximum(pos, 0)], -1) if len(rows) else pos
    return memo[key]


def _study_lookup(tables: Tables, column: str, child: str) -> np.ndarray:
    """Look up ``studies.<column>`` for each row of ``child`` (NaN if the study is unknown)."""
    pos = _study_positions(tables, child)
    values = _f(tables["studies"], column)
    if not len(values):
        return np.full(len(pos), np.nan)
    return np.where(pos >= 0, values[np.maximum(pos, 0)], np.nan)


def _in(table: pd.DataFrame, column: str, values: Iterable[str]) -> np.ndarray:
    return table[column].isin(list(values)).to_numpy()


def _events_within_at_risk(t: Tables) -> list[Finding]:
    ae = t["adverse_events"]
    return [Finding("adverse_events", "events", _f(ae, "events") > _f(ae, "n_at_risk"))]


def _at_risk_within_enrolled(t: Tables) -> list[Finding]:
    ae = t["adverse_events"]
    enrolled = _study_lookup(t, "n_enrolled", "adverse_events")
    return [
        Finding(
            "adverse_events",
            "n_at_risk",
            _f(ae, "n_at_risk") > enrolled,
            {"study_n_enrolled": enrolled},
        )
    ]


def _arm_n_within_enrolled(t: Tables) -> list[Finding]:
    s, o = t["studies"], t["outcomes"]
    enrolled_o = _study_lookup(t, "n_enrolled", "outcomes")
    n_enrolled = _f(s, "n_enrolled")
    return [
        Finding("studies", "n_ldn", _f(s, "n_ldn") > n_enrolled, {"study_n_enrolled": n_enrolled}),
        Finding(
            "studies",
            "n_control",
            _f(s, "n_control") > n_enrolled,
            {"study_n_enrolled": n_enrolled},
        ),
        Finding("outcomes", "n_ldn", _f(o, "n_ldn") > enrolled_o, {"study_n_enrolled": enrolled_o}),
        Finding(
            "outcomes", "n_ctrl", _f(o, "n_ctrl") > enrolled_o, {"study_n_enrolled": enrolled_o}
        ),
    ]


def _arms_sum_within_enrolled(t: Tables) -> list[Finding]:
    s = t["studies"]
    total = _f(s, "n_ldn") + _f(s, "n_control")
    parallel = ~_in(s, "design", CROSSOVER_DESIGNS)
    return [
        Finding(
            "studies", "n_enrolled", parallel & (total > _f(s, "n_enrolled")), {"arms_total": total}
        )
    ]


def _crossover_arms_equal(t: Tables) -> list[Finding]:
    s = t["studies"]
    a, b = _f(s, "n_ldn"), _f(s, "n_control")
    return [
        Finding(
            "studies",
            "n_control",
            _in(s, "design", CROSSOVER_DESIGNS) & (a != b) & ~np.isnan(a) & ~np.isnan(b),
        )
    ]


def _analyzed_within_enrolled(t: Tables) -> list[Finding]:
    s = t["studies"]
    return [Finding("studies", "n_analyzed", _f(s, "n_analyzed") > _f(s, "n_enrolled"))]


def _dose_range_ordered(t: Tables) -> list[Finding]:
    s = t["studies"]
    return [Finding("studies", "dose_mg_min", _f(s, "dose_mg_min") > _f(s, "dose_mg_max"))]


def _ci_ordered(t: Tables) -> list[Finding]:
    return [
        Finding(name, "ci_low", _f(t[name], "ci_low") > _f(t[name], "ci_high"))
        for name in ("outcomes", "reviews")
    ]


def _estimate_within_ci(t: Tables) -> list[Finding]:
    out = []
    for name in ("outcomes", "reviews"):
        est, lo, hi = _f(t[name], "estimate"), _f(t[name], "ci_low"), _f(t[name], "ci_high")
        out.append(Finding(name, "estimate", (lo <= hi) & ((est < lo) | (est > hi))))
    return out


def _ratio_measures_positive(t: Tables) -> list[Finding]:
    out = []
    for name, type_col, ratios in (
        ("outcomes", "estimate_type", ("rr", "or")),
        ("reviews", "measure", ("RR", "OR")),
    ):
        ratio = _in(t[name], type_col, ratios)
        for col in ("estimate", "ci_low"):
            out.append(Finding(name, col, ratio & (_f(t[name], col) <= 0)))
    return out


def _estimate_has_type(t: Tables) -> list[Finding]:
    return [
        Finding(name, col, t[name]["estimate"].notna().to_numpy() & t[name][col].isna().to_numpy())
        for name, col in (("outcomes", "estimate_type"), ("reviews", "measure"))
    ]


def _scale_range_ordered(t: Tables) -> list[Finding]:
    o = t["outcomes"]
    return [Finding("outcomes", "scale_max", _f(o, "scale_min") >= _f(o, "scale_max"))]


def _mean_within_scale(t: Tables) -> list[Finding]:
    o = t["outcomes"]
    levels = _in(o, "data_type", ("arm_means", "pre_post"))
    lo, hi = _f(o, "scale_min"), _f(o, "scale_max")
    return [
        Finding("outcomes", col, levels & ((_f(o, col) < lo) | (_f(o, col) > hi)))
        for col in ("mean_ldn", "mean_ctrl")
    ]


def _pre_post_consistent(t: Tables) -> list[Finding]:
    o = t["outcomes"]
    mask = (o["data_type"] == "pre_post").to_numpy() & (
        o["comparison"] != "ldn_pre_post"
    ).to_numpy()
    mask &= o["comparison"].notna().to_numpy()
    return [Finding("outcomes", "comparison", mask)]


def _prefix_mismatch(child: pd.Series, parent: pd.Series) -> np.ndarray:
    both = child.notna().to_numpy() & parent.notna().to_numpy()
    starts = np.strings.startswith(_sd(child), np.strings.add(_sd(parent), "_"))
    return both & ~starts


def _id_prefix(t: Tables) -> list[Finding]:
    o, r = t["outcomes"], t["reviews"]
    return [
        Finding(
            "outcomes",
            "outcome_id",
            _prefix_mismatch(o["outcome_id"], o["study_id"]),
            {"parent_column": np.full(len(o), "study_id")},
        ),
        Finding(
            "reviews",
            "result_id",
            _prefix_mismatch(r["result_id"], r["review_id"]),
            {"parent_column": np.full(len(r), "review_id")},
        ),
    ]


def _sd(series: pd.Series) -> np.ndarray:
    """Return a column as a numpy ``StringDType`` array ('' for blanks) for string ufuncs."""
    if series.dtype != "str" and series.dtype != object:
        series = series.astype("str")
    return np.asarray(series.to_numpy(dtype=object, na_value=""), dtype=_SD)


def _id_year_matches(t: Tables) -> list[Finding]:
    out = []
    for name, col in (("studies", "study_id"), ("reviews", "review_id")):
        table = t[name]
        ids = _sd(table[col])
        year = _f(table, "year")
        suffix = np.strings.add("_", np.where(np.isnan(year), 0, year).astype(np.int64).astype(_SD))
        # id ends with _<year> or _<year><letter>; a placeholder _nd is only for blank years
        ok = np.strings.endswith(ids, suffix) | (np.strings.slice(ids, -6, -1) == suffix)
        both = table[col].notna().to_numpy() & table["year"].notna().to_numpy()
        out.append(Finding(name, col, both & ~ok))
    return out


def _randomized_matches_design(t: Tables) -> list[Finding]:
    s = t["studies"]
    rnd = _f(s, "randomized")
    mask = (_in(s, "design", RANDOMIZED_DESIGNS) & (rnd == 0)) | (
        _in(s, "design", NONRANDOMIZED_DESIGNS) & (rnd == 1)
    )
    return [Finding("studies", "randomized", mask)]


def _case_report_one_participant(t: Tables) -> list[Finding]:
    s = t["studies"]
    n = _f(s, "n_enrolled")
    return [
        Finding(
            "studies", "n_enrolled", _in(s, "design", ["case_report"]) & (n != 1) & ~np.isnan(n)
        )
    ]


def _linked_study_not_self(t: Tables) -> list[Finding]:
    s = t["studies"]
    return [
        Finding(
            "studies",
            "linked_study_id",
            (s["linked_study_id"] == s["study_id"]).fillna(False).to_numpy(bool),
        )
    ]


def _review_condition_known(t: Tables) -> list[Finding]:
    r = t["reviews"]
    known = set(t["conditions"]["id"].dropna()) | {"mixed"}
    return [
        Finding(
            "reviews", "condition", r["condition"].notna().to_numpy() & ~_in(r, "condition", known)
        )
    ]


def _included_studies_resolve(t: Tables) -> list[Finding]:
    r = t["reviews"]
    cells = r["included_study_ids"]
    present = np.flatnonzero(cells.notna().to_numpy())
    values = cells.to_numpy(dtype=object)[present]
    mask = np.zeros(len(r), dtype=bool)
    unknown_ids = np.full(len(r), "", dtype=object)
    if len(values):
        # One split over all cells (C speed); each cell contributes count(';') + 1 ids.
        parts = np.array(";".join(values).replace(" ", "").split(";"), dtype=object)
        per_cell = np.fromiter(map(operator.methodcaller("count", ";"), values), int) + 1
        row_of_part = np.repeat(present, per_cell)
        index, _ = _key_index(t, getattr(t, "memo", {}), "studies", "study_id")
        unknown = index.get_indexer(parts) < 0
        mask[row_of_part[unknown]] = True
        for row in np.flatnonzero(mask)[:MAX_PER_CHECK]:  # message detail, failing rows only
            unknown_ids[row] = ", ".join(parts[unknown & (row_of_part == row)])
    return [Finding("reviews", "included_study_ids", mask, {"unknown_ids": unknown_ids})]


_SD = np.dtypes.StringDType()
_REVIEW_LEVEL = ("first_author", "year", "title", "journal", "doi", "pmid", "review_type")


def _review_fields_consistent(t: Tables) -> list[Finding]:
    r = t["reviews"]
    groups = r.groupby("review_id", sort=False, dropna=False).ngroup().to_numpy()
    first_pos = pd.Series(np.arange(len(r))).groupby(groups).transform("min").to_numpy()
    out = []
    for col in _REVIEW_LEVEL:
        codes, _ = pd.factorize(r[col], use_na_sentinel=True)  # blank = -1, compared as a value
        mask = (codes != codes[first_pos]) & r["review_id"].notna().to_numpy()
        first = r[col].to_numpy(dtype=object, na_value=None)[first_pos]
        out.append(Finding("reviews", col, mask, {"first_value": first}))
    return out


def _registration_dates_ordered(t: Tables) -> list[Finding]:
    g = t["registrations"]
    both = g["start_date"].notna().to_numpy() & g["completion_date"].notna().to_numpy()
    if "status" in g.columns:  # withdrawn records keep whatever dates the registry printed
        both &= (g["status"] != "withdrawn").to_numpy()
    start, end = _sd(g["start_date"]), _sd(g["completion_date"])
    # Compare on the common precision: YYYY-MM against YYYY-MM-DD compares months.
    common = np.minimum(np.strings.str_len(start), np.strings.str_len(end))
    month_later = np.strings.slice(start, 0, 7) > np.strings.slice(end, 0, 7)
    later = np.where(common >= 10, start > end, month_later)
    return [Finding("registrations", "completion_date", both & later)]


RULES: tuple[Rule, ...] = (
    Rule(
        "events_within_at_risk",
        "adverse_events: events <= n_at_risk.",
        ("adverse_events.events", "adverse_events.n_at_risk"),
        "events ({value}) is larger than n_at_risk ({n_at_risk})",
        "events counts participants with the event, so it cannot exceed the participants at "
        "risk in that arm: check both numbers against the source.",
        _events_within_at_risk,
    ),
    Rule(
        "at_risk_within_enrolled",
        "adverse_events: n_at_risk <= the study's n_enrolled.",
        (
            "adverse_events.n_at_risk",
            "adverse_events.study_id",
            "studies.study_id",
            "studies.n_enrolled",
        ),
        "n_at_risk ({value}) is larger than n_enrolled ({study_n_enrolled}) of study "
        "{study_id} in studies.csv",
        "Check n_at_risk for this arm and n_enrolled of study {study_id} against the source.",
        _at_risk_within_enrolled,
    ),
    Rule(
        "arm_n_within_enrolled",
        "studies n_ldn/n_control and outcomes n_ldn/n_ctrl <= the study's n_enrolled.",
        (
            "studies.study_id",
            "studies.n_enrolled",
            "studies.n_ldn",
            "studies.n_control",
            "outcomes.study_id",
            "outcomes.n_ldn",
            "outcomes.n_ctrl",
        ),
        "{column} ({value}) is larger than the study's n_enrolled ({study_n_enrolled})",
        "An arm cannot have more participants than the study enrolled: check {column} and "
        "n_enrolled of study {study_id} against the source.",
        _arm_n_within_enrolled,
    ),
    Rule(
        "arms_sum_within_enrolled",
        "studies (not crossover): n_ldn + n_control <= n_enrolled.",
        ("studies.design", "studies.n_ldn", "studies.n_control", "studies.n_enrolled"),
        "n_ldn + n_control ({arms_total}) is larger than n_enrolled ({value}) in a {design} study",
        "Check the arm sizes and n_enrolled against the source (only crossover designs count "
        "the same participants in both arms).",
        _arms_sum_within_enrolled,
    ),
    Rule(
        "crossover_arms_equal",
        "studies (crossover designs): n_ldn == n_control (both = participants who received "
        "both treatments).",
        ("studies.design", "studies.n_ldn", "studies.n_control"),
        "n_control ({value}) differs from n_ldn ({n_ldn}) in a {design} study",
        "In crossover studies both n_ldn and n_control are the number of participants who "
        "received both treatments (say so in notes); make them equal.",
        _crossover_arms_equal,
    ),
    Rule(
        "analyzed_within_enrolled",
        "studies: n_analyzed <= n_enrolled.",
        ("studies.n_analyzed", "studies.n_enrolled"),
        "n_analyzed ({value}) is larger than n_enrolled ({n_enrolled})",
        "Check n_analyzed and n_enrolled against the source (n_enrolled counts everyone "
        "enrolled or randomized).",
        _analyzed_within_enrolled,
    ),
    Rule(
        "dose_range_ordered",
        "studies: dose_mg_min <= dose_mg_max.",
        ("studies.dose_mg_min", "studies.dose_mg_max"),
        "dose_mg_min ({value}) is larger than dose_mg_max ({dose_mg_max})",
        "Swap the two doses, or for a single dose write it in both columns.",
        _dose_range_ordered,
    ),
    Rule(
        "ci_ordered",
        "outcomes and reviews: ci_low <= ci_high.",
        ("outcomes.ci_low", "outcomes.ci_high", "reviews.ci_low", "reviews.ci_high"),
        "ci_low ({value}) is larger than ci_high ({ci_high})",
        "Check the confidence interval against the source; the lower bound goes in ci_low.",
        _ci_ordered,
    ),
    Rule(
        "estimate_within_ci",
        "outcomes and reviews: ci_low <= estimate <= ci_high.",
        (
            "outcomes.estimate",
            "outcomes.ci_low",
            "outcomes.ci_high",
            "reviews.estimate",
            "reviews.ci_low",
            "reviews.ci_high",
        ),
        "estimate ({value}) lies outside its confidence interval ({ci_low} to {ci_high})",
        "Check the estimate and the interval against the source (a sign or a ratio on the "
        "log scale is the usual cause).",
        _estimate_within_ci,
    ),
    Rule(
        "ratio_measures_positive",
        "outcomes (rr/or) and reviews (RR/OR): estimate and ci_low > 0.",
        (
            "outcomes.estimate_type",
            "outcomes.estimate",
            "outcomes.ci_low",
            "reviews.measure",
            "reviews.estimate",
            "reviews.ci_low",
        ),
        "{column} ({value}) is not positive, but risk and odds ratios are always > 0",
        "Record the ratio itself (not its logarithm), or fix estimate_type/measure if it is "
        "a difference.",
        _ratio_measures_positive,
    ),
    Rule(
        "estimate_has_type",
        "outcomes: an estimate needs estimate_type; reviews: an estimate needs measure.",
        ("outcomes.estimate", "outcomes.estimate_type", "reviews.estimate", "reviews.measure"),
        "{column} is blank although an estimate ({estimate}) is given",
        "Fill in {column} so the estimate can be interpreted (see the codebook for the "
        "allowed values).",
        _estimate_has_type,
    ),
    Rule(
        "scale_range_ordered",
        "outcomes: scale_min < scale_max.",
        ("outcomes.scale_min", "outcomes.scale_max"),
        "scale_max ({value}) is not larger than scale_min ({scale_min})",
        "Check the instrument's range against the source (lowest possible score in "
        "scale_min, highest in scale_max).",
        _scale_range_ordered,
    ),
    Rule(
        "mean_within_scale",
        "outcomes (arm_means, pre_post): means lie within [scale_min, scale_max].",
        (
            "outcomes.data_type",
            "outcomes.scale_min",
            "outcomes.scale_max",
            "outcomes.mean_ldn",
            "outcomes.mean_ctrl",
        ),
        "{column} ({value}) lies outside the instrument's range {scale_min} to {scale_max}",
        "Check the mean and the scale range against the source (a change score belongs in a "
        "change_scores row).",
        _mean_within_scale,
    ),
    Rule(
        "pre_post_consistent",
        "outcomes: data_type pre_post requires comparison ldn_pre_post.",
        ("outcomes.data_type", "outcomes.comparison"),
        "comparison is {value} but data_type is pre_post",
        "Use comparison ldn_pre_post for before/after data, or fix data_type.",
        _pre_post_consistent,
    ),
    Rule(
        "id_prefix",
        "outcome_id starts with its study_id + '_'; result_id starts with its review_id + '_'.",
        ("outcomes.outcome_id", "outcomes.study_id", "reviews.result_id", "reviews.review_id"),
        "{column} {value} does not start with this row's {parent_column} followed by '_'",
        "Rename the id to <{parent_column}>_<short name>, or correct {parent_column}.",
        _id_prefix,
    ),
    Rule(
        "id_year_matches",
        "studies.study_id and reviews.review_id end in the row's year (plus optional "
        "letter); the placeholder 'nd' only while year is blank.",
        ("studies.study_id", "studies.year", "reviews.review_id", "reviews.year"),
        "the year part of {column} {value} does not match year ({year})",
        "Ids are built from the publication year: rename the id (replace a provisional 'nd' "
        "by the year once it is known, and update every table that uses the id) or fix year.",
        _id_year_matches,
    ),
    Rule(
        "randomized_matches_design",
        "studies: rct_* designs are randomized; nonrandomized designs are not.",
        ("studies.design", "studies.randomized"),
        "randomized is {value} but design is {design}",
        "Set randomized to match the design (rct_parallel/rct_crossover: true; cohort, "
        "single-arm, case and survey designs: false), or fix the design.",
        _randomized_matches_design,
    ),
    Rule(
        "case_report_one_participant",
        "studies: a case_report has n_enrolled = 1.",
        ("studies.design", "studies.n_enrolled"),
        "a case_report has n_enrolled {value}",
        "Use n_enrolled = 1 for a case report, or design case_series for several patients.",
        _case_report_one_participant,
    ),
    Rule(
        "linked_study_not_self",
        "studies: linked_study_id is not the row's own study_id.",
        ("studies.study_id", "studies.linked_study_id"),
        "linked_study_id points to the row itself ({value})",
        "Leave linked_study_id blank, or set it to the main publication's study_id.",
        _linked_study_not_self,
    ),
    Rule(
        "review_condition_known",
        "reviews: condition is a conditions.csv id or 'mixed'.",
        ("reviews.condition", "conditions.id"),
        "condition {value} is neither an id in conditions.csv nor 'mixed'",
        "Use an id from conditions.csv, or 'mixed' for a review across several conditions.",
        _review_condition_known,
    ),
    Rule(
        "included_studies_resolve",
        "reviews: every id in included_study_ids is a study_id in studies.csv.",
        ("reviews.included_study_ids", "studies.study_id"),
        "included_study_ids lists id(s) not in studies.csv: {unknown_ids}",
        "Use study_ids from studies.csv separated by ';' (add missing studies first), or "
        "leave the cell blank and list the review's studies in notes.",
        _included_studies_resolve,
    ),
    Rule(
        "review_fields_consistent",
        "reviews: review-level columns (" + ", ".join(_REVIEW_LEVEL) + ") are the same on "
        "every row of a review_id.",
        tuple(f"reviews.{c}" for c in ("review_id", *_REVIEW_LEVEL)),
        "{column} differs from the first row of review {review_id} ({first_value})",
        "Review-level information is repeated on every row of the review: copy it from the "
        "review's first row (or give a different review a different review_id).",
        _review_fields_consistent,
    ),
    Rule(
        "registration_dates_ordered",
        "registrations (except withdrawn): start_date is not after completion_date.",
        ("registrations.start_date", "registrations.completion_date"),
        "completion_date ({value}) is before start_date ({start_date})",
        "Check both dates against the registry record.",
        _registration_dates_ordered,
    ),
)


class _RowView(dict):
    """``str.format`` mapping that shows blanks as 'blank' and unknown keys verbatim."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _run_rules(
    typed: Mapping[str, pd.DataFrame],
    files: Mapping[str, str],
    collector: _Collector,
    rules: Iterable[Rule] = RULES,
    invalid: Mapping[str, Mapping[str, np.ndarray]] | None = None,
    memo: dict[Any, Any] | None = None,
) -> None:
    """Run the registry; rows whose cells already failed a schema check are not re-reported."""
    invalid = invalid or {}
    view = _RuleTables(typed, memo)
    for rule in rules:
        usable = True
        for need in rule.needs:
            table, column = need.split(".", 1)
            if table not in typed or column not in typed[table].columns:
                usable = False
                break
        if not usable:
            continue
        try:
            findings = rule.find(view)
        except Exception as exc:  # noqa: BLE001 - a rule bug must not hide the data problems
            collector.add(
                Problem(
                    paths.DATAPACKAGE,
                    None,
                    None,
                    None,
                    f"internal error in rule {rule.id}: {exc!r}",
                    "Report this to the maintainers together with the data folder.",
                )
            )
            continue
        for finding in findings:
            table = typed[finding.table]
            mask = np.asarray(finding.mask, dtype=bool)
            for need in rule.needs:
                name, column = need.split(".", 1)
                if name == finding.table and column in invalid.get(name, {}):
                    mask = mask & ~invalid[name][column]
            if not mask.any():
                continue
            values = table[finding.column].to_numpy(dtype=object, na_value=None)

            def fmt(pos: int, template: str, table=table, finding=finding, values=values) -> str:
                view = _RowView({c: _fmt(table[c].iloc[pos]) for c in table.columns})
                view.update({k: _fmt(v[pos]) for k, v in finding.context.items()})
                view["column"] = finding.column
                view["value"] = _fmt(values[pos])
                return template.format_map(view)

            collector.add_rows(
                file=files[finding.table],
                column=finding.column,
                labels=table.index.to_numpy(),
                mask=mask,
                values=values,
                message=lambda p, fmt=fmt, rule=rule: f"{fmt(p, rule.message)} [rule {rule.id}]",
                fix=lambda p, fmt=fmt, rule=rule: fmt(p, rule.fix),
                what=f"rule {rule.id}",
            )


# --------------------------------------------------------------------------------------
# The whole package
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidatedPackage:
    """A data package that passed every check.

    Attributes
    ----------
    folder : Path
        The data folder.
    descriptor : dict
        The parsed ``datapackage.json``.
    tables : dict of str to DataFrame
        One typed frame per resource (RangeIndex; blank rows dropped).
    checksums : dict of str to str
        sha256 hex digest of every CSV file, keyed by file name.
    """

    folder: Path
    descriptor: Mapping[str, Any]
    tables: Mapping[str, pd.DataFrame]
    checksums: Mapping[str, str]


def undeclared_files(folder: str | Path | None = None) -> list[str]:
    """List the CSV files in ``folder`` that no resource of ``datapackage.json`` declares.

    Such files are neither loaded nor validated (they may belong to a table whose resource
    is still being written); ``data check`` lists them and the test suite requires every
    CSV in ``data/`` to have a resource.

    Parameters
    ----------
    folder : str or Path, optional
        The data folder; default :func:`ldn_analysis.paths.data_dir`.

    Returns
    -------
    list of str
        Sorted file names (empty when the descriptor cannot be read).
    """
    folder = Path(folder) if folder is not None else paths.data_dir()
    descriptor, _ = read_descriptor(folder)
    if descriptor is None:
        return []
    declared = {str(r.get("path")) for r in descriptor.get("resources", []) if isinstance(r, dict)}
    return sorted(p.name for p in folder.glob("*.csv") if p.name not in declared)


def validate_package(folder: str | Path | None = None) -> ValidatedPackage:
    """Read and validate the data package in ``folder``.

    Parameters
    ----------
    folder : str or Path, optional
        The data folder; default :func:`ldn_analysis.paths.data_dir` (``$LDN_DATA_DIR`` or
        ``data/``).

    Returns
    -------
    ValidatedPackage
        The descriptor, one typed DataFrame per resource and the CSV checksums.

    Raises
    ------
    DataValidationError
        With every problem found (file, 1-based data row, column, value, message, fix), when
        anything is wrong, including unreadable files. Nothing else is raised for bad data.
    """
    folder = Path(folder) if folder is not None else paths.data_dir()
    descriptor, problems = read_descriptor(folder)
    if descriptor is None:
        raise DataValidationError(problems)
    collector = _Collector()
    for p in problems:
        collector.add(p)
    resources = {
        r["name"]: r
        for r in descriptor["resources"]
        if isinstance(r, dict)
        and r.get("name")
        and r.get("path")
        and isinstance((r.get("schema") or {}).get("fields"), list)
    }
    typed: dict[str, pd.DataFrame] = {}
    invalid: dict[str, dict[str, np.ndarray]] = {}
    files: dict[str, str] = {}
    checksums: dict[str, str] = {}
    for name, res in resources.items():
        files[name] = str(res["path"])
        try:
            raw, checksum = _read_csv(folder / str(res["path"]), res, collector)
        except Exception as exc:  # noqa: BLE001 - unreadable input must name the file
            collector.add(
                Problem(
                    str(res["path"]),
                    None,
                    None,
                    None,
                    f"could not read the file: {exc}",
                    "Check that it is a comma-separated UTF-8 text file.",
                )
            )
            continue
        if checksum is not None:
            checksums[str(res["path"])] = checksum
        if raw is None or raw.fatal or raw.frame is None:
            continue
        frame = _drop_blank_and_header_rows(raw, collector)
        table, invalid[name] = _check_fields(frame, res, raw.file, collector)
        _check_primary_key(table, res, raw.file, collector)
        typed[name] = table
    memo: dict[Any, Any] = {}  # key indexes shared by foreign keys and rules
    _check_foreign_keys(typed, resources, collector, memo)
    _run_rules(typed, files, collector, invalid=invalid, memo=memo)
    if collector.problems:
        raise DataValidationError(collector.problems)
    tables = {name: frame.reset_index(drop=True) for name, frame in typed.items()}
    return ValidatedPackage(folder, descriptor, tables, checksums)


# --------------------------------------------------------------------------------------
# Summary and command
# --------------------------------------------------------------------------------------


def summarize(evidence: Evidence) -> dict[str, Any]:
    """Summarize a loaded evidence base as plain JSON-serializable values.

    Parameters
    ----------
    evidence : Evidence
        As returned by :func:`ldn_analysis.data.load_evidence`.

    Returns
    -------
    dict
        ``version``, ``data_dir``, ``n_studies`` (rows of studies.csv),
        ``n_linked_publications`` (rows with a linked_study_id),
        ``studies_by_condition_design`` (``{condition: {design: count}}``, present values
        only), ``conditions_present``, ``designs`` (vocabulary order), ``n_randomized``,
        ``n_participants`` (sum of n_enrolled over studies that are not linked secondary
        publications; blanks count 0), ``n_studies_without_n_enrolled``,
        ``n_outcome_rows``, ``n_controlled_trials`` (controlled designs, see
        :data:`CONTROLLED_DESIGNS`), ``n_controlled_trials_with_outcomes`` (with at least
        one outcome row comparing LDN with placebo or an active comparator),
        ``n_ae_rows``, ``n_studies_with_ae``, ``n_registrations``,
        ``n_registrations_linked``, ``n_reviews`` (distinct review_id),
        ``n_review_results`` and ``checksums``.
    """
    s = evidence.studies
    o = evidence.outcomes
    ae = evidence.adverse_events
    by = s.groupby(["condition", "design"], observed=True).size()
    designs = evidence.designs()
    table: dict[str, dict[str, int]] = {}
    for (cond, design), count in by.items():
        table.setdefault(str(cond), {})[str(design)] = int(count)
    table = {c: {d: table[c][d] for d in designs if d in table[c]} for c in sorted(table)}
    primary = s["linked_study_id"].isna()
    controlled = s.loc[s["design"].isin(CONTROLLED_DESIGNS), "study_id"]
    compared = o.loc[o["comparison"] != "ldn_pre_post", "study_id"]
    return {
        "version": evidence.version,
        "data_dir": str(evidence.data_dir),
        "n_studies": int(len(s)),
        "n_linked_publications": int((~primary).sum()),
        "studies_by_condition_design": table,
        "conditions_present": evidence.conditions_present(),
        "designs": designs,
        "n_randomized": int(s["randomized"].fillna(False).sum()),
        "n_participants": int(s.loc[primary, "n_enrolled"].fillna(0).sum()),
        "n_studies_without_n_enrolled": int(s["n_enrolled"].isna().sum()),
        "n_outcome_rows": int(len(o)),
        "n_controlled_trials": int(controlled.nunique()),
        "n_controlled_trials_with_outcomes": int(controlled.isin(compared).sum()),
        "n_ae_rows": int(len(ae)),
        "n_studies_with_ae": int(ae["study_id"].nunique()),
        "n_registrations": int(len(evidence.registrations)),
        "n_registrations_linked": int(evidence.registrations["linked_study_id"].notna().sum()),
        "n_reviews": int(evidence.reviews["review_id"].nunique()),
        "n_review_results": int(len(evidence.reviews)),
        "checksums": dict(evidence.checksums),
    }


def format_summary(summary: Mapping[str, Any]) -> str:
    """Render :func:`summarize` output as readable text for the terminal.

    Parameters
    ----------
    summary : mapping
        As returned by :func:`summarize`.

    Returns
    -------
    str
        Multi-line text: a condition x design table with totals, then the counts.
    """
    lines = [
        f"LDN evidence base, data version {summary['version']}",
        f"Data folder: {summary['data_dir']}",
        "All checks passed.",
        "",
    ]
    table = summary["studies_by_condition_design"]
    if table:
        frame = pd.DataFrame(table).T.reindex(columns=summary["designs"]).fillna(0).astype(int)
        frame.loc["total"] = frame.sum()
        frame["total"] = frame.sum(axis=1)
        frame.index.name = "condition \\ design"
        lines += ["Studies by condition and design:", frame.to_string(), ""]
    else:
        lines += ["No studies yet.", ""]
    n = summary
    lines += [
        f"Studies:                          {n['n_studies']} "
        f"({n['n_linked_publications']} linked secondary publication(s))",
        f"Randomized studies:               {n['n_randomized']}",
        f"Participants (sum of n_enrolled): {n['n_participants']:,} "
        f"({n['n_studies_without_n_enrolled']} stud(ies) without n_enrolled)",
        f"Outcome rows:                     {n['n_outcome_rows']}",
        f"Controlled trials with outcomes:  {n['n_controlled_trials_with_outcomes']} of "
        f"{n['n_controlled_trials']} controlled trials",
        f"Studies with adverse-event data:  {n['n_studies_with_ae']} ({n['n_ae_rows']} rows)",
        f"Registrations:                    {n['n_registrations']} "
        f"({n['n_registrations_linked']} linked to a study)",
        f"Reviews:                          {n['n_reviews']} ({n['n_review_results']} result rows)",
        f"Data version:                     {n['version']}",
    ]
    return "\n".join(lines)


def check_command(data_dir: str | Path | None = None) -> int:
    """Validate the evidence base and print a summary or the problems.

    This is the body of ``python -m ldn_analysis data check [--data-dir DIR]``.

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder; default ``$LDN_DATA_DIR`` or ``data/``.

    Returns
    -------
    int
        0 when the data are valid (summary printed to stdout); 1 when there are problems
        (listed on stderr, one per line, each with its fix; no traceback).
    """
    from ldn_analysis.data import load_evidence

    folder = Path(data_dir) if data_dir is not None else paths.data_dir()
    try:
        evidence = load_evidence(folder)
    except DataValidationError as exc:
        print(f"Data check FAILED for {folder}", file=sys.stderr)
        print(str(exc), file=sys.stderr)
        print(
            "Fix the problems above (rows are data rows: row 1 is the first row under the "
            "header, spreadsheet row 2) and run the check again.",
            file=sys.stderr,
        )
        return 1
    except LDNError as exc:
        print(f"Data check FAILED for {folder}: {exc}", file=sys.stderr)
        return 1
    print(format_summary(summarize(evidence)))
    extra = undeclared_files(folder)
    if extra:
        print(
            f"\nNote: {', '.join(extra)} not checked: no resource in datapackage.json "
            "(add one with its Table Schema)."
        )
    return 0
