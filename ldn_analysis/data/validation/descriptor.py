"""Read ``datapackage.json`` and check its structure.

These checks say where and how to fix the usual mistakes (invalid JSON with its line and
column, a foreign key pointing nowhere, a missing core resource). Frictionless then
validates the descriptor against the Data Package v2 profile when it loads the tables
(:mod:`.tableschema`), so that ``frictionless validate data/datapackage.json`` accepts
whatever the loader accepts.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ldn_analysis import paths
from ldn_analysis.data.validation.problems import (
    CORE_TABLES,
    RESAVE_UTF8,
    SUPPORTED_TYPES,
    file_problem,
)
from ldn_analysis.errors import Problem

__all__ = ["DATAPACKAGE_V2", "as_list", "read_descriptor"]

#: The profile ``datapackage.json`` declares in ``$schema`` (exclusive bounds need v2).
DATAPACKAGE_V2 = "https://datapackage.org/profiles/2.0/datapackage.json"

# --------------------------------------------------------------------------------------
# Descriptor
# --------------------------------------------------------------------------------------


def as_list(value: Any) -> list[str]:
    """Return a Table Schema key (one name or a list of names) as a list."""
    return [value] if isinstance(value, str) else list(value or [])


def read_descriptor(folder: Path) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Read and structurally check ``datapackage.json`` in ``folder``.

    Parameters
    ----------
    folder : Path
        The data folder.

    Returns
    -------
    descriptor : dict or None
        The parsed descriptor, or ``None`` when it cannot be used at all.
    problems : list of Problem
        Problems with the descriptor (missing file, invalid JSON with line and column,
        resources without name/path/fields, unsupported field types, foreign keys that
        point nowhere, missing core resources).
    """
    name = paths.DATAPACKAGE
    path = folder / name
    if not folder.is_dir():
        return None, [
            file_problem(
                str(folder),
                "data folder does not exist",
                "Pass an existing folder with --data-dir, or set LDN_DATA_DIR to one.",
            )
        ]
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        return None, [
            file_problem(
                name,
                f"no {name} in {folder}",
                f"Copy data/{name} from the repository into the folder.",
            )
        ]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [file_problem(name, f"cannot read the file: {exc}", RESAVE_UTF8)]
    try:
        desc = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [
            file_problem(
                name,
                f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
                "Fix the JSON syntax there (a missing comma or quote is the usual cause).",
            )
        ]
    problems: list[Problem] = []

    def bad(message: str, fix: str, column: str | None = None) -> None:
        problems.append(Problem(name, None, column, None, message, fix))

    if not isinstance(desc, dict) or not isinstance(desc.get("resources"), list):
        bad("the descriptor has no 'resources' list", "Add a 'resources' list.")
        return None, problems
    if not isinstance(desc.get("version"), str) or not re.fullmatch(
        r"[0-9]+\.[0-9]+\.[0-9]+", desc.get("version", "")
    ):
        bad("'version' is not a semantic version such as 1.0.0", "Set 'version': 'X.Y.Z'.")
    names: dict[str, dict[str, Any]] = {}
    for i, res in enumerate(desc["resources"]):
        label = res.get("name", f"#{i + 1}") if isinstance(res, dict) else f"#{i + 1}"
        fields = (res.get("schema") or {}).get("fields") if isinstance(res, dict) else None
        if not isinstance(res, dict) or not res.get("name") or not res.get("path"):
            bad(f"resource {label} has no 'name' or 'path'", "Give every resource both.")
            continue
        if not isinstance(fields, list) or not fields:
            bad(f"resource '{label}' has no schema fields", "Add 'schema': {'fields': [...]}.")
            continue
        if res["name"] in names:
            bad(f"resource name '{label}' is used twice", "Give each resource its own name.")
        for fd in fields:
            if not isinstance(fd, dict) or not fd.get("name"):
                bad(f"resource '{label}' has a field without a name", "Name every field.")
            elif fd.get("type", "string") not in SUPPORTED_TYPES:
                bad(
                    f"field '{fd['name']}' of '{label}' has unsupported type {fd.get('type')!r}",
                    f"Use one of: {', '.join(SUPPORTED_TYPES)}.",
                    column=fd["name"],
                )
        names[res["name"]] = res
    for res in names.values():
        own = {fd.get("name") for fd in res["schema"]["fields"] if isinstance(fd, dict)}
        for key in as_list(res["schema"].get("primaryKey")):
            if key not in own:
                bad(f"primaryKey '{key}' of '{res['name']}' is not a field", "Fix primaryKey.")
        for fk in res["schema"].get("foreignKeys", []) or []:
            target = (fk.get("reference") or {}).get("resource", "")
            target = res["name"] if target == "" else target
            ref = names.get(target)
            ref_fields = (
                {fd.get("name") for fd in ref["schema"]["fields"] if isinstance(fd, dict)}
                if ref
                else set()
            )
            if ref is None or not set(as_list(fk["reference"].get("fields"))) <= ref_fields:
                bad(
                    f"foreign key {fk.get('fields')!r} of '{res['name']}' points to "
                    f"{target}.{fk['reference'].get('fields')!r}, which does not exist",
                    "Point the foreign key at an existing resource and field.",
                )
            if not set(as_list(fk.get("fields"))) <= own:
                bad(
                    f"foreign key field {fk.get('fields')!r} of '{res['name']}' is not a field",
                    "Fix the foreign key.",
                )
    for core in CORE_TABLES:
        if core not in names:
            bad(f"core resource '{core}' is missing", f"Restore the '{core}' resource.")
    return desc, problems
