"""Validate a whole data package folder."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ldn_analysis import paths
from ldn_analysis.data.validation.descriptor import read_descriptor
from ldn_analysis.data.validation.files import drop_blank_and_header_rows, read_csv
from ldn_analysis.data.validation.foreignkeys import check_foreign_keys
from ldn_analysis.data.validation.problems import Collector, file_problem
from ldn_analysis.data.validation.rules import run_rules
from ldn_analysis.data.validation.tableschema import check_tables
from ldn_analysis.errors import DataValidationError, Problem

__all__ = ["ValidatedPackage", "undeclared_files", "validate_package"]

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
    warnings : tuple of Problem
        Findings of warning-level rules (listed by ``data check``; loading goes on).
    """

    folder: Path
    descriptor: Mapping[str, Any]
    tables: Mapping[str, pd.DataFrame]
    checksums: Mapping[str, str]
    warnings: tuple[Problem, ...] = ()


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
    collector = Collector()
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
    frames: dict[str, pd.DataFrame] = {}
    checksums: dict[str, str] = {}
    for name, res in resources.items():
        try:
            raw = read_csv(folder / str(res["path"]), res, collector)
        except Exception as exc:  # noqa: BLE001 - unreadable input must name the file
            collector.add(
                file_problem(
                    str(res["path"]),
                    f"could not read the file: {exc}",
                    "Check that it is a comma-separated UTF-8 text file.",
                )
            )
            continue
        if raw is None:
            continue
        if raw.checksum is not None:
            checksums[str(res["path"])] = raw.checksum
        if not raw.fatal and raw.frame is not None:
            frames[name] = drop_blank_and_header_rows(raw, collector)
    typed, invalid = check_tables(frames, resources, descriptor, collector)
    check_foreign_keys(typed, resources, collector, invalid)
    files = {name: str(res["path"]) for name, res in resources.items()}
    warnings = Collector()
    run_rules(typed, files, collector, invalid=invalid, warnings=warnings)
    if collector.problems:
        raise DataValidationError(collector.problems)
    tables = {name: frame.reset_index(drop=True) for name, frame in typed.items()}
    return ValidatedPackage(folder, descriptor, tables, checksums, tuple(warnings.problems))
