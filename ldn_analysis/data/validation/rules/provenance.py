"""Rules on sources and links: URLs with a host, bare-IP sources, overlaps, RoB 2 coverage."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from ldn_analysis.data.validation.rules.registry import Finding, Tables, rule

#: The six rows of a RoB 2 assessment (risk_of_bias.domain).
ROB2_DOMAINS = (
    "d1_randomization",
    "d2_deviations",
    "d3_missing_data",
    "d4_measurement",
    "d5_reporting",
    "overall",
)
#: Columns that, when filled, give a study a citable source besides its source_url.
CITABLE = ("doi", "pmid", "pmcid", "primary_url")

_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"{_LABEL}(\.{_LABEL})*\.?")


def _host(url: str) -> str | None:
    """Return the host of an http(s) URL, or None when it has none or an invalid one."""
    try:
        host = urlsplit(url).hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    if not host:
        return None
    if _ip(host) or _HOSTNAME.fullmatch(host):
        return host
    return None


def _no_host(url: str) -> bool:
    """Return True for an http(s) URL without a valid host (other text is not a URL here)."""
    return url.startswith(("http://", "https://")) and _host(url) is None


def _bare_ip(url: str) -> bool:
    """Return True when the URL's host is an IP address."""
    host = _host(url)
    return host is not None and _ip(host)


def _ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _per_value(column: pd.Series, test) -> np.ndarray:
    """Apply ``test`` to the distinct non-blank values of a column; False for blanks."""
    present = column.notna().to_numpy()
    out = np.zeros(len(column), dtype=bool)
    if present.any():
        values = column[present].astype(str)
        verdict = {v: bool(test(v)) for v in values.unique()}
        out[present] = values.map(verdict).to_numpy(bool)
    return out


def _url_columns(t: Tables) -> Iterable[tuple[str, str]]:
    for name, table in t.items():
        for column in table.columns:
            if column.endswith("_url"):
                yield name, column


def _ids(cell: object) -> list[str]:
    return [] if not isinstance(cell, str) else [p.strip() for p in cell.split(";") if p.strip()]


@rule(
    "url_has_host",
    "every *_url column (source_url, primary_url, record_url, ...): an http(s) URL with a "
    "valid host (no 'https:///x').",
    needs=("studies.source_url",),
    message="{column} has no valid host: {value}",
    fix="Copy the address again from the browser's address bar (an empty host as in "
    "'https:///...' usually means a lost host name); cite the page actually read.",
)
def url_has_host(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``url_has_host`` (its title is in the decorator)."""
    return [
        Finding(name, column, _per_value(t[name][column], _no_host))
        for name, column in _url_columns(t)
    ]


@rule(
    "source_not_bare_ip",
    "rows whose only source is a page at a bare IP address (no DOI, PMID, PMCID or "
    "primary_url for the study); listed by data check, loading goes on.",
    needs=("studies.source_url", "studies.study_id"),
    message="the only source of this row is a page at a bare IP address ({value})",
    fix="Find the same content on a named, stable page (PubMed, the journal, the registry) and "
    "put it in source_url, or fill doi/pmid/primary_url of the study; keep the IP page in "
    "notes if its values were read there.",
    severity="warning",
)
def source_not_bare_ip(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``source_not_bare_ip`` (its title is in the decorator)."""
    s = t["studies"]
    citable = np.zeros(len(s), dtype=bool)
    for column in CITABLE:
        if column in s.columns:
            citable |= s[column].notna().to_numpy()
    cited = set(s.loc[citable, "study_id"])
    out = []
    for name, table in t.items():
        if "source_url" not in table.columns or name in ("screening",):
            continue
        mask = _per_value(table["source_url"], _bare_ip)
        if "study_id" in table.columns:
            mask &= ~table["study_id"].isin(cited).to_numpy()
        elif "doi" in table.columns:
            mask &= table["doi"].isna().to_numpy() & table["pmid"].isna().to_numpy()
        out.append(Finding(name, "source_url", mask))
    return out


@rule(
    "overlaps_resolve",
    "studies: every id in overlaps_with is another study_id in studies.csv.",
    needs=("studies.study_id", "studies.overlaps_with"),
    message="overlaps_with lists id(s) that are not other studies: {unknown_ids}",
    fix="Use study_ids of studies.csv separated by ';' (not the row's own id); put studies "
    "that are not in the evidence base in notes.",
)
def overlaps_resolve(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``overlaps_resolve`` (its title is in the decorator)."""
    s = t["studies"]
    known = set(s["study_id"].dropna())
    unknown = [
        ", ".join(i for i in _ids(cell) if i not in known or i == own)
        for own, cell in zip(s["study_id"], s["overlaps_with"], strict=True)
    ]
    mask = np.array([bool(u) for u in unknown], dtype=bool)
    return [Finding("studies", "overlaps_with", mask, {"unknown_ids": np.array(unknown)})]


@rule(
    "overlaps_symmetric",
    "studies: overlaps_with is symmetric (A lists B exactly when B lists A).",
    needs=("studies.study_id", "studies.overlaps_with"),
    message="{missing_ids} list(s) {study_id} in overlaps_with, but this row does not list them",
    fix="Add the missing id(s) to this row's overlaps_with (';'-separated), or remove "
    "{study_id} from theirs if the overlap was ruled out.",
)
def overlaps_symmetric(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``overlaps_symmetric`` (its title is in the decorator)."""
    s = t["studies"]
    lists = {
        own: set(_ids(cell)) for own, cell in zip(s["study_id"], s["overlaps_with"], strict=True)
    }
    listed_by: dict[str, set[str]] = {}
    for own, others in lists.items():
        for other in others:
            listed_by.setdefault(other, set()).add(own)
    missing = [
        ", ".join(sorted(i for i in listed_by.get(own, set()) - lists.get(own, set()) if i != own))
        for own in s["study_id"]
    ]
    mask = np.array([bool(m) for m in missing], dtype=bool)
    return [Finding("studies", "overlaps_with", mask, {"missing_ids": np.array(missing)})]


def _rob_table(t: Tables):
    rob = t["risk_of_bias"]
    return rob.loc[rob["tool"] == "rob2"] if "tool" in rob.columns else rob


@rule(
    "rob2_complete",
    "risk_of_bias: a RoB 2 assessment (study x outcome_assessed) has all six rows ("
    + ", ".join(ROB2_DOMAINS)
    + "), each with its support and source_url (required columns).",
    needs=(
        "studies.study_id",
        "risk_of_bias.study_id",
        "risk_of_bias.outcome_assessed",
        "risk_of_bias.domain",
    ),
    message="RoB 2 assessment incomplete: {missing_domains}",
    fix="Add the missing risk_of_bias row(s) (judgement, support from the page read, its "
    "source_url) for that outcome_assessed, spelled exactly as in the other rows.",
)
def rob2_complete(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``rob2_complete`` (its title is in the decorator)."""
    s, rob = t["studies"], _rob_table(t)
    gaps: dict[str, list[str]] = {}
    for (sid, outcome), domains in rob.groupby(["study_id", "outcome_assessed"])["domain"]:
        lack = [d for d in ROB2_DOMAINS if d not in set(domains)]
        if lack:
            gaps.setdefault(sid, []).append(f"'{outcome}' lacks {', '.join(lack)}")
    missing = ["; ".join(gaps.get(sid, [])) for sid in s["study_id"]]
    mask = np.array([bool(m) for m in missing], dtype=bool)
    return [Finding("studies", "study_id", mask, {"missing_domains": np.array(missing)})]


@rule(
    "rob2_assessed",
    "risk_of_bias: every randomized study that is not a linked secondary publication has a RoB "
    "2 assessment; listed by data check until it is done, loading goes on.",
    needs=(
        "studies.study_id",
        "studies.randomized",
        "studies.linked_study_id",
        "risk_of_bias.study_id",
    ),
    message="randomized study {value} has no RoB 2 assessment yet",
    fix="Assess the trial's primary outcome with RoB 2: six risk_of_bias rows (d1..d5 and "
    "overall) with judgement, support and source_url; a secondary publication of a trial takes "
    "linked_study_id instead.",
    severity="warning",
)
def rob2_assessed(t: Tables) -> list[Finding]:
    """Return the rows breaking rule ``rob2_assessed`` (its title is in the decorator)."""
    s = t["studies"]
    trial = s["randomized"].fillna(False).to_numpy(bool) & s["linked_study_id"].isna().to_numpy()
    assessed = s["study_id"].isin(_rob_table(t)["study_id"]).to_numpy()
    return [Finding("studies", "study_id", trial & ~assessed)]
