"""Low-dose naltrexone evidence bundle: data, statistics, figures and reports."""

__version__ = "0.1.0"
from .display import show, show_table, show_text
from .runcard import run_card, show_run_card

__all__ = ["__version__", "run_card", "show", "show_run_card", "show_table", "show_text"]
