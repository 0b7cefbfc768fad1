"""Run a notebook's code cells in this process with IPython's shell, outputs as a kernel's.

The report runner forks one process per report from a parent that has already imported the
heavy modules and loaded the evidence (see :mod:`ldn_analysis.report.execute`); the fork runs
the cells here. Each fork starts from the same parent state and exits after its report, so
no two reports ever share an interpreter namespace and no output depends on the worker.

Outputs are recorded the way ipykernel sends them to nbclient: ``display_data`` from
``IPython.display.display``, ``execute_result`` from the display hook, coalesced ``stream``
text from stdout/stderr, and an ``error`` output (name, value, traceback) that stops the
run, as papermill does.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import nbformat
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config


@dataclass
class CellError:
    """The first failing cell: its index among the code cells, execution count and error."""

    code_cell: int
    execution_count: int
    ename: str
    evalue: str

    def describe(self) -> str:
        """Return the one-line summary shown on the page, the index and the console."""
        return (
            f"cell #{self.code_cell} (execution count {self.execution_count}): "
            f"{self.ename}: {self.evalue}"
        )


class _Outputs:
    """The output list of the cell being run (one per process: reports never overlap)."""

    current: list = []

    @classmethod
    def add(cls, output) -> None:
        cls.current.append(output)

    @classmethod
    def stream(cls, name: str, text: str) -> None:
        last = cls.current[-1] if cls.current else None
        if last is not None and last.output_type == "stream" and last.name == name:
            last.text += text
        else:
            cls.current.append(nbformat.v4.new_output("stream", name=name, text=text))


class _Stream:
    """A text file object that turns writes into ``stream`` outputs."""

    encoding = "utf-8"
    errors = "strict"

    def __init__(self, name: str) -> None:
        self.name = name

    def write(self, text: str) -> int:
        if text:
            _Outputs.stream(self.name, text)
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


class _Publisher(DisplayPublisher):
    """``display()`` as nbclient records it, including ``display_id`` updates in place."""

    shown: dict[str, list] = {}  # display_id -> the outputs showing it

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kw):
        display_id = (transient or {}).get("display_id")
        if update and display_id:
            for output in self.shown.get(display_id, []):
                output.data, output.metadata = data, metadata or {}
            return
        output = nbformat.v4.new_output("display_data", data=data, metadata=metadata or {})
        _Outputs.add(output)
        if display_id:
            self.shown.setdefault(display_id, []).append(output)

    def clear_output(self, wait=False):
        _Outputs.current.clear()


class _Hook(DisplayHook):
    def start_displayhook(self):
        self._bundle = None

    def write_output_prompt(self):
        pass

    def write_format_data(self, format_dict, md_dict=None):
        self._bundle = (format_dict, md_dict or {})

    def finish_displayhook(self):
        if self._bundle is not None:
            data, meta = self._bundle
            _Outputs.add(
                nbformat.v4.new_output(
                    "execute_result",
                    data=data,
                    metadata=meta,
                    execution_count=self.shell.execution_count,
                )
            )
        self._bundle = None


class _Shell(InteractiveShell):
    def _showtraceback(self, etype, evalue, stb):
        _Outputs.add(
            nbformat.v4.new_output(
                "error", ename=etype.__name__, evalue=str(evalue), traceback=list(stb)
            )
        )


def make_shell() -> InteractiveShell:
    """Create the process's IPython shell (no history file, no colours, no prompts).

    Called in the runner's parent before any fork, so forks start with a ready shell and an
    empty user namespace.
    """
    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "NoColor"
    config.InteractiveShell.xmode = "Context"
    shell = _Shell.instance(config=config)
    shell.display_pub = _Publisher(shell=shell, parent=shell)
    shell.displayhook = _Hook(shell=shell, parent=shell)
    shell.display_trap.hook = shell.displayhook  # run_cell installs the trap's hook
    return shell


def run_cells(nb, shell: InteractiveShell) -> CellError | None:
    """Execute ``nb``'s code cells in order into their outputs; stop at the first error.

    Cells after a failing one keep no outputs and no execution count, as with papermill.
    """
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Stream("stdout"), _Stream("stderr")
    sys.displayhook = shell.displayhook
    try:
        for code_index, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
            cell.outputs = _Outputs.current = []
            count = shell.execution_count
            result = shell.run_cell(cell.source, store_history=True)
            cell.execution_count = count
            for output in cell.outputs:
                if output.output_type == "execute_result":
                    output.execution_count = count
            failure = result.error_before_exec or result.error_in_exec
            if failure is not None:
                return CellError(code_index, count, type(failure).__name__, str(failure))
        return None
    finally:
        sys.stdout, sys.stderr = out, err
