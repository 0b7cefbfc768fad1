"""Keep the evidence base current: screen registries and PubMed for new LDN records.

``python -m ldn_analysis update registrations`` asks the ClinicalTrials.gov API v2
(``/api/v2/studies``) for naltrexone studies updated since the data version, and
``update pubmed`` asks PubMed E-utilities (``esearch`` then ``esummary``) for LDN
records added since then. Each compares what comes back with the evidence base and writes
a screening file of candidates under ``reports/updates/`` (a CSV with empty ``decision``
and ``curator_note`` columns, and a short Markdown summary) for a curator. Nothing here
writes ``data/``: a curator reads the page of each candidate and adds rows by hand, with
the URL, as for every other row.

``--from-file PATH`` (repeatable) reads saved API responses instead of the network: each
file is one response body, recognised by its shape (``studies`` for ClinicalTrials.gov,
``esearchresult`` for esearch, ``result`` for esummary). Without it the command needs the
network; when the API cannot be reached it stops with one line saying so.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from ldn_analysis import paths
from ldn_analysis.data.evidence import Evidence, load_evidence
from ldn_analysis.errors import LDNError

__all__ = [
    "CANDIDATE_COLUMNS",
    "CTGOV_URL",
    "EUTILS_URL",
    "UpdateError",
    "pubmed_candidates",
    "registration_candidates",
    "update_command",
]

CTGOV_URL = "https://clinicaltrials.gov/api/v2/studies"
EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
CTGOV_INTERVENTION = "naltrexone"
"""``query.intr``: every naltrexone study; the curator screens out high-dose ones
(``mentions_low_dose`` helps)."""
PUBMED_TERM = '("low dose naltrexone" OR "low-dose naltrexone" OR (LDN[tiab] AND naltrexone))'
TIMEOUT = 15.0
"""Seconds before a request is abandoned (the command then stops with one line)."""
MAX_PAGES = 20
PAGE_SIZE = 100
LOW_DOSE_WORDS = ("low dose", "low-dose", "ldn", "low dosage")

CANDIDATE_COLUMNS = (
    "source",
    "record_id",
    "change",
    "title",
    "status_now",
    "status_recorded",
    "results_now",
    "results_recorded",
    "date",
    "details",
    "mentions_low_dose",
    "url",
    "decision",
    "curator_note",
)
"""Columns of the screening CSV; ``decision`` and ``curator_note`` are left for the curator."""
CHANGES = ("new", "status_changed", "results_posted")


class UpdateError(LDNError):
    """The API could not be reached or a saved response could not be read."""

    exit_code = 1


# --------------------------------------------------------------------------- reading


def fetch_json(url: str, params: dict, timeout: float = TIMEOUT) -> dict:
    """GET ``url`` with ``params`` and return the decoded JSON body.

    Raises
    ------
    UpdateError
        One line naming the host and the reason when the network or the API fails.
    """
    full = f"{url}?{urllib.parse.urlencode(params)}"
    host = urllib.parse.urlparse(url).netloc
    request = urllib.request.Request(full, headers={"User-Agent": "ldn-analysis-update"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise UpdateError(
            f"cannot reach {host} ({reason}); without network, screen saved API responses "
            "with --from-file PATH"
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise UpdateError(f"{host} returned a body that is not JSON ({exc})") from None


def read_responses(files: Sequence[Path]) -> dict[str, list[dict]]:
    """Read saved API responses and sort them by kind (``ctgov``, ``esearch``, ``esummary``)."""
    kinds: dict[str, list[dict]] = {"ctgov": [], "esearch": [], "esummary": []}
    for f in files:
        try:
            body = json.loads(Path(f).read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise UpdateError(f"cannot read saved response {f}: {exc}") from None
        if isinstance(body, dict) and "studies" in body:
            kinds["ctgov"].append(body)
        elif isinstance(body, dict) and "esearchresult" in body:
            kinds["esearch"].append(body)
        elif isinstance(body, dict) and "result" in body:
            kinds["esummary"].append(body)
        else:
            raise UpdateError(
                f"{f} is not a ClinicalTrials.gov studies response ('studies'), an esearch "
                "('esearchresult') or an esummary ('result') response; save the API's JSON "
                "body unchanged"
            )
    return kinds


def since_date(evidence: Evidence) -> dt.date:
    """Return the data version date (``created`` of ``datapackage.json``)."""
    created = str(evidence.package.get("created", ""))[:10]
    try:
        return dt.date.fromisoformat(created)
    except ValueError:
        raise UpdateError(
            f"datapackage.json 'created' is {created!r}, not a date; give --since YYYY-MM-DD"
        ) from None


def _low_dose(*texts: object) -> bool:
    joined = " ".join(str(t) for t in texts if t).lower()
    return any(w in joined for w in LOW_DOSE_WORDS)


def _text(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value).strip()


# --------------------------------------------------------------------------- registrations


def ctgov_pages(since: dt.date, fetch: Callable = fetch_json) -> list[dict]:
    """Query ClinicalTrials.gov for naltrexone studies updated since ``since`` (every page)."""
    params = {
        "query.intr": CTGOV_INTERVENTION,
        "query.term": f"AREA[LastUpdatePostDate]RANGE[{since.isoformat()},MAX]",
        "pageSize": PAGE_SIZE,
        "format": "json",
    }
    pages = [fetch(CTGOV_URL, params)]
    while pages[-1].get("nextPageToken") and len(pages) < MAX_PAGES:
        pages.append(fetch(CTGOV_URL, {**params, "pageToken": pages[-1]["nextPageToken"]}))
    return pages


def _ctgov_record(study: dict) -> dict:
    proto = study.get("protocolSection", {})
    ident = proto.get("identificationModule", {})
    status = proto.get("statusModule", {})
    conds = proto.get("conditionsModule", {}).get("conditions", [])
    arms = proto.get("armsInterventionsModule", {}).get("interventions", [])
    interventions = "; ".join(f"{i.get('name', '')} {i.get('description', '')}" for i in arms)
    return {
        "record_id": ident.get("nctId", ""),
        "title": ident.get("briefTitle") or ident.get("officialTitle", ""),
        "status_now": str(status.get("overallStatus", "")).lower(),
        "results_now": bool(study.get("hasResults", False)),
        "date": (status.get("lastUpdatePostDateStruct") or {}).get("date", ""),
        "details": "conditions: " + ", ".join(conds) if conds else "",
        "mentions_low_dose": _low_dose(
            ident.get("briefTitle"), ident.get("officialTitle"), interventions
        ),
    }


def registration_candidates(pages: Sequence[dict], evidence: Evidence) -> list[dict]:
    """Compare ClinicalTrials.gov records with ``registrations`` and ``studies.nct_id``.

    Returns one candidate per record that is new to the evidence base, whose status
    differs from the recorded one, or that now has results where none were recorded.
    """
    reg = evidence.registrations.set_index("registry_id")
    in_studies = set(evidence.studies.get("nct_id", []).dropna().astype(str))
    out, seen = [], set()
    for page in pages:
        for study in page.get("studies", []):
            rec = _ctgov_record(study)
            nct = rec["record_id"]
            if not nct or nct in seen:
                continue
            seen.add(nct)
            rec.update(
                source="clinicaltrials.gov",
                url=f"https://clinicaltrials.gov/study/{nct}",
                status_recorded="",
                results_recorded="",
            )
            if nct not in reg.index:
                rec["change"] = "new"
                if nct in in_studies:
                    rec["details"] = (rec["details"] + "; cited by a study row").lstrip("; ")
                out.append(rec)
                continue
            row = reg.loc[nct]
            row = row.iloc[0] if getattr(row, "ndim", 1) > 1 else row
            recorded = _text(row.get("status"))
            posted = _text(row.get("results_posted")).lower() == "true"
            rec["status_recorded"] = recorded
            rec["results_recorded"] = str(posted).lower()
            if rec["results_now"] and not posted:
                out.append({**rec, "change": "results_posted"})
            if rec["status_now"] and rec["status_now"] != recorded:
                out.append({**rec, "change": "status_changed"})
    return out


# --------------------------------------------------------------------------- pubmed


def pubmed_responses(since: dt.date, fetch: Callable = fetch_json) -> tuple[dict, list[dict]]:
    """Run esearch (records added since ``since``) and esummary on the ids it returns."""
    search = fetch(
        EUTILS_URL + "esearch.fcgi",
        {
            "db": "pubmed",
            "term": PUBMED_TERM,
            "datetype": "edat",
            "mindate": since.strftime("%Y/%m/%d"),
            "maxdate": "3000",
            "retmax": 500,
            "retmode": "json",
        },
    )
    ids = search.get("esearchresult", {}).get("idlist", [])
    if not ids:
        return search, []
    summary = fetch(
        EUTILS_URL + "esummary.fcgi", {"db": "pubmed", "id": ",".join(ids), "retmode": "json"}
    )
    return search, [summary]


def pubmed_candidates(searches: Sequence[dict], summaries: Sequence[dict], evidence) -> list:
    """Return one candidate per PubMed record whose PMID and DOI are not in the evidence.

    Records of the esearch id lists with no esummary entry are listed with their PMID only.
    """
    known_pmid: set[str] = set()
    known_doi: set[str] = set()
    for table in (evidence.studies, evidence.reviews):
        if "pmid" in table:
            known_pmid |= {_text(x).split(".")[0] for x in table["pmid"].dropna()}
        if "doi" in table:
            known_doi |= {_text(x).lower() for x in table["doi"].dropna()}
    docs: dict[str, dict] = {}
    for body in summaries:
        result = body.get("result", {})
        for uid in result.get("uids", []):
            docs[str(uid)] = result.get(str(uid), {})
    ids = [str(i) for s in searches for i in s.get("esearchresult", {}).get("idlist", [])]
    out, seen = [], set()
    for pmid in [*ids, *docs]:
        if pmid in seen:
            continue
        seen.add(pmid)
        doc = docs.get(pmid, {})
        doi = next(
            (a.get("value", "") for a in doc.get("articleids", []) if a.get("idtype") == "doi"),
            "",
        )
        if pmid in known_pmid or (doi and doi.lower() in known_doi):
            continue
        authors = [a.get("name", "") for a in doc.get("authors", [])]
        details = "; ".join(
            x
            for x in (
                authors[0] + (" et al." if len(authors) > 1 else "") if authors else "",
                doc.get("fulljournalname") or doc.get("source", ""),
                f"doi {doi}" if doi else "",
                ", ".join(doc.get("pubtype", [])),
            )
            if x
        )
        out.append(
            {
                "source": "pubmed",
                "record_id": pmid,
                "change": "new",
                "title": doc.get("title", "(no esummary record)"),
                "date": doc.get("sortpubdate", "")[:10] or doc.get("pubdate", ""),
                "details": details,
                "mentions_low_dose": _low_dose(doc.get("title")),
                "url": f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
            }
        )
    return out


# --------------------------------------------------------------------------- writing


def write_screening(
    name: str, candidates: list[dict], out_dir: Path, header: dict[str, str]
) -> tuple[Path, Path]:
    """Write ``<name>.csv`` (one row per candidate) and ``<name>.md`` (summary) to ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path, md_path = out_dir / f"{name}.csv", out_dir / f"{name}.md"
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(CANDIDATE_COLUMNS), extrasaction="ignore")
        writer.writeheader()
        for c in candidates:
            writer.writerow({k: _cell(c.get(k, "")) for k in CANDIDATE_COLUMNS})
    counts = {ch: sum(c["change"] == ch for c in candidates) for ch in CHANGES}
    lines = [f"# Screening candidates: {name}", ""]
    lines += [f"- {k}: {v}" for k, v in header.items()]
    lines += [
        f"- candidates: {len(candidates)} ("
        + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items())
        + ")",
        f"- file: `{csv_path.name}` (fill `decision` with include / exclude and a reason)",
        "",
        "Nothing was written to `data/`. For each candidate, read the record's page and, if "
        "it belongs in the evidence base, add or correct the row by hand with that URL as "
        "`source_url`.",
        "",
    ]
    if candidates:
        lines += ["| record | change | title |", "|---|---|---|"]
        for c in candidates:
            title = str(c.get("title", "")).replace("|", "/")[:100]
            lines.append(f"| [{c['record_id']}]({c['url']}) | {c['change']} | {title} |")
    md_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return csv_path, md_path


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return _text(value)


def update_command(
    source: str,
    from_files: Sequence[Path] = (),
    *,
    since: str | None = None,
    out_dir: Path | None = None,
    data_dir: Path | None = None,
    fetch: Callable = fetch_json,
) -> int:
    """Run ``update registrations`` or ``update pubmed``; return the exit code (0 when written).

    Parameters
    ----------
    source : {"registrations", "pubmed"}
    from_files : sequence of Path
        Saved API responses to read instead of the network.
    since : str, optional
        ``YYYY-MM-DD``; default the data version date.
    out_dir : Path, optional
        Default ``reports/updates/``.
    data_dir : Path, optional
        Evidence folder (default ``data/``), read only.
    fetch : callable
        ``fetch(url, params) -> dict`` (tests replace the network with it).
    """
    evidence = load_evidence(data_dir)
    try:
        start = dt.date.fromisoformat(since) if since else since_date(evidence)
    except ValueError:
        raise UpdateError(f"--since {since!r} is not a date; write it as YYYY-MM-DD") from None
    files = [Path(f) for f in from_files]
    saved = read_responses(files) if files else None
    if source == "registrations":
        if saved is not None and not saved["ctgov"]:
            raise UpdateError("no ClinicalTrials.gov response ('studies') among --from-file files")
        pages = saved["ctgov"] if saved is not None else ctgov_pages(start, fetch)
        candidates = registration_candidates(pages, evidence)
        query = f"{CTGOV_URL}?query.intr={CTGOV_INTERVENTION} (updated since {start})"
    else:
        if saved is not None and not (saved["esearch"] or saved["esummary"]):
            raise UpdateError("no esearch or esummary response among --from-file files")
        if saved is not None:
            searches, summaries = saved["esearch"], saved["esummary"]
        else:
            search, summaries = pubmed_responses(start, fetch)
            searches = [search]
        candidates = pubmed_candidates(searches, summaries, evidence)
        query = f"PubMed esearch term={PUBMED_TERM}, entry date since {start}"
    header = {
        "run": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "data version": f"{evidence.version} (created {str(evidence.package.get('created'))})",
        "query": query if not files else f"not run (saved responses read instead): {query}",
        "read from": ", ".join(str(f) for f in files) if files else "the live API",
    }
    out = Path(out_dir) if out_dir else paths.reports_dir() / "updates"
    csv_path, md_path = write_screening(source, candidates, out, header)
    print(f"{len(candidates)} candidate(s) for screening: {csv_path} (summary: {md_path})")
    return 0
