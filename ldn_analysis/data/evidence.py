"""Load the validated LDN evidence base as pandas DataFrames.

:func:`load_evidence` is the only way notebooks and reports should read the data: it reads
``datapackage.json`` and every CSV it lists, validates them
(:mod:`ldn_analysis.data.validation`) and returns a frozen :class:`Evidence`. It never writes
anything.

Dtypes follow the Table Schema: ``string`` -> pandas ``str`` (blank = NaN), ``integer`` ->
nullable ``Int64`` (blank = ``<NA>``), ``number`` -> ``float64`` (blank = NaN),
``boolean`` -> nullable ``boolean``. Values are never reinterpreted: text stays text
(identifiers such as ``pmid`` are strings), blanks are missing, nothing is imputed.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pandas as pd

from ldn_analysis import paths
from ldn_analysis.data.validation import validate_package
from ldn_analysis.errors import Problem

__all__ = ["Evidence", "column_values", "load_evidence"]


@dataclass(frozen=True, eq=False)
class Evidence:
    """The validated evidence base: one DataFrame per table plus provenance.

    Treat the DataFrames as read-only (copy before modifying); the same object is shared by
    everything that received this ``Evidence``.

    Attributes
    ----------
    studies, outcomes, adverse_events, registrations, reviews, conditions : DataFrame
        One typed frame per table (see ``data/README.md`` for every column).
    version : str
        Data version (``version`` of ``datapackage.json``, semver).
    data_dir : Path
        The folder the data were read from.
    checksums : Mapping[str, str]
        sha256 hex digest of every CSV, keyed by file name (for run cards).
    package : Mapping[str, Any]
        The parsed ``datapackage.json`` descriptor.
    tables : Mapping[str, DataFrame]
        Every resource by name, including any beyond the six core tables.
    warnings : tuple of Problem
        Findings of warning-level validation rules (the data loaded; ``data check``
        lists them).
    risk_of_bias, searches, screening : DataFrame or None
        RoB 2 judgements of the randomized trials (long format), the search log and the
        screening decisions (data version 2.0.0 on); ``None`` in older folders.
    claims : DataFrame or None
        RESERVED for the claims owner: ``claims.csv`` once its resource is added to
        ``datapackage.json`` (validated from its schema like every table); ``None`` until
        then.
    """

    studies: pd.DataFrame
    outcomes: pd.DataFrame
    adverse_events: pd.DataFrame
    registrations: pd.DataFrame
    reviews: pd.DataFrame
    conditions: pd.DataFrame
    version: str
    data_dir: Path
    checksums: Mapping[str, str]
    package: Mapping[str, Any] = field(repr=False)
    tables: Mapping[str, pd.DataFrame] = field(repr=False)
    warnings: tuple[Problem, ...] = field(default=(), repr=False)
    risk_of_bias: pd.DataFrame | None = field(default=None, repr=False)
    searches: pd.DataFrame | None = field(default=None, repr=False)
    screening: pd.DataFrame | None = field(default=None, repr=False)
    # --- RESERVED: claims.csv (claim_id, source_file, claim_text, claim_type,
    # proposition, ...). Owned by the claims engineer; filled automatically once a
    # 'claims' resource exists in datapackage.json.
    claims: pd.DataFrame | None = None

    def _vocabulary(self, table: str, column: str) -> list[str]:
        """Return the ``enum`` of ``table.column`` from the descriptor (order kept)."""
        for res in self.package.get("resources", []):
            if res.get("name") == table:
                for fd in res["schema"]["fields"]:
                    if fd["name"] == column:
                        return list((fd.get("constraints") or {}).get("enum", []))
        return []

    def _studies_of(self, condition: str | None) -> pd.DataFrame:
        if condition is None:
            return self.studies
        return self.studies.loc[self.studies["condition"] == condition]

    def conditions_present(self) -> list[str]:
        """Return the condition ids that have at least one study, sorted alphabetically.

        Returns
        -------
        list of str
            E.g. ``['crohns_disease', 'fibromyalgia']``.
        """
        return sorted(self.studies["condition"].dropna().unique().tolist())

    def outcome_ids(self, condition: str | None = None) -> list[str]:
        """Return the outcome domain ids (``outcomes.outcome``) present, in vocabulary order.

        These are the choices of a report's ``outcome`` parameter (e.g. ``pain``); the
        row identifiers are in ``outcomes["outcome_id"]``.

        Parameters
        ----------
        condition : str, optional
            A condition id; only outcomes of studies of that condition count.

        Returns
        -------
        list of str
            E.g. ``['pain', 'fatigue', 'quality_of_life']`` (the order of the ``outcome``
            vocabulary in ``datapackage.json``).
        """
        outcomes = self.outcomes
        if condition is not None:
            ids = self._studies_of(condition)["study_id"]
            outcomes = outcomes.loc[outcomes["study_id"].isin(ids)]
        present = set(outcomes["outcome"].dropna())
        order = self._vocabulary("outcomes", "outcome")
        return [o for o in order if o in present] + sorted(present - set(order))

    def designs(self, condition: str | None = None) -> list[str]:
        """Return the study designs present, in vocabulary order (RCTs first).

        Parameters
        ----------
        condition : str, optional
            A condition id; only studies of that condition count.

        Returns
        -------
        list of str
            E.g. ``['rct_parallel', 'open_label_single_arm', 'case_report']``.
        """
        present = set(self._studies_of(condition)["design"].dropna())
        order = self._vocabulary("studies", "design")
        return [d for d in order if d in present] + sorted(present - set(order))


def column_values(table: str, column: str, data_dir: str | Path | None = None) -> list[str]:
    """Return the distinct non-blank values of one column, sorted, read without validating.

    For planning a build before anything executes: the report runner lists the conditions
    it expands without paying the validation (about 2 s) when every page is reused. Any
    computation from the data goes through :func:`load_evidence`. When the file cannot be
    read this way, the evidence is loaded (and validated) instead, so a broken data folder
    still stops with the validator's message.
    """
    folder = Path(data_dir) if data_dir is not None else paths.data_dir()
    try:
        descriptor = json.loads((folder / "datapackage.json").read_text("utf-8"))
        resource = next(r for r in descriptor["resources"] if r["name"] == table)
        with (folder / resource["path"]).open(encoding="utf-8", newline="") as f:
            rows = csv.DictReader(f)
            if column not in (rows.fieldnames or ()):
                raise KeyError(column)
            values = {(row.get(column) or "").strip() for row in rows}
    except (OSError, ValueError, KeyError, StopIteration, TypeError):
        frame = getattr(load_evidence(folder), table)
        values = {str(v).strip() for v in frame[column].dropna()}
    return sorted(v for v in values if v)


def load_evidence(data_dir: str | Path | None = None) -> Evidence:
    """Read, validate and return the evidence base.

    Parameters
    ----------
    data_dir : str or Path, optional
        Folder holding ``datapackage.json`` and the CSVs. Default:
        :func:`ldn_analysis.paths.data_dir` (``$LDN_DATA_DIR`` if set, else ``data/``).

    Returns
    -------
    Evidence
        Frozen container with one DataFrame per table, ``version``, ``data_dir``,
        ``checksums`` and helpers.

    Raises
    ------
    DataValidationError
        Listing every problem (file, 1-based data row with the header excluded, column,
        value, message, fix), including unreadable or missing files.

    Examples
    --------
    >>> ev = load_evidence()  # doctest: +SKIP
    >>> ev.conditions_present()  # doctest: +SKIP
    ['crohns_disease', 'fibromyalgia']
    """
    folder = Path(data_dir) if data_dir is not None else paths.data_dir()
    package = validate_package(folder)
    tables = package.tables
    return Evidence(
        studies=tables["studies"],
        outcomes=tables["outcomes"],
        adverse_events=tables["adverse_events"],
        registrations=tables["registrations"],
        reviews=tables["reviews"],
        conditions=tables["conditions"],
        version=str(package.descriptor["version"]),
        data_dir=folder.resolve(),
        checksums=MappingProxyType(dict(package.checksums)),
        package=MappingProxyType(dict(package.descriptor)),
        tables=MappingProxyType(dict(tables)),
        warnings=package.warnings,
        risk_of_bias=tables.get("risk_of_bias"),
        searches=tables.get("searches"),
        screening=tables.get("screening"),
        claims=tables.get("claims"),
    )
