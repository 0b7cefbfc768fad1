"""The evidence base: load ``data/*.csv`` with its Table Schema, validate it, summarize it.

- :mod:`.evidence`: :func:`load_evidence` and :class:`Evidence` (validated tables);
- :mod:`.validation`: schema checks and the registry of cross-table rules;
- :mod:`.check`: ``python -m ldn_analysis data check`` (summary or every problem).
"""

from ldn_analysis.data.evidence import Evidence, load_evidence

__all__ = ["Evidence", "load_evidence"]
