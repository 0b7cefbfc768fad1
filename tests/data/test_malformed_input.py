"""Broken data folders always become one DataValidationError naming file, row and column.

Each case copies the valid fake fixture folder, breaks it in one hypothesis-chosen way
(missing/extra/duplicate columns, wrong types, zero or negative counts, events > at risk,
duplicate ids, unknown conditions, dangling foreign keys, empty files, byte-order marks,
non-UTF-8 bytes, NaN/inf, absurd values, ragged rows) and checks that:

- ``load_evidence`` raises ``DataValidationError`` (never another exception);
- one problem names the broken file, the data row (1-based, header excluded) where a row
  applies, and the column where a column applies;
- the folder is byte-for-byte unchanged afterwards.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ldn_analysis.data.check import check_command
from ldn_analysis.data.evidence import load_evidence
from ldn_analysis.errors import DataValidationError, Problem

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
FIXTURE = ROOT / "tests" / "fixtures" / "evidence_valid"
DESCRIPTOR = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = {r["name"]: r for r in DESCRIPTOR["resources"]}
EVIDENCE = tuple(n for n in RESOURCES if n not in ("conditions", "claims", "news_criteria"))
TABLES = (*EVIDENCE, "conditions")  # every table the curators write
CONDITIONS = [row["id"] for row in csv.DictReader((DATA / "conditions.csv").open(encoding="utf-8"))]

SETTINGS = settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
PER_KIND = settings(SETTINGS, max_examples=6)


# ----------------------------------------------------------------------------- helpers


@dataclass(frozen=True)
class Expect:
    """Where the problem must be reported (None = not applicable)."""

    file: str
    row: int | None
    column: str | None
    text: str | None = None


def make_folder(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for f in FIXTURE.glob("*.csv"):
        shutil.copy(f, dest / f.name)
    shutil.copy(DATA / "datapackage.json", dest / "datapackage.json")
    shutil.copy(DATA / "conditions.csv", dest / "conditions.csv")
    return dest


def read_rows(folder: Path, table: str) -> list[list[str]]:
    with (folder / f"{table}.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def to_text(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue()


def write_rows(folder: Path, table: str, rows: list[list[str]]) -> None:
    (folder / f"{table}.csv").write_bytes(to_text(rows).encode("utf-8"))


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def fields(table: str, pred: Callable[[dict], bool]) -> list[str]:
    return [f["name"] for f in RESOURCES[table]["schema"]["fields"] if pred(f)]


def field(table: str, name: str) -> dict:
    return next(f for f in RESOURCES[table]["schema"]["fields"] if f["name"] == name)


def cons(f: dict) -> dict:
    return f.get("constraints") or {}


TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00\ufeff"), max_size=12)


def draw_cell(data, folder: Path, tables=TABLES, pred=lambda f: True):
    """Draw (table, rows, data row number, column) with a column satisfying pred."""
    choices = [(t, c) for t in tables for c in fields(t, pred)]
    table, column = data.draw(st.sampled_from(choices), label="table.column")
    rows = read_rows(folder, table)
    row = data.draw(st.integers(1, len(rows) - 1), label="data row")
    return table, rows, row, column


def set_value(folder, table, rows, row, column, value) -> None:
    rows[row][rows[0].index(column)] = value
    write_rows(folder, table, rows)


# ------------------------------------------------------------------------ corruptions


def missing_column(data, folder):
    table = data.draw(st.sampled_from(TABLES), label="table")
    rows = read_rows(folder, table)
    column = data.draw(st.sampled_from(rows[0]), label="column")
    j = rows[0].index(column)
    write_rows(folder, table, [r[:j] + r[j + 1 :] for r in rows])
    return Expect(f"{table}.csv", None, column, "missing")


def extra_column(data, folder):
    table = data.draw(st.sampled_from(TABLES), label="table")
    rows = read_rows(folder, table)
    name = data.draw(
        st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True).filter(lambda n: n not in rows[0]),
        label="name",
    )
    pos = data.draw(st.integers(0, len(rows[0])), label="position")
    values = data.draw(st.lists(TEXT, min_size=len(rows) - 1, max_size=len(rows) - 1))
    new = [r[:pos] + [v] + r[pos:] for r, v in zip(rows, [name, *values], strict=True)]
    write_rows(folder, table, new)
    return Expect(f"{table}.csv", None, name, "unexpected")


def duplicate_column(data, folder):
    table = data.draw(st.sampled_from(TABLES), label="table")
    rows = read_rows(folder, table)
    column = data.draw(st.sampled_from(rows[0]), label="column")
    j = rows[0].index(column)
    pos = data.draw(st.integers(0, len(rows[0])), label="position")
    write_rows(folder, table, [r[:pos] + [r[j]] + r[pos:] for r in rows])
    return Expect(f"{table}.csv", None, column, "twice")


BAD_TEXT = {
    "integer": ["abc", "12.5", "1,000", "n/a", "NA", "-", "?", "12 mg", "1e3", "3-5", "ten"],
    "number": ["abc", "1,5", "4.5 mg", "n/a", "NA", "-", "?", "<0.05", "3-5", "5%", "1.2.3"],
    "boolean": ["yes", "no", "1", "0", "TRUE", "False", "Y", "t"],
}


def wrong_type(data, folder):
    table, rows, row, column = draw_cell(
        data, folder, EVIDENCE, lambda f: f["type"] in ("integer", "number", "boolean")
    )
    kind = field(table, column)["type"]
    letters = st.from_regex(r"[A-Za-z][A-Za-z %]{0,8}", fullmatch=True).filter(
        lambda v: v not in ("true", "false")
    )
    value = data.draw(st.sampled_from(BAD_TEXT[kind]) | letters, label="value")
    set_value(folder, table, rows, row, column, value)
    return Expect(f"{table}.csv", row, column)


def non_positive_count(data, folder):
    table, rows, row, column = draw_cell(
        data, folder, EVIDENCE, lambda f: f["type"] == "integer" and "minimum" in cons(f)
    )
    low = cons(field(table, column))["minimum"]
    value = data.draw(st.integers(-(10**6), low - 1), label="value")
    set_value(folder, table, rows, row, column, str(value))
    return Expect(f"{table}.csv", row, column, "at least")


def events_above_at_risk(data, folder):
    rows = read_rows(folder, "adverse_events")
    row = data.draw(st.integers(1, len(rows) - 1), label="data row")
    at_risk = int(rows[row][rows[0].index("n_at_risk")])
    value = at_risk + data.draw(st.integers(1, 1000), label="excess")
    set_value(folder, "adverse_events", rows, row, "events", str(value))
    return Expect("adverse_events.csv", row, "events", "events_within_at_risk")


def duplicate_id(data, folder):
    keys = {t: RESOURCES[t]["schema"]["primaryKey"] for t in TABLES}
    table = data.draw(st.sampled_from([t for t in TABLES if isinstance(keys[t], str)]))
    rows = read_rows(folder, table)
    first = data.draw(st.integers(1, len(rows) - 2), label="first row")
    second = data.draw(st.integers(first + 1, len(rows) - 1), label="second row")
    j = rows[0].index(keys[table])
    rows[second][j] = rows[first][j]
    write_rows(folder, table, rows)
    return Expect(f"{table}.csv", second, keys[table], "duplicate")


def unknown_condition(data, folder):
    table = data.draw(st.sampled_from(["studies", "registrations", "reviews"]), label="table")
    rows = read_rows(folder, table)
    row = data.draw(st.integers(1, len(rows) - 1), label="data row")
    value = data.draw(
        st.from_regex(r"[a-z][a-z_]{2,15}", fullmatch=True).filter(
            lambda c: c not in CONDITIONS and c != "mixed"
        ),
        label="condition",
    )
    set_value(folder, table, rows, row, "condition", value)
    return Expect(f"{table}.csv", row, "condition")


def dangling_foreign_key(data, folder):
    table, column = data.draw(
        st.sampled_from(
            [
                ("outcomes", "study_id"),
                ("adverse_events", "study_id"),
                ("registrations", "linked_study_id"),
                ("studies", "linked_study_id"),
            ]
        ),
        label="table.column",
    )
    rows = read_rows(folder, table)
    row = data.draw(st.integers(1, len(rows) - 1), label="data row")
    value = data.draw(
        st.from_regex(r"zz[a-z]{0,6}_(19[89][0-9]|20[0-2][0-9])[a-z]?", fullmatch=True)
    )
    set_value(folder, table, rows, row, column, value)
    return Expect(f"{table}.csv", row, column, "studies.csv")


def empty_file(data, folder):
    table = data.draw(st.sampled_from(TABLES), label="table")
    content = data.draw(st.sampled_from([b"", b"\n", b"  \r\n", b"\r\n\r\n"]), label="content")
    (folder / f"{table}.csv").write_bytes(content)
    return Expect(f"{table}.csv", None, None, "empty")


def byte_order_mark(data, folder):
    table = data.draw(st.sampled_from(TABLES), label="table")
    path = folder / f"{table}.csv"
    variant = data.draw(st.sampled_from(["utf-16", "utf-32", "in a cell", "joined files"]))
    if variant in ("utf-16", "utf-32"):
        path.write_bytes(path.read_text(encoding="utf-8").encode(variant))
        return Expect(f"{table}.csv", None, None, variant.upper())
    rows = read_rows(folder, table)
    if variant == "joined files":
        raw = path.read_bytes()
        path.write_bytes(raw + b"\xef\xbb\xbf" + raw)
        return Expect(f"{table}.csv", len(rows), rows[0][0], "byte-order mark")
    row = data.draw(st.integers(1, len(rows) - 1), label="data row")
    column = data.draw(st.sampled_from(rows[0]), label="column")
    cell = rows[row][rows[0].index(column)]
    at = data.draw(st.integers(0, len(cell)), label="position")
    set_value(folder, table, rows, row, column, cell[:at] + "\ufeff" + cell[at:])
    return Expect(f"{table}.csv", row, column, "byte-order mark")


def non_utf8_bytes(data, folder):
    table = data.draw(st.sampled_from(TABLES), label="table")
    rows = read_rows(folder, table)
    row = data.draw(st.integers(1, len(rows) - 1), label="data row")
    column = data.draw(st.sampled_from(rows[0]), label="column")
    bad = data.draw(st.lists(st.integers(0x80, 0xFF), min_size=1, max_size=4).map(bytes))
    try:
        bad.decode("utf-8")
        bad = b"\xff" + bad  # valid UTF-8 by chance: make it invalid
    except UnicodeDecodeError:
        pass
    cell = rows[row][rows[0].index(column)]
    at = data.draw(st.integers(0, len(cell)), label="position")
    marker = "QQQ_MARKER_QQQ"
    rows[row][rows[0].index(column)] = cell[:at] + marker + cell[at:]
    raw = to_text(rows).encode("utf-8").replace(marker.encode(), bad)
    (folder / f"{table}.csv").write_bytes(raw)
    return Expect(f"{table}.csv", row, column, "not valid UTF-8")


def nan_or_inf(data, folder):
    table, rows, row, column = draw_cell(
        data, folder, EVIDENCE, lambda f: f["type"] in ("integer", "number")
    )
    value = data.draw(
        st.sampled_from(
            ["NaN", "nan", "NAN", "inf", "-inf", "+inf", "Infinity", "-Infinity", "INF", "1e400"]
        ),
        label="value",
    )
    set_value(folder, table, rows, row, column, value)
    return Expect(f"{table}.csv", row, column)


def absurd_value(data, folder):
    table, rows, row, column = draw_cell(
        data,
        folder,
        EVIDENCE,
        lambda f: (
            f["type"] in ("integer", "number") and ("maximum" in cons(f) or "minimum" in cons(f))
        ),
    )
    c = cons(field(table, column))
    integer = field(table, column)["type"] == "integer"
    options = []
    if "maximum" in c:
        hi = c["maximum"]
        options.append(
            st.integers(int(hi) + 1, 10**12).map(str)
            if integer
            else st.floats(hi + 1, 1e300, allow_nan=False, allow_infinity=False).map(repr)
        )
        options.append(st.just(str(10**9)))
    if "minimum" in c:
        lo = c["minimum"]
        options.append(
            st.integers(-(10**12), int(lo) - 1).map(str)
            if integer
            else st.floats(-1e300, lo - 1, allow_nan=False, allow_infinity=False).map(repr)
        )
    value = data.draw(st.one_of(options), label="value")
    if value == str(10**9) and "maximum" in c and c["maximum"] >= 10**9:
        value = str(10**12)
    set_value(folder, table, rows, row, column, value)
    return Expect(f"{table}.csv", row, column, "must be")


def ragged_row(data, folder):
    table = data.draw(st.sampled_from(TABLES), label="table")
    rows = read_rows(folder, table)
    row = data.draw(st.integers(1, len(rows) - 1), label="data row")
    width = len(rows[0])
    if data.draw(st.booleans(), label="too few values"):
        keep = data.draw(st.integers(1, width - 1), label="values kept")
        rows[row] = rows[row][:keep]
        column = rows[0][keep]
    else:
        rows[row] = rows[row] + data.draw(st.lists(TEXT, min_size=1, max_size=3))
        column = rows[0][-1]
    write_rows(folder, table, rows)
    return Expect(f"{table}.csv", row, column, "values")


KINDS = {
    f.__name__: f
    for f in (
        missing_column,
        extra_column,
        duplicate_column,
        wrong_type,
        non_positive_count,
        events_above_at_risk,
        duplicate_id,
        unknown_condition,
        dangling_foreign_key,
        empty_file,
        byte_order_mark,
        non_utf8_bytes,
        nan_or_inf,
        absurd_value,
        ragged_row,
    )
}


# ----------------------------------------------------------------------------- checks


def assert_reported(folder: Path, expect: Expect) -> list[Problem]:
    before = digest(folder)
    with pytest.raises(DataValidationError) as info:
        load_evidence(folder)
    assert digest(folder) == before, "the loader changed the data folder"
    problems = info.value.problems
    assert problems and all(isinstance(p, Problem) for p in problems)
    assert all(p.file and p.message and p.fix for p in problems)
    hits = [
        p
        for p in problems
        if p.file == expect.file
        and (expect.row is None or p.row == expect.row)
        and (expect.column is None or p.column == expect.column)
        and (expect.text is None or expect.text in p.message)
    ]
    listing = "\n".join(map(str, problems))
    assert hits, f"expected a problem at {expect}; got:\n{listing}"
    if expect.text == "not valid UTF-8":  # the byte offset must point at the bad byte
        raw = (folder / expect.file).read_bytes()
        offset = int(re.search(r"byte offset (\d+)", hits[0].message).group(1))
        raw[:offset].decode("utf-8")
        with pytest.raises(UnicodeDecodeError) as bad:
            raw[offset:].decode("utf-8")
        assert bad.value.start == 0
    return problems


def run_case(kind: str, data) -> None:
    with tempfile.TemporaryDirectory(prefix="ldn-malformed-") as tmp:
        folder = make_folder(Path(tmp) / "evidence")
        expect = KINDS[kind](data, folder)
        assert_reported(folder, expect)


@SETTINGS
@given(kind=st.sampled_from(sorted(KINDS)), data=st.data())
def test_any_broken_folder_is_reported_precisely(kind, data):
    run_case(kind, data)


@pytest.mark.parametrize("kind", sorted(KINDS))
@PER_KIND
@given(data=st.data())
def test_each_kind_of_breakage_is_reported_precisely(kind, data):
    run_case(kind, data)


def test_valid_fixture_with_utf8_bom_is_not_broken(tmp_path):
    folder = make_folder(tmp_path / "evidence")
    for table in TABLES:
        path = folder / f"{table}.csv"
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert len(load_evidence(folder).studies) == 6


def test_check_command_on_a_broken_folder(tmp_path, capsys):
    folder = make_folder(tmp_path / "evidence")
    raw = (folder / "studies.csv").read_bytes()
    (folder / "studies.csv").write_bytes(raw.replace(b"Journal of Fake", b"Journ\xe9l of Fake"))
    rows = read_rows(folder, "adverse_events")
    set_value(folder, "adverse_events", rows, 2, "events", "99")
    (folder / "reviews.csv").write_bytes(b"")
    before = digest(folder)
    assert check_command(folder) == 1
    out = capsys.readouterr()
    text = out.out + out.err
    assert "Traceback" not in text
    assert "studies.csv, row 1, column 'journal'" in text
    assert "adverse_events.csv, row 2, column 'events'" in text
    assert "reviews.csv: file is empty" in text
    assert digest(folder) == before
