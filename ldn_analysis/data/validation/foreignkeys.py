"""Foreign keys of the Table Schema, checked in pandas (Frictionless checks them on the CLI).

``frictionless validate data/datapackage.json`` checks every ``foreignKey``. In process,
the loader checks them here instead: Frictionless builds each lookup by copying the whole
referenced table once per foreign key (the studies table is referenced by most tables),
which cost more than the rest of the schema layer together; a hash lookup over whole
columns costs milliseconds. Semantics are those of Frictionless: a blank reference is
allowed, a composite key matches on all its fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ldn_analysis.data.validation.descriptor import as_list
from ldn_analysis.data.validation.problems import Collector, fmt

__all__ = ["check_foreign_keys"]


def check_foreign_keys(
    typed: Mapping[str, pd.DataFrame],
    resources: Mapping[str, Mapping[str, Any]],
    collector: Collector,
    invalid: Mapping[str, Mapping[str, np.ndarray]] | None = None,
) -> None:
    """Report every reference that is not a key of the referenced table.

    Parameters
    ----------
    typed : mapping of str to DataFrame
        The typed tables (indexed by 0-based record number).
    resources : mapping
        The resources of ``datapackage.json`` by name.
    collector : Collector
        Receives one problem per dangling reference (capped per check and column).
    invalid : mapping, optional
        Cells that already broke the schema; not reported again.
    """
    invalid = invalid or {}
    for name, res in resources.items():
        table = typed.get(name)
        if table is None or table.empty:
            continue
        for fk in res["schema"].get("foreignKeys", []) or []:
            fields = as_list(fk["fields"])
            target = fk["reference"].get("resource", "") or name
            ref_fields = as_list(fk["reference"]["fields"])
            ref = typed.get(target)
            if ref is None or not set(fields) <= set(table.columns):
                continue
            if not set(ref_fields) <= set(ref.columns):
                continue
            present = table[fields].notna().any(axis=1).to_numpy()
            if len(fields) == 1:
                found = table[fields[0]].isin(ref[ref_fields[0]].dropna()).to_numpy()
                values: Any = table[fields[0]].to_numpy(dtype=object, na_value=None)
            else:
                found = pd.MultiIndex.from_frame(table[fields]).isin(
                    pd.MultiIndex.from_frame(ref[ref_fields])
                )
                values = [", ".join(map(fmt, r)) for r in table[fields].to_numpy(dtype=object)]
            missing = present & ~found
            for column in fields:
                if column in invalid.get(name, {}):
                    missing &= ~invalid[name][column]
            ref_file = str(resources[target]["path"])
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
