"""Show figures, tables and generated text so they work in JupyterLab *and* offline HTML.

One output carries two representations of each figure:

- ``application/vnd.plotly.v1+json`` for JupyterLab (the plotly extension renders it
  interactively; raw HTML with scripts would not run in an untrusted notebook);
- ``text/html`` for nbconvert: a ``<div>`` with a deterministic id and a script calling
  ``Plotly.newPlot`` against the single shared ``plotly.min.js`` that report pages load
  (no CDN, no per-page copy of plotly.js).

plotly >= 6 in a kernel writes only the mimetype by default, which nbconvert ignores, so
figures silently vanish from HTML; emitting both here avoids that. Div ids are a hash of
the figure JSON, so the same figure always gives the same page bytes.
"""

from __future__ import annotations

import hashlib
import html
import json

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

PLOTLY_MIMETYPE = "application/vnd.plotly.v1+json"
FIGURE_CLASS = "ldn-figure"
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True, "typesetMath": False}

# Opens a point's source URL (customdata[0]) on click, in report pages only.
_CLICK_JS = (
    "gd.on('plotly_click',function(e){var p=e&&e.points&&e.points[0];"
    "var u=p&&p.customdata&&(Array.isArray(p.customdata)?p.customdata[0]:p.customdata);"
    "if(typeof u==='string'&&/^https?:\\/\\//.test(u)){window.open(u,'_blank','noopener');}});"
)


def _script_safe(text: str) -> str:
    """Escape JSON for embedding inside ``<script>`` (no ``</script>`` break-out)."""
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def figure_html(fig: go.Figure, alt: str) -> str:
    """Return the offline HTML snippet for ``fig`` with ``alt`` as its caption and label."""
    payload = pio.to_json(fig, validate=False, pretty=False, remove_uids=True)
    div_id = "fig-" + hashlib.sha256(payload.encode()).hexdigest()[:16]
    spec = json.loads(payload)
    height = spec.get("layout", {}).get("height") or 450
    data = _script_safe(json.dumps(spec.get("data", []), separators=(",", ":")))
    layout = _script_safe(json.dumps(spec.get("layout", {}), separators=(",", ":")))
    config = json.dumps(PLOTLY_CONFIG, separators=(",", ":"))
    label = html.escape(alt, quote=True)
    return (
        f'<figure class="{FIGURE_CLASS}" role="group" aria-label="{label}">'
        f'<div id="{div_id}" class="plotly-graph-div" style="height:{height}px;width:100%">'
        "</div>"
        '<script type="text/javascript">(function(){'
        f'var gd=document.getElementById("{div_id}");'
        "if(!window.Plotly){gd.textContent='Chart unavailable: plotly.min.js did not load.';return;}"
        f"Plotly.newPlot(gd,{data},{layout},{config}).then(function(){{{_CLICK_JS}}});"
        "})();</script>"
        f"<figcaption>{label}</figcaption></figure>"
    )


def show(fig: go.Figure, alt: str) -> None:
    """Display ``fig`` for both JupyterLab and the offline HTML report.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        A figure from :mod:`ldn_analysis.figures`.
    alt : str
        One-sentence text alternative (computed from the data by the figure builder),
        shown as the caption and read by screen readers.
    """
    from IPython.display import display

    bundle = {
        PLOTLY_MIMETYPE: json.loads(pio.to_json(fig, validate=False, remove_uids=True)),
        "text/html": figure_html(fig, alt),
        "text/plain": f"[figure] {alt}",
    }
    display(bundle, raw=True)


def show_text(text: str, *, heading: str | None = None) -> None:
    """Display generated prose safely: data-derived text is escaped, never run as HTML."""
    from IPython.display import display

    body = "".join(f"<p>{html.escape(p)}</p>" for p in str(text).split("\n\n") if p.strip())
    head = f"<h4>{html.escape(heading)}</h4>" if heading else ""
    plain = (heading + "\n" if heading else "") + str(text)
    display(
        {"text/html": f'<div class="ldn-text">{head}{body}</div>', "text/plain": plain}, raw=True
    )


TABLE_WRAP_CLASS = "ldn-table-wrap"
"""Class of the ``<div>`` around every table: the page stylesheet lets it scroll sideways
inside the text column, so a wide table never widens the page."""


def link_html(url: object, text: str = "source", *, title: str = "") -> str:
    """Return an escaped ``<a>`` to an http(s) URL ("" when the URL is not http(s))."""
    if isinstance(url, str) and url.startswith(("http://", "https://")) and "///" not in url:
        safe = html.escape(url, quote=True)
        tip = f' title="{html.escape(title, quote=True)}"' if title else ""
        return f'<a href="{safe}" target="_blank" rel="noopener"{tip}>{html.escape(text)}</a>'
    return ""


def _link(url: object) -> str:
    return link_html(url, "source")


def show_html(body: str, plain: str) -> None:
    """Display HTML built by :mod:`ldn_analysis.text` helpers (every value already escaped)."""
    from IPython.display import display

    display({"text/html": body, "text/plain": plain}, raw=True)


def show_table(
    df: pd.DataFrame,
    *,
    caption: str | None = None,
    link_column: str = "source_url",
    html_columns: tuple[str, ...] = (),
):
    """Display a table with every cell escaped and the source column as a link.

    Parameters
    ----------
    df : pandas.DataFrame
        Rows to show; values are escaped (a title holding ``<script>`` shows as text).
    caption : str, optional
        Short caption above the table.
    link_column : str
        Column holding http(s) URLs, rendered as "source" links.
    html_columns : tuple of str
        Columns already rendered to safe HTML by :func:`link_html` (citations); shown as is.
    """
    from IPython.display import display

    shown = df.copy()
    for col in shown.columns:
        if col == link_column:
            shown[col] = shown[col].map(_link)
        elif col in html_columns:
            shown[col] = shown[col].fillna("").astype(str)
        else:
            shown[col] = shown[col].map(lambda v: "" if pd.isna(v) else html.escape(str(v)))
    if link_column in shown.columns:  # a header a reader understands, not the CSV column name
        shown = shown.rename(columns={link_column: "link" if "source" in shown else "source"})
    table = shown.to_html(index=False, escape=False, border=0, classes="ldn-table", na_rep="")
    cap = f"<p class='ldn-caption'>{html.escape(caption)}</p>" if caption else ""
    wrapped = f'<div class="{TABLE_WRAP_CLASS}">{table}</div>'
    display({"text/html": cap + wrapped, "text/plain": df.to_string(index=False)}, raw=True)
