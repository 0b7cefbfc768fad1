"""The index page and manifest: a portal to every page, merged across partial builds.

``manifest.json`` holds one entry per page (its parameters, title, cache key, page sha256,
when it was executed, whether this build reused it). A partial build (``report -p
condition crps``) replaces only the entries it rebuilt, so every page stays linked; a full
build keeps exactly the pages it planned and deletes the files of pages no longer planned,
so no orphan or duplicate page is left. Both files are written through a rename.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from pathlib import Path

from ldn_analysis import paths, vocab
from ldn_analysis.report.cache import records, write_atomic
from ldn_analysis.text.format import plural

MANIFEST = "manifest.json"
#: Index sections, in order: metadata ``ldn.group`` -> heading.
GROUPS = {
    "start": "Start here",
    "condition": "By condition",
    "safety": "Safety",
    "teaching": "Teaching",
    "claims": "Claims",
    "other": "Other reports",
}
#: One line under each heading: what its pages answer.
INTROS = {
    "start": "Across every condition: what has been studied, the pooled effect, doses and "
    "durations.",
    "condition": "One page per condition: every study, the pooled effect where trials allow "
    "one, side effects and a certainty profile. Counts are studies in the data.",
    "safety": "Side effects on LDN and on placebo.",
    "teaching": "Exercises on the LDN data, each in a student version (answers hidden) and an "
    "instructor version.",
    "claims": "Public claims about LDN, tested against the data.",
    "other": "",
}
FIELDS = (
    "slug notebook parameters ok html ipynb title answers group figures tables error key "
    "page_sha256 executed_at reused order seconds"
).split()


def read_manifest(out: Path) -> dict[str, dict]:
    """Return the previous build's entries by slug (empty when none or unreadable)."""
    try:
        entries = json.loads((out / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(entries, list):
        return {}
    return {e["slug"]: e for e in entries if isinstance(e, dict) and "slug" in e}


def merge(
    previous: dict[str, dict], results: list[dict], keep: set[str] | None, notebooks: set[str]
) -> dict[str, dict]:
    """Return the entries of the index after this build.

    ``keep`` is the set of slugs a full build planned (other entries are dropped), or None
    for a partial build (every previous entry of an existing notebook stays).
    """
    merged = {
        slug: e
        for slug, e in previous.items()
        if e.get("notebook") in notebooks and (keep is None or slug in keep)
    }
    for r in results:
        merged[r["slug"]] = {k: r.get(k) for k in FIELDS if k in r}
    return dict(sorted(merged.items()))


def remove_orphans(out: Path, entries: dict[str, dict], notebooks: set[str]) -> list[str]:
    """Delete pages and executed notebooks of known notebooks that no entry links."""
    linked = {e.get("html") for e in entries.values()} | {e.get("ipynb") for e in entries.values()}
    removed = []
    for pattern in ("*.html", "notebooks/*.ipynb"):
        for path in sorted(out.glob(pattern)):
            rel = path.relative_to(out).as_posix()
            stem = path.stem.split("__", 1)[0]
            if stem in notebooks and rel not in linked:
                path.unlink()
                removed.append(rel)
    return removed


def condition_counts(data_dir: Path | None = None) -> dict[str, tuple[int, int]]:
    """Return ``{condition: (studies, randomised studies)}`` from ``studies.csv``."""
    path = Path(data_dir or paths.data_dir()) / "studies.csv"
    if not path.exists():
        return {}
    header, rows = records(path)
    cond, rand = header.index("condition"), header.index("randomized")
    total = Counter(r[cond] for r in rows)
    randomized = Counter(r[cond] for r in rows if r[rand].strip().lower() == "true")
    return {c: (n, randomized.get(c, 0)) for c, n in total.items()}


def _line(e: dict, counts: dict) -> str:
    condition = (e.get("parameters") or {}).get("condition")
    title = html.escape(e.get("title") or "")
    text, extra, answers = title, "", html.escape(e.get("answers") or "")
    if e.get("group") == "condition":  # the heading says what; the line says which
        label = vocab.condition_label(condition)
        text, answers = html.escape(label[:1].upper() + label[1:]), ""
        if condition in counts:
            n, rct = counts[condition]
            extra = f' <span class="count">{plural(n, "study")}, {rct} randomised</span>'
    status = ""
    if not e.get("ok"):
        status = f' <strong class="failed">FAILED: {html.escape(e.get("error") or "")}</strong>'
    reused = "reused" if e.get("reused") else "executed"
    when = html.escape(str(e.get("executed_at") or ""))
    return (
        f'<li data-slug="{html.escape(e["slug"])}" data-figures="{e.get("figures") or 0}" '
        f'data-reused="{str(bool(e.get("reused"))).lower()}">'
        f'<a href="{html.escape(e.get("html") or "")}" title="{title}">{text}</a>'
        f"{extra}{status}"
        + (f'<span class="answers">{answers}</span>' if answers else "")
        + f'<span class="meta">{reused} {when} · <a href="{html.escape(e.get("ipynb") or "")}">'
        "notebook</a></span></li>"
    )


def _sort_key(e: dict):
    params = e.get("parameters") or {}
    if e.get("group") == "condition":
        return (1, vocab.condition_label(params.get("condition", "")).lower(), e["slug"])
    student_first = 0 if params.get("mode", "student") == "student" else 1
    return (0, e.get("order", 0), e.get("notebook", ""), student_first, e["slug"])


STYLE = (
    "body{font-family:system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1.5rem;"
    "line-height:1.45;color:#1d1d1f}h1{margin-bottom:.2rem}.lede{color:#444;margin-top:0}"
    "h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:1.8rem}"
    "ul{list-style:none;padding:0}li{margin:.55rem 0}li a:first-child{font-weight:600}"
    ".answers{display:block;color:#333}.meta{display:block;font-size:.8rem;color:#666}"
    ".count{color:#555;font-size:.9rem}.intro{color:#444;margin:.3rem 0}"
    "#condition ul{columns:2 22rem}#condition li{break-inside:avoid;margin:.3rem 0}.failed{color:#b00020}"
    "@media print{.meta{display:none}a{color:inherit;text-decoration:none}}"
)


def write_index(out: Path, entries: dict[str, dict], *, data_version: str, built: str) -> Path:
    """Write ``index.html`` (grouped portal) and ``manifest.json``; return the index path."""
    counts = condition_counts()
    groups: dict[str, list[dict]] = {g: [] for g in GROUPS}
    for e in entries.values():
        groups.get(e.get("group") or "other", groups["other"]).append(e)
    sections = []
    for group, items in groups.items():
        if not items:
            continue
        lines = "".join(_line(e, counts) for e in sorted(items, key=_sort_key))
        intro = f'<p class="intro">{INTROS[group]}</p>' if INTROS.get(group) else ""
        sections.append(
            f'<section id="{group}"><h2>{GROUPS[group]}</h2>{intro}<ul>{lines}</ul></section>'
        )
    failed = sum(not e.get("ok") for e in entries.values())
    reused = sum(bool(e.get("reused")) for e in entries.values())
    summary = (
        f"{plural(len(entries), 'page')}; {reused} reused from an earlier build, "
        f"{len(entries) - reused} executed in this one; {failed} failed."
    )
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>LDN evidence reports</title><style>{STYLE}</style></head><body><main>"
        "<h1>LDN evidence reports</h1>"
        '<p class="lede">Low-dose naltrexone: every study, pooled analyses, side effects, '
        "teaching notebooks and claims checked against the data.</p>"
        f'<p class="build">Data version <strong>{html.escape(data_version)}</strong> · '
        f'built <time>{html.escape(built)}</time> · <span class="summary">{summary}</span></p>'
        + "".join(sections)
        + "</main></body></html>\n"
    )
    index = out / "index.html"
    write_atomic(index, page)
    manifest = [entries[s] for s in sorted(entries)]
    write_atomic(out / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return index
