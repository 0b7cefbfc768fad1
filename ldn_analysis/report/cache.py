"""The execution cache: a report is re-executed only when one of its inputs changed.

A report's key is the sha256 of: the notebook file, its parameters, whether code is shown,
the data it reads, the package's own source (every file under ``ldn_analysis/``, templates
included), ``uv.lock`` and the Python version. The data part is a list of digests, one per
data file; a notebook whose metadata says ``"scope": "condition"`` reads only its condition's
rows of the study-keyed tables, so for those files the digest covers those rows alone and
editing a fibromyalgia study leaves the Crohn's disease page alone. The digests are shown in
the page's run card. The key is kept in ``manifest.json`` beside the page with the page's
own sha256; a page is reused only when both still match and it built without error.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import platform
from functools import lru_cache
from pathlib import Path

from ldn_analysis import paths

#: Files keyed by study (filtered through the studies of the condition).
STUDY_KEYED = ("outcomes.csv", "adverse_events.csv")
#: Files with their own ``condition`` column.
CONDITION_KEYED = ("studies.csv", "registrations.csv", "reviews.csv")


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@lru_cache(maxsize=4)
def source_digest(root: str | None = None) -> str:
    """Return one sha256 over the package source, its templates and ``uv.lock``."""
    base = Path(root) if root else paths.PACKAGE_DIR
    h = hashlib.sha256()
    for path in sorted(base.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes() + b"\0")
    lock = paths.PROJ_ROOT / "uv.lock"
    if lock.exists():
        h.update(b"uv.lock\0" + lock.read_bytes())
    h.update(platform.python_version().encode())
    return h.hexdigest()


def records(path: Path) -> tuple[list[str], list[list[str]]]:
    """Return the header and the data rows of a CSV file, as strings."""
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"), newline="")))
    return (rows[0], rows[1:]) if rows else ([], [])


def _rows_digest(header: list[str], rows: list[list[str]]) -> str:
    h = hashlib.sha256("\x1f".join(header).encode())
    for row in rows:
        h.update(b"\x1e" + "\x1f".join(row).encode())
    return h.hexdigest()


def data_digests(scope: str | None, condition: str | None, data_dir: Path | None = None):
    """Return ``{label: sha256}`` for the data a report reads.

    Parameters
    ----------
    scope : str or None
        ``"condition"``: rows of ``condition`` in the condition- and study-keyed tables,
        every other file whole. Anything else: every file whole.
    condition : str or None
        The report's condition (its parameter, else the notebook default).
    data_dir : pathlib.Path, optional
        Default :func:`ldn_analysis.paths.data_dir`.
    """
    folder = Path(data_dir or paths.data_dir())
    files = sorted([*folder.glob("*.csv"), folder / paths.DATAPACKAGE])
    files = [f for f in files if f.exists()]
    if scope != "condition" or not condition:
        return {f"data/{f.name}": sha256_file(f) for f in files}
    out = {}
    ids: set[str] = set()
    studies = folder / "studies.csv"
    if studies.exists():
        header, rows = records(studies)
        col, idc = header.index("condition"), header.index("study_id")
        ids = {r[idc] for r in rows if len(r) > col and r[col] == condition}
    for f in files:
        if f.name not in CONDITION_KEYED + STUDY_KEYED:
            out[f"data/{f.name}"] = sha256_file(f)
            continue
        header, rows = records(f)
        if f.name in CONDITION_KEYED:
            keep = _keep(header, rows, "condition", {condition}) | _keep(
                header, rows, "linked_study_id", ids
            )
            if f.name == "studies.csv":
                keep |= _keep(header, rows, "study_id", ids)
        else:
            keep = _keep(header, rows, "study_id", ids)
        label = f"data/{f.name} rows for {condition}"
        out[label] = _rows_digest(header, [rows[i] for i in sorted(keep)])
    return out


def _keep(header: list[str], rows: list[list[str]], column: str, values: set[str]) -> set[int]:
    if column not in header:
        return set()
    c = header.index(column)
    return {i for i, r in enumerate(rows) if len(r) > c and r[c] in values}


def job_key(notebook: Path, parameters: dict, show_code: bool, data: dict[str, str]) -> str:
    """Return the cache key of one report (hex sha256)."""
    payload = {
        "notebook": sha256_file(notebook),
        "parameters": parameters,
        "show_code": show_code,
        "data": data,
        "source": source_digest(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def reusable(entry: dict | None, key: str, out: Path) -> bool:
    """Return True when ``entry`` (from the manifest) is a good page built from ``key``."""
    if not entry or not entry.get("ok") or entry.get("key") != key:
        return False
    page = out / entry.get("html", "")
    return page.is_file() and sha256_file(page) == entry.get("page_sha256")


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write ``path`` through a temporary file and a rename (never half a file)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    tmp.replace(path)
