"""Validate the LDN evidence base: Table Schema checks plus one registry of cross-table rules.

The evidence base is a folder holding ``datapackage.json`` (a Frictionless tabular data
package) and one CSV per resource. :func:`validate_package` reads every CSV, converts it to
the dtypes its Table Schema declares and runs three layers of checks, gathering every
problem before raising one :class:`~ldn_analysis.errors.DataValidationError`:

1. **File checks** (while reading): missing or unreadable file, empty file, UTF-16/UTF-32
   files, bytes that are not UTF-8 (with the byte offset), stray byte-order marks or NUL
   bytes inside the file, broken quoting, ragged rows (a row with more or fewer values than
   the header), and the header itself: missing, extra, duplicate or blank column names. A
   UTF-8 byte-order mark at the very start is accepted (spreadsheets write one). A
   resource without its CSV is a problem; a CSV without a resource is not loaded and is
   listed by :func:`undeclared_files` (and by ``data check``).
2. **Schema checks** (declarative, driven by each field of the Table Schema): ``type``
   (integer, number, boolean, string; ``NaN``/``inf`` text is never a number), the
   constraints ``required``, ``enum``, ``pattern``, ``minimum``, ``maximum``,
   ``exclusiveMinimum``, ``exclusiveMaximum`` and ``unique``, the ``primaryKey`` (unique;
   blanks compare equal in composite keys) and every ``foreignKey`` (a blank reference is
   allowed). ``sd > 0``, "ids resolve" and "every row has an http(s) ``source_url``" are
   expressed here, declaratively, by ``exclusiveMinimum``, ``foreignKeys`` and
   ``required`` + ``pattern``.
3. **Cross-table rules**: everything the Table Schema cannot express, in the single
   registry :data:`RULES` (events <= n_at_risk, arm sizes <= n_enrolled, dose range and
   confidence intervals ordered, ids consistent with their parent ids, ...).

Conventions
-----------
Every :class:`~ldn_analysis.errors.Problem` names the file (relative to the data folder),
the **data row** and the column. Data rows are 1-based and exclude the header, matching
:class:`~ldn_analysis.errors.DataValidationError`: row 1 is the first row under the header,
which a spreadsheet shows as row 2 (so spreadsheet row = data row + 1). Blank lines count as
rows so the numbering follows the order of records in the file; fully blank rows are
otherwise ignored. Problems about a whole file or column have ``row=None``.

At most :data:`MAX_PER_CHECK` problems are listed per check, file and column; one more
problem then says how many further rows have the same problem.

Nothing here writes to disk. The happy path is vectorized (pandas/numpy over whole
columns, per-value work only on the distinct values of a column); Python-level loops run
only over failing rows or on files that are already known to be broken.
"""

from ldn_analysis.data.validation._problems import CORE_TABLES, MAX_PER_CHECK
from ldn_analysis.data.validation.checks import Finding, Rule
from ldn_analysis.data.validation.checks import Tables as Tables
from ldn_analysis.data.validation.descriptor import read_descriptor
from ldn_analysis.data.validation.package import (
    ValidatedPackage,
    undeclared_files,
    validate_package,
)
from ldn_analysis.data.validation.rules import RULES
from ldn_analysis.vocab import CONTROLLED_DESIGNS, CROSSOVER_DESIGNS

__all__ = [
    "CORE_TABLES",
    "CONTROLLED_DESIGNS",
    "CROSSOVER_DESIGNS",
    "MAX_PER_CHECK",
    "RULES",
    "Finding",
    "Rule",
    "ValidatedPackage",
    "read_descriptor",
    "undeclared_files",
    "validate_package",
]
