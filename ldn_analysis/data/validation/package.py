"""Validate a whole data package folder."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ldn_analysis import paths
from ldn_analysis.data.validation._io import _drop_blank_and_header_rows, _read_csv
from ldn_analysis.data.validation._problems import _Collector, _file_problem
from ldn_analysis.data.validation.descriptor import read_descriptor
from ldn_analysis.data.validation.rules import _run_rules
from ldn_analysis.data.validation.schema import (
    _check_fields,
    _check_foreign_keys,
    _check_primary_key,
)
from ldn_analysis.errors import DataValidationError

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
                _file_problem(
                    str(res["path"]),
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
