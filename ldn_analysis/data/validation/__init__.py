"""Validate the LDN evidence base in three layers, gathering every problem before raising.

The evidence base is a folder holding ``datapackage.json`` (a Frictionless tabular data
package, Data Package v2) and one CSV per resource. :func:`validate_package` raises one
:class:`~ldn_analysis.errors.DataValidationError` listing every problem:

0. **The descriptor** (:mod:`.descriptor`): JSON syntax with line and column, resources,
   keys pointing at real fields and resources, the core tables; then Frictionless checks
   the descriptor against the Data Package v2 profile.
1. **The file layer** (:mod:`.files`, ours): missing, unreadable or empty files, UTF-16/32,
   bytes that are not UTF-8 (with the byte offset), stray byte-order marks and NUL bytes,
   broken quoting, ragged rows, the header (missing, extra, duplicate or blank names) and
   repeated header rows. A UTF-8 byte-order mark at the very start is accepted. A CSV
   without a resource is not loaded and is listed by :func:`undeclared_files`.
2. **The schema layer** (:mod:`.tableschema`): Frictionless validates the cells against
   the Table Schema of each resource (types, ``required``, ``enum``, ``pattern``, bounds,
   ``unique``, primary and foreign keys); an adapter words its errors as our problems and
   adds the one check Frictionless lacks (no NaN, infinity or overflow in numbers). The
   same checks run from the command line: ``frictionless validate data/datapackage.json``.
3. **Cross-table rules** (:mod:`.rules`): everything a Table Schema cannot express, in
   the single registry :data:`RULES`, each rule registered with ``@rule(...)``. Rules of
   severity ``warning`` do not stop loading; ``data check`` lists them.

Conventions
-----------
Every :class:`~ldn_analysis.errors.Problem` names the file (relative to the data folder),
the **data row** and the column. Data rows are 1-based and exclude the header: row 1 is
the first row under the header, which a spreadsheet shows as row 2 (spreadsheet row =
data row + 1). Blank lines count as rows so the numbering follows the order of records in
the file; fully blank rows are otherwise ignored. Problems about a whole file or column
have ``row=None``. At most :data:`MAX_PER_CHECK` problems are listed per check, file and
column; one more problem then says how many further rows have the same problem. Nothing
here writes to disk.
"""

from ldn_analysis.data.validation.descriptor import read_descriptor
from ldn_analysis.data.validation.package import (
    ValidatedPackage,
    undeclared_files,
    validate_package,
)
from ldn_analysis.data.validation.problems import CORE_TABLES, MAX_PER_CHECK
from ldn_analysis.data.validation.rules import RULES, Finding, Rule, Tables, rule

__all__ = [
    "CORE_TABLES",
    "MAX_PER_CHECK",
    "RULES",
    "Finding",
    "Rule",
    "Tables",
    "ValidatedPackage",
    "read_descriptor",
    "rule",
    "undeclared_files",
    "validate_package",
]
