"""Low-dose naltrexone evidence bundle: data, statistics, figures and reports."""

__version__ = "0.1.0"
__all__ = ["__version__"]
