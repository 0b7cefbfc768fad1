"""Generate the codebook tables in ``data/README.md`` from ``data/datapackage.json``.

The README has hand-written sections and one generated block between the markers
:data:`BEGIN` and :data:`END`: data version and changelog, one column table per resource,
the condition vocabulary (from ``conditions.csv``) and the validation rules (from
`ldn_analysis.data.validation.RULES`). Run after every schema change::

    python tools/codebook.py            # rewrite the generated block in place
    python tools/codebook.py --check    # exit 1 if the README is stale (CI, tests)

``tests/test_data_package.py`` fails when the README misses a field or is stale, so the
codebook and the schema cannot drift apart.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # allow `python tools/codebook.py` without installing
    sys.path.insert(0, str(ROOT))

from ldn_analysis.data.validation import RULES  # noqa: E402

BEGIN = "<!-- BEGIN GENERATED CODEBOOK: edit data/datapackage.json, then run tools/codebook.py -->"
END = "<!-- END GENERATED CODEBOOK -->"


def _cell(text: Any) -> str:
    """Escape a value for a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and abs(value) >= 10_000:
        return f"{value:,}".replace(",", " ")
    return str(value)


def _allowed(field: Mapping[str, Any], reference: str | None = None) -> str:
    """Describe the allowed values of a field (enum, pattern, bounds, booleans, key)."""
    cons = field.get("constraints", {}) or {}
    parts: list[str] = [f"a `{reference}` value"] if reference else []
    if "enum" in cons:
        parts.append(", ".join(f"`{v}`" for v in cons["enum"]))
    if field.get("type") == "boolean":
        parts.append(
            " / ".join(f"`{v}`" for v in field.get("trueValues", ["true"]))
            + " or "
            + " / ".join(f"`{v}`" for v in field.get("falseValues", ["false"]))
        )
    if "pattern" in cons:
        parts.append(f"pattern `{_cell(cons['pattern'])}`")
    bounds = []
    for key, sign in (
        ("minimum", ">="),
        ("exclusiveMinimum", ">"),
        ("maximum", "<="),
        ("exclusiveMaximum", "<"),
    ):
        if key in cons:
            bounds.append(f"{sign} {_number(cons[key])}")
    if bounds:
        parts.append(", ".join(bounds))
    if cons.get("unique"):
        parts.append("unique")
    return "; ".join(parts) if parts else "text" if field.get("type") == "string" else ""


def _resource_section(res: Mapping[str, Any]) -> list[str]:
    schema = res["schema"]
    pk = schema.get("primaryKey")
    pk_text = " + ".join(f"`{k}`" for k in ([pk] if isinstance(pk, str) else pk))
    lines = [
        f"### {res['name']}",
        "",
        f"File `{res['path']}`: {res.get('title', '')}. {res.get('description', '')}",
        "",
        f"- Primary key: {pk_text} (unique).",
    ]
    for fk in schema.get("foreignKeys", []) or []:
        target = fk["reference"].get("resource") or res["name"]
        lines.append(
            f"- Foreign key: `{fk['fields']}` -> `{target}.{fk['reference']['fields']}` "
            "(blank allowed unless the column is required)."
        )
    lines += [
        "",
        "| column | type | required | allowed values | unit | meaning |",
        "|---|---|---|---|---|---|",
    ]
    references = {
        fk["fields"]: f"{fk['reference'].get('resource') or res['name']}."
        f"{fk['reference']['fields']}"
        for fk in schema.get("foreignKeys", []) or []
        if isinstance(fk["fields"], str)
    }
    for fd in schema["fields"]:
        required = "yes" if (fd.get("constraints") or {}).get("required") else ""
        allowed = _allowed(fd, references.get(fd["name"]))
        lines.append(
            f"| `{fd['name']}` | {fd.get('type', 'string')} | {required} | "
            f"{_cell(allowed)} | {_cell(fd.get('unit', ''))} | "
            f"{_cell(fd.get('description', ''))} |"
        )
    lines.append("")
    return lines


def _conditions_table(rows: Sequence[Mapping[str, str]]) -> list[str]:
    if not rows:
        return []
    lines = [
        "Condition vocabulary (`conditions.csv`):",
        "",
        "| id | label | category |",
        "|---|---|---|",
    ]
    lines += [f"| `{r['id']}` | {_cell(r['label'])} | {r['category']} |" for r in rows]
    return [*lines, ""]


def render(descriptor: Mapping[str, Any], conditions: Sequence[Mapping[str, str]] = ()) -> str:
    """Render the generated part of the codebook.

    Parameters
    ----------
    descriptor : mapping
        Parsed ``datapackage.json``.
    conditions : sequence of mapping, optional
        Rows of ``conditions.csv`` (id, label, category), listed under ``### conditions``.

    Returns
    -------
    str
        Markdown between (and including) the :data:`BEGIN` and :data:`END` markers.
    """
    lines = [
        BEGIN,
        "",
        "## Data version and changelog",
        "",
        f"Current data version: **{descriptor['version']}** (`version` in `datapackage.json`).",
        "",
    ]
    for entry in descriptor.get("changelog", []):
        lines.append(f"- **{entry['version']}** ({entry.get('date', 'undated')})")
        lines += [f"  - {_cell(change)}" for change in entry.get("changes", [])]
    lines += ["", "## Tables", ""]
    for res in descriptor["resources"]:
        lines += _resource_section(res)
        if res["name"] == "conditions":
            lines += _conditions_table(conditions)
    for res in descriptor.get("x-reserved-resources", []):
        lines += [
            f"### {res['name']} (reserved)",
            "",
            f"File `{res['path']}`: {res.get('status', 'reserved')}. {_cell(res.get('note', ''))}",
            "",
        ]
    lines += [
        "## Validation rules",
        "",
        "Besides the schema constraints above (types, required, allowed values, bounds, "
        "unique keys, foreign keys; checked with Frictionless, also from the command line: "
        "`frictionless validate data/datapackage.json`), `python -m ldn_analysis data check` "
        "applies these cross-table rules (`ldn_analysis.data.validation.RULES`, one registry "
        "filled with `@rule(...)`). A problem message ends with `[rule <id>]` and stops "
        "loading; a rule of level *warning* is listed by `data check` as `[warning <id>]` "
        "and does not stop loading.",
        "",
        "| rule | level | checks |",
        "|---|---|---|",
    ]
    lines += [f"| `{r.id}` | {r.severity} | {_cell(r.title)} |" for r in RULES]
    lines += ["", END]
    return "\n".join(lines)


def read_conditions(data_dir: Path) -> list[dict[str, str]]:
    """Read ``conditions.csv`` from ``data_dir`` (empty list if absent).

    Parameters
    ----------
    data_dir : Path
        The data folder.

    Returns
    -------
    list of dict
        One dict per condition row.
    """
    path = data_dir / "conditions.csv"
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def update_readme(
    text: str, descriptor: Mapping[str, Any], conditions: Sequence[Mapping[str, str]] | None = None
) -> str:
    """Return ``text`` with its generated block replaced by a fresh rendering.

    Parameters
    ----------
    text : str
        Current README content; must contain the :data:`BEGIN` and :data:`END` markers.
    descriptor : mapping
        Parsed ``datapackage.json``.
    conditions : sequence of mapping, optional
        Rows of ``conditions.csv``; read from ``data/`` when omitted.

    Returns
    -------
    str
        The updated README text.

    Raises
    ------
    ValueError
        If the markers are missing or out of order.
    """
    if conditions is None:
        conditions = read_conditions(ROOT / "data")
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"README needs the markers {BEGIN!r} ... {END!r}")
    return text[:start] + render(descriptor, conditions) + text[end + len(END) :]


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite (or with ``--check`` verify) the generated block of the README.

    Parameters
    ----------
    argv : sequence of str, optional
        Command-line arguments (default ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success or when up to date; 1 when ``--check`` finds the README stale.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check, do not write")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
    args = parser.parse_args(argv)
    readme = args.data_dir / "README.md"
    descriptor = json.loads((args.data_dir / "datapackage.json").read_text(encoding="utf-8"))
    current = readme.read_text(encoding="utf-8")
    fresh = update_readme(current, descriptor, read_conditions(args.data_dir))
    if args.check:
        if fresh != current:
            print(f"{readme} is stale: run `python tools/codebook.py`", file=sys.stderr)
            return 1
        print(f"{readme} is up to date")
        return 0
    if fresh != current:
        readme.write_text(fresh, encoding="utf-8")
        print(f"updated {readme}")
    else:
        print(f"{readme} already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
