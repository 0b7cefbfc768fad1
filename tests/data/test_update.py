"""``update registrations`` / ``update pubmed``: screening files from saved API responses.

The responses in tests/fixtures/api/ are hand-built in the documented shape (see the README
there); the network is never used: a fake ``fetch`` stands in for it, or the command is run
with ``--from-file``.
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import socket
import subprocess
import sys

import pytest

from ldn_analysis import cli
from ldn_analysis.data import updates
from ldn_analysis.data.evidence import load_evidence

API = "tests/fixtures/api"


@pytest.fixture(scope="module")
def evidence():
    return load_evidence()


def _rows(path):
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _digest(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*")}


def test_registrations_from_file_lists_new_changed_and_results(root, tmp_path, capsys, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(root / "data", data)
    monkeypatch.setenv("LDN_DATA_DIR", str(data))  # --data-dir sets it; restored afterwards
    before = _digest(data)
    out = tmp_path / "out"
    code = cli.main(
        [
            "update",
            "registrations",
            "--data-dir",
            str(data),
            "--from-file",
            str(root / API / "ctgov_studies.json"),
            "--output-dir",
            str(out),
        ]
    )
    assert code == 0
    rows = _rows(out / "registrations.csv")
    by_change = {(r["record_id"], r["change"]) for r in rows}
    assert by_change == {
        ("NCT99999999", "new"),
        ("NCT05430152", "status_changed"),
        ("NCT04270877", "results_posted"),
    }
    # NCT00568555 matches its row (completed, results posted): not a candidate
    assert "NCT00568555" not in {r["record_id"] for r in rows}
    changed = next(r for r in rows if r["change"] == "status_changed")
    assert (changed["status_recorded"], changed["status_now"]) == ("recruiting", "completed")
    assert list(rows[0]) == list(updates.CANDIDATE_COLUMNS)
    assert all(r["decision"] == "" and r["url"].startswith("https://") for r in rows)
    summary = (out / "registrations.md").read_text("utf-8")
    assert "3 (1 new, 1 status changed, 1 results posted)" in summary
    assert "not run (saved responses read instead)" in summary
    assert "registrations.csv" in capsys.readouterr().out
    assert _digest(data) == before  # the data folder is only read
    assert sorted(p.name for p in out.iterdir()) == ["registrations.csv", "registrations.md"]


def test_pubmed_from_files_drops_known_pmids(root, tmp_path):
    code = cli.main(
        [
            "update",
            "pubmed",
            "--from-file",
            str(root / API / "pubmed_esearch.json"),
            "--from-file",
            str(root / API / "pubmed_esummary.json"),
            "--output-dir",
            str(tmp_path),
        ]
    )
    assert code == 0
    rows = _rows(tmp_path / "pubmed.csv")
    # 38226027 is bested_2023's PMID in studies.csv; only the fictional record is new
    assert [(r["record_id"], r["change"]) for r in rows] == [("99999999", "new")]
    assert rows[0]["url"] == "https://pubmed.ncbi.nlm.nih.gov/99999999/"
    assert "Fixture A et al." in rows[0]["details"]


def test_pubmed_search_id_without_summary_is_still_listed(evidence):
    search = {"esearchresult": {"idlist": ["99999998"]}}
    out = updates.pubmed_candidates([search], [], evidence)
    assert [c["record_id"] for c in out] == ["99999998"]
    assert out[0]["title"] == "(no esummary record)"


def test_offline_without_from_file_exits_with_one_line(root, tmp_path):
    """A real run with the network unreachable (every request goes to a closed local port)."""
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens here now: connections are refused at once
    env = {**os.environ, "https_proxy": f"http://127.0.0.1:{port}", "http_proxy": ""}
    env["HTTPS_PROXY"] = env["https_proxy"]
    run = subprocess.run(
        [sys.executable, "-m", "ldn_analysis", "update", "registrations", "--output-dir",
         str(tmp_path)],
        cwd=root, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 1, run.stderr
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert "cannot reach clinicaltrials.gov" in run.stderr and "--from-file" in run.stderr
    assert not (tmp_path / "registrations.csv").exists()


def test_timeout_is_caught_and_short():
    """A server that accepts the connection and never answers: the fetch gives up in time."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    try:
        with pytest.raises(updates.UpdateError, match="cannot reach 127.0.0.1"):
            updates.fetch_json(f"http://127.0.0.1:{port}/esearch.fcgi", {"db": "pubmed"}, 0.5)
    finally:
        server.close()
    assert updates.TIMEOUT <= 30


def test_live_path_builds_the_documented_queries(root, tmp_path, evidence):
    """The network path, with ``fetch`` replaced: query parameters and paging."""
    import json

    page = json.loads((root / API / "ctgov_studies.json").read_text("utf-8"))
    calls = []

    def fake(url, params):
        calls.append((url, dict(params)))
        if len(calls) == 1:
            return {**page, "nextPageToken": "TOKEN"}
        return {"studies": []}

    code = updates.update_command("registrations", since="2026-01-01", out_dir=tmp_path, fetch=fake)
    assert code == 0
    (url, first), (_, second) = calls
    assert url == updates.CTGOV_URL
    assert first["query.intr"] == "naltrexone"
    assert first["query.term"] == "AREA[LastUpdatePostDate]RANGE[2026-01-01,MAX]"
    assert second["pageToken"] == "TOKEN"

    searched = []

    def fake_eutils(url, params):
        searched.append((url.rsplit("/", 1)[-1], dict(params)))
        name = "pubmed_esearch.json" if "esearch" in url else "pubmed_esummary.json"
        return json.loads((root / API / name).read_text("utf-8"))

    updates.update_command("pubmed", since="2026-01-01", out_dir=tmp_path, fetch=fake_eutils)
    assert [s[0] for s in searched] == ["esearch.fcgi", "esummary.fcgi"]
    assert searched[0][1]["mindate"] == "2026/01/01" and searched[0][1]["retmode"] == "json"
    assert searched[1][1]["id"] == "38226027,99999999"


@pytest.mark.parametrize(
    ("body", "message"),
    [("[1, 2]", "is not a ClinicalTrials.gov studies response"), ("{", "cannot read")],
)
def test_unreadable_saved_response_is_a_clear_error(tmp_path, body, message):
    f = tmp_path / "resp.json"
    f.write_text(body)
    with pytest.raises(updates.UpdateError, match=message):
        updates.read_responses([f])


def test_wrong_kind_of_file_for_the_source(root, tmp_path):
    with pytest.raises(updates.UpdateError, match="no ClinicalTrials.gov response"):
        updates.update_command(
            "registrations", [root / API / "pubmed_esearch.json"], out_dir=tmp_path
        )
    with pytest.raises(updates.UpdateError, match="--since"):
        updates.update_command("pubmed", since="last week", out_dir=tmp_path)
