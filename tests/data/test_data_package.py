"""The data package: descriptor, conditions vocabulary, fixture, every check and rule."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import re
import shutil
from pathlib import Path

import frictionless
import pandas as pd
import pytest

from ldn_analysis import vocab
from ldn_analysis.data.check import check_command, summarize
from ldn_analysis.data.evidence import Evidence, load_evidence
from ldn_analysis.data.validation import MAX_PER_CHECK, RULES, rule, undeclared_files
from ldn_analysis.errors import DataValidationError, Problem

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
FIXTURE = ROOT / "tests" / "fixtures" / "evidence_valid"
CORE = ("studies", "outcomes", "adverse_events", "registrations", "reviews", "conditions")
SPEC_CONDITIONS = [
    "fibromyalgia", "crohns_disease", "ulcerative_colitis", "ibd_mixed", "diabetic_neuropathy",
    "neuropathic_pain_other", "chronic_low_back_pain", "rheumatoid_arthritis",
    "arthritis_other", "crps", "multiple_sclerosis", "interstitial_cystitis", "long_covid",
    "me_cfs", "gulf_war_illness", "headache", "mixed_chronic_pain", "dermatologic", "other",
    "depression", "hiv", "cancer", "endometriosis", "vulvodynia",  # added in 2.0.0
]  # fmt: skip


# ----------------------------------------------------------------------------- helpers


def make_folder(dest: Path) -> Path:
    """Copy the valid fixture CSVs plus the real descriptor and vocabulary into dest."""
    dest.mkdir(parents=True, exist_ok=True)
    for f in FIXTURE.glob("*.csv"):
        shutil.copy(f, dest / f.name)
    shutil.copy(DATA / "datapackage.json", dest / "datapackage.json")
    shutil.copy(DATA / "conditions.csv", dest / "conditions.csv")
    return dest


def read_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def set_cell(folder: Path, file: str, row: int, column: str, value: str) -> None:
    """Set a cell; ``row`` is the 1-based data row (header excluded)."""
    rows = read_rows(folder / file)
    rows[row][rows[0].index(column)] = value
    write_rows(folder / file, rows)


def problems_of(folder: Path) -> list[Problem]:
    with pytest.raises(DataValidationError) as info:
        load_evidence(folder)
    assert info.value.problems, "DataValidationError without problems"
    return info.value.problems


def find(
    problems: list[Problem], file: str, row: int | None, column: str | None, text: str | None = None
) -> Problem:
    for p in problems:
        if (
            p.file == file
            and p.row == row
            and p.column == column
            and (text is None or text in p.message)
        ):
            return p
    listing = "\n".join(map(str, problems))
    raise AssertionError(f"no problem at {file}, row {row}, column {column} ({text}):\n{listing}")


def folder_digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return make_folder(tmp_path / "evidence")


def descriptor() -> dict:
    return json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))


# ----------------------------------------------------------------------- the descriptor


def test_descriptor_is_a_versioned_tabular_data_package():
    d = descriptor()
    assert d["profile"] == "tabular-data-package"
    assert re.fullmatch(r"\d+\.\d+\.\d+", d["version"])
    assert d["changelog"][0]["version"] == d["version"], "newest changelog entry first"
    assert all({"version", "date", "changes"} <= set(e) for e in d["changelog"])
    names = [r["name"] for r in d["resources"]]
    assert set(CORE) <= set(names)
    for res in d["resources"]:
        assert res["profile"] == "tabular-data-resource"
        assert res["path"] == f"{res['name']}.csv"
        schema = res["schema"]
        assert schema["primaryKey"], res["name"]
        for fd in schema["fields"]:
            assert fd["type"] in {"string", "integer", "number", "boolean"}, fd
            assert fd.get("description"), f"{res['name']}.{fd['name']} has no description"
            if "enum" in fd.get("constraints", {}):
                assert fd["constraints"]["enum"], fd["name"]
        # conditions: the project's own vocabulary; searches/screening: the search log,
        # whose provenance is the query (a hit without an address has a blank record_url).
        if res["name"] not in {"conditions", "searches", "screening"}:
            urls = [fd for fd in schema["fields"] if fd["name"] in ("source_url", "criteria_url")]
            assert urls and urls[0]["constraints"]["required"], res["name"]
            assert urls[0]["constraints"]["pattern"].startswith("^https?://")


def test_descriptor_declares_the_foreign_keys():
    d = {r["name"]: r for r in descriptor()["resources"]}

    def fks(name):
        return {
            (fk["fields"], fk["reference"]["resource"], fk["reference"]["fields"])
            for fk in d[name]["schema"].get("foreignKeys", [])
        }

    assert ("study_id", "studies", "study_id") in fks("outcomes")
    assert ("study_id", "studies", "study_id") in fks("adverse_events")
    assert ("condition", "conditions", "id") in fks("studies")
    assert ("linked_study_id", "", "study_id") in fks("studies")
    assert ("linked_study_id", "studies", "study_id") in fks("registrations")
    assert ("study_id", "studies", "study_id") in fks("risk_of_bias")
    assert ("search_id", "searches", "search_id") in fks("screening")
    assert ("study_id", "studies", "study_id") in fks("screening")
    # reviews.condition may also be 'mixed': checked by a registry rule instead.
    assert "review_condition_known" in {r.id for r in RULES}


def test_claims_tables_are_declared():
    d = descriptor()
    names = {r["name"] for r in d["resources"]}
    reserved = {r["name"] for r in d.get("x-reserved-resources", [])}
    assert {"claims", "news_criteria"} <= names and not reserved


def test_conditions_csv_is_the_spec_vocabulary():
    frame = pd.read_csv(DATA / "conditions.csv", dtype=str, keep_default_na=False)
    assert list(frame.columns) == ["id", "label", "category", "source_url", "notes"]
    assert frame["id"].tolist() == SPEC_CONDITIONS
    assert set(frame["category"]) <= {
        "centralized",
        "inflammatory",
        "neuropathic",
        "autoimmune",
        "other",
    }
    assert frame["source_url"].str.startswith("data/README.md").all()
    assert frame["notes"].str.contains("codebook").all()


def test_every_csv_in_data_has_a_resource():
    declared = {r["path"] for r in descriptor()["resources"]}
    on_disk = {p.name for p in DATA.glob("*.csv")}
    assert on_disk <= declared, f"CSV files without a resource: {sorted(on_disk - declared)}"


def test_every_resource_has_a_csv_in_the_fixture_folder(folder):
    declared = {r["path"] for r in descriptor()["resources"]}
    assert declared == {p.name for p in folder.glob("*.csv")}


def test_real_data_validates():
    declared = {r["path"] for r in descriptor()["resources"]}
    missing = sorted(p for p in declared if not (DATA / p).exists())
    assert not missing, f"resources without a CSV in data/: {missing}"
    evidence = load_evidence(DATA)
    assert len(evidence.studies) > 0


def test_frictionless_validates_the_same_descriptor(folder):
    """Curators can run `frictionless validate data/datapackage.json` (Data Package v2)."""
    assert descriptor()["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    for where in (DATA, folder):
        report = frictionless.validate(str(where / "datapackage.json"))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])[:5]


def test_frictionless_errors_are_worded_as_problems(folder):
    set_cell(folder, "studies.csv", 1, "design", "RCT")
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert not report.valid  # the library sees it...
    problem = find(problems_of(folder), "studies.csv", 1, "design", "allowed values")
    assert "Did you mean" in problem.fix or "Use one of" in problem.fix  # ...we word it


# ------------------------------------------------------------------------ the fixture


def test_fixture_loads_with_schema_dtypes(folder):
    before = folder_digest(folder)
    ev = load_evidence(folder)
    assert folder_digest(folder) == before, "load_evidence must not write anything"
    assert isinstance(ev, Evidence)
    assert ev.version == descriptor()["version"]
    assert ev.data_dir == folder.resolve()
    assert ev.claims is not None and len(ev.claims) == 1  # the fake claims fixture
    assert set(CORE) <= set(ev.tables)
    for name in CORE:
        frame = getattr(ev, name)
        assert isinstance(frame.index, pd.RangeIndex)
        assert frame.columns.tolist() == read_rows(folder / f"{name}.csv")[0]
    s = ev.studies
    assert s["study_id"].dtype == "str"
    assert s["pmid"].dtype == "str", "identifiers stay strings"
    assert str(s["n_enrolled"].dtype) == "Int64"
    assert s["dose_mg_min"].dtype == "float64"
    assert str(s["randomized"].dtype) == "boolean"
    assert s["nct_id"].isna().sum() == 5, "blank cells are missing values"
    assert s.loc[s.study_id == "fake_2001", "pmid"].item() == "99999001"
    assert (
        ev.checksums["studies.csv"]
        == hashlib.sha256((folder / "studies.csv").read_bytes()).hexdigest()
    )
    assert set(ev.checksums) == {f"{n}.csv" for n in ev.tables}
    with pytest.raises(AttributeError):
        ev.version = "9.9.9"  # frozen


def test_helpers(folder):
    ev = load_evidence(folder)
    assert ev.conditions_present() == [
        "crohns_disease",
        "crps",
        "fibromyalgia",
        "multiple_sclerosis",
    ]
    assert ev.designs() == [
        "rct_parallel",
        "rct_crossover",
        "open_label_single_arm",
        "retrospective_cohort",
        "case_report",
    ]
    assert ev.designs("fibromyalgia") == ["rct_crossover", "retrospective_cohort"]
    assert ev.outcome_ids() == ["pain", "function", "fatigue", "remission"]  # vocabulary order
    assert ev.outcome_ids("fibromyalgia") == ["pain", "fatigue"]
    assert ev.outcome_ids("crohns_disease") == ["function", "remission"]
    assert ev.outcome_ids("headache") == []


def test_summarize_counts(folder):
    summary = summarize(load_evidence(folder))
    json.dumps(summary)  # plain values only
    assert summary["n_studies"] == 6
    assert summary["n_randomized"] == 2
    assert summary["n_participants"] == 30 + 40 + 12 + 1 + 200  # linked fake_2005b excluded
    assert summary["n_linked_publications"] == 1
    assert summary["studies_by_condition_design"]["fibromyalgia"] == {
        "rct_crossover": 1,
        "retrospective_cohort": 2,
    }
    assert summary["n_outcome_rows"] == 5
    assert summary["n_controlled_trials"] == 2
    assert summary["n_controlled_trials_with_outcomes"] == 2
    assert summary["n_studies_with_ae"] == 3
    assert summary["n_registrations"] == 3
    assert summary["n_reviews"] == 2
    assert summary["n_review_results"] == 3
    assert summary["n_with_doi_or_pmid"] == 2
    assert summary["n_studies_overlapping"] == 2  # fake_2003 and fake_2005
    assert summary["n_rob_trials"] == 2
    assert summary["prisma"] == {
        "searches": 2,
        "identified": 6,
        "duplicates": 1,
        "screened": 5,
        "excluded": 3,
        "excluded_by_reason": {"review_or_commentary": 1, "already_in_data": 1, "not_ldn_dose": 1},
        "included": 2,
        "included_studies": 2,
        "registrations_added": 0,
    }


def test_check_command_prints_summary(folder, capsys):
    assert check_command(folder) == 0
    out = capsys.readouterr().out
    assert "Studies by condition and design" in out
    assert "fibromyalgia" in out and "rct_crossover" in out
    assert "Data version:" in out and descriptor()["version"] in out
    assert "Records screened:" in out and "Studies with a DOI or PMID:       2 of 6" in out


def test_check_command_uses_env_data_dir(folder, monkeypatch, capsys):
    monkeypatch.setenv("LDN_DATA_DIR", str(folder))
    assert check_command() == 0
    assert str(folder) in capsys.readouterr().out


def test_utf8_bom_crlf_lf_and_blank_lines_are_accepted(folder):
    raw = (folder / "studies.csv").read_bytes()
    (folder / "studies.csv").write_bytes(b"\xef\xbb\xbf" + raw)
    out = (folder / "outcomes.csv").read_bytes().replace(b"\r\n", b"\n")
    (folder / "outcomes.csv").write_bytes(out + b"\n,,,,,,,,,,,,,,,,,,,,,,,,,\n")
    ev = load_evidence(folder)
    assert len(ev.studies) == 6 and len(ev.outcomes) == 5


def test_row_numbers_count_blank_lines_like_a_spreadsheet(folder):
    rows = (folder / "adverse_events.csv").read_bytes().split(b"\r\n")
    rows.insert(2, b"")  # blank line after data row 1: data row 3 is the old row 2
    (folder / "adverse_events.csv").write_bytes(b"\r\n".join(rows))
    set_cell(folder, "adverse_events.csv", 3, "events", "99")
    find(problems_of(folder), "adverse_events.csv", 3, "events", "events_within_at_risk")


# ------------------------------------------------------------------ one check at a time

CASES = json.loads((FIXTURE / "broken_cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("file", "row", "column", "value", "text"),
    [(*c["edit"], c["text"]) for c in CASES["schema"]],
    ids=[c["id"] for c in CASES["schema"]],
)
def test_schema_check_catches_its_broken_fixture(folder, file, row, column, value, text):
    set_cell(folder, file, row, column, value)
    problem = find(problems_of(folder), file, row, column, text)
    assert problem.fix and problem.fix.endswith((".", "?"))


def _rule_cases(kind: str) -> list:
    return [(c["rule"], c["edits"], c["where"]) for c in CASES[kind]]


RULE_CASES, WARNING_CASES = _rule_cases("rules"), _rule_cases("warnings")


@pytest.mark.parametrize(
    ("rule_id", "edits", "where"), RULE_CASES, ids=[f"{c[0]}-{c[2][0]}" for c in RULE_CASES]
)
def test_rule_catches_its_broken_fixture(folder, rule_id, edits, where):
    for file, row, column, value in edits:
        set_cell(folder, file, row, column, value)
    problem = find(problems_of(folder), *where, text=f"[rule {rule_id}]")
    assert "{" not in problem.message and "{" not in problem.fix, "unformatted template"


@pytest.mark.parametrize(
    ("rule_id", "edits", "where"), WARNING_CASES, ids=[f"{c[0]}-{c[2][0]}" for c in WARNING_CASES]
)
def test_warning_rule_reports_and_loads(folder, rule_id, edits, where, capsys):
    for file, row, column, value in edits:
        set_cell(folder, file, row, column, value)
    warnings = list(load_evidence(folder).warnings)
    problem = find(warnings, *where, text=f"[warning {rule_id}]")
    assert "{" not in problem.message and "{" not in problem.fix, "unformatted template"
    assert check_command(folder) == 0
    assert f"[warning {rule_id}]" in capsys.readouterr().out


def test_bare_ip_with_a_citable_study_is_not_flagged(folder):
    set_cell(folder, "studies.csv", 1, "source_url", "http://192.0.2.7/fake_2001")  # has a DOI
    assert load_evidence(folder).warnings == ()


def test_every_rule_has_a_broken_fixture():
    errors = {r.id for r in RULES if r.severity == "error"}
    warnings = {r.id for r in RULES if r.severity == "warning"}
    assert errors == {c[0] for c in RULE_CASES}
    assert warnings == {c[0] for c in WARNING_CASES}
    assert len({r.id for r in RULES}) == len(RULES), "rule ids must be unique"


# -------------------------------------------------------------- header and file checks


def test_missing_extra_and_duplicate_columns(folder):
    rows = read_rows(folder / "studies.csv")
    j = rows[0].index("journal")
    write_rows(folder / "studies.csv", [r[:j] + r[j + 1 :] for r in rows])
    rows = read_rows(folder / "outcomes.csv")
    write_rows(
        folder / "outcomes.csv",
        [r + [v] for r, v in zip(rows, ["mystery"] + ["x"] * 5, strict=True)],
    )
    rows = read_rows(folder / "registrations.csv")
    write_rows(folder / "registrations.csv", [r + [r[2]] for r in rows])
    problems = problems_of(folder)
    find(problems, "studies.csv", None, "journal", "missing")
    find(problems, "outcomes.csv", None, "mystery", "unexpected")
    find(problems, "registrations.csv", None, "title", "twice")


def test_csv_without_resource_is_listed_not_loaded(folder, capsys):
    (folder / "extra_notes.csv").write_text("note_id\nfake_note_1\n", encoding="utf-8")
    assert undeclared_files(folder) == ["extra_notes.csv"]
    assert not hasattr(load_evidence(folder), "extra_notes")
    assert check_command(folder) == 0
    assert "extra_notes.csv not checked" in capsys.readouterr().out


def test_resource_without_csv_is_a_problem(folder):
    (folder / "reviews.csv").unlink()
    find(problems_of(folder), "reviews.csv", None, None, "missing")


def test_placeholder_ids_and_blank_unknowns_are_accepted(folder):
    """Curators leave unknowns blank and use documented placeholder ids (SPEC: blank = unknown)."""
    set_cell(folder, "studies.csv", 4, "study_id", "fake_nd")
    set_cell(folder, "studies.csv", 4, "year", "")
    set_cell(folder, "studies.csv", 4, "first_author", "")
    set_cell(folder, "studies.csv", 4, "title", "")
    set_cell(folder, "studies.csv", 4, "comparator", "")
    set_cell(folder, "adverse_events.csv", 6, "n_at_risk", "")
    set_cell(folder, "registrations.csv", 3, "completion_date", "2018-01")  # withdrawn
    set_cell(folder, "registrations.csv", 2, "status", "pending")  # as printed
    ev = load_evidence(folder)
    assert "fake_nd" in set(ev.studies["study_id"])
    assert ev.studies["year"].isna().sum() == 1


def test_broken_descriptor_is_reported(folder):
    (folder / "datapackage.json").write_text('{"resources": [', encoding="utf-8")
    problem = problems_of(folder)[0]
    assert problem.file == "datapackage.json" and "line 1" in problem.message


def test_descriptor_rejected_by_frictionless_is_reported(folder):
    d = descriptor()
    del d["$schema"]  # Data Package v1: exclusiveMinimum is not allowed
    (folder / "datapackage.json").write_text(json.dumps(d), encoding="utf-8")
    problems = problems_of(folder)
    assert any(p.file == "datapackage.json" and "Frictionless" in p.message for p in problems)


def test_rule_ids_are_registered_once():
    with pytest.raises(ValueError, match="registered twice"):
        rule(RULES[0].id, "again", needs=(), message="", fix="")(lambda t: [])


def test_missing_folder_is_reported(tmp_path):
    problem = problems_of(tmp_path / "nowhere")[0]
    assert "does not exist" in problem.message


def test_problems_are_capped_per_check(folder):
    rows = read_rows(folder / "adverse_events.csv")
    base = rows[1]
    extra = []
    for i in range(MAX_PER_CHECK + 10):
        r = list(base)
        r[rows[0].index("reported_term")] = f"FAKE term {i}"
        r[rows[0].index("n_at_risk")] = "-3"
        extra.append(r)
    write_rows(folder / "adverse_events.csv", rows + extra)
    problems = [p for p in problems_of(folder) if p.column == "n_at_risk"]
    listed = [p for p in problems if p.row is not None and "at least 1" in p.message]
    assert len(listed) == MAX_PER_CHECK
    rest = [p for p in problems if p.row is None]
    assert len(rest) == 1 and "10 more row(s)" in rest[0].message


def test_check_command_reports_problems_without_traceback(folder, capsys):
    set_cell(folder, "studies.csv", 2, "n_enrolled", "lots")
    assert check_command(folder) == 1
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "Traceback" not in text
    assert "studies.csv, row 2, column 'n_enrolled'" in text


# ---------------------------------------------------------------------------- codebook


def _codebook():
    spec = importlib.util.spec_from_file_location("codebook", ROOT / "tools" / "codebook.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_lists_every_field():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for res in descriptor()["resources"]:
        section = readme.split(f"### {res['name']}\n", 1)
        assert len(section) == 2, f"no '### {res['name']}' section in data/README.md"
        body = section[1].split("\n### ", 1)[0]
        for fd in res["schema"]["fields"]:
            assert f"| `{fd['name']}` |" in body, f"{res['name']}.{fd['name']} not in README"
    assert "## Double-extraction agreement" in readme
    for r in RULES:
        assert f"`{r.id}`" in readme, f"rule {r.id} not in README"


def test_readme_generated_block_is_up_to_date():
    codebook = _codebook()
    current = (DATA / "README.md").read_text(encoding="utf-8")
    assert codebook.update_readme(current, descriptor()) == current, (
        "data/README.md is stale: run `python tools/codebook.py`"
    )


def test_design_vocabulary_matches_the_schema():
    fields = {
        f["name"]: f
        for r in descriptor()["resources"]
        if r["name"] == "studies"
        for f in r["schema"]["fields"]
    }
    assert sorted(vocab.DESIGNS) == sorted(fields["design"]["constraints"]["enum"])
    assert set(vocab.RANDOMIZED_DESIGNS) | set(vocab.NONRANDOMIZED_DESIGNS) | {
        "single_blind_crossover"
    } == set(vocab.DESIGNS)


@pytest.mark.parametrize("second", ["v2_second_extraction.csv", "mid_second_extraction.csv"])
def test_double_extraction_table_is_computed_from_the_extractions(second):
    import subprocess
    import sys

    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "tools" / "double_extraction.py"),
            str(ROOT / "validation" / "double_extraction" / second),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert out in (ROOT / "data" / "README.md").read_text("utf-8"), (
        f"data/README.md's agreement table for {second} is stale: rerun tools/double_extraction.py"
    )
