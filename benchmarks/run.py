"""Run every benchmark and write benchmarks/RESULTS.md (``make bench``).

Each ``bench_*.py`` module exposes ``run() -> list[dict]``; every dict is one ratio measured
in this run: a baseline and a candidate, both measured here, never a stored number.
Keys: name, baseline_label, candidate_label, ratio, details, and either
baseline_seconds/candidate_seconds or baseline_value/candidate_value with unit.
Benchmarks report; they never fail the build. The file's hand-written ``## Notes`` section
(everything from that heading on) is kept when the file is rewritten; the rest is generated.
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODULES = ("bench_reports", "bench_pooling", "bench_glmm", "bench_load", "bench_pagesize")


def machine() -> str:
    """Describe this machine in one line."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (
        f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cores{mem}, "
        f"Python {platform.python_version()}"
    )


def _fmt(row: dict, side: str) -> str:
    if f"{side}_seconds" in row:
        return f"{row[f'{side}_seconds']:.3f} s"
    return f"{row[f'{side}_value']:,.0f} {row.get('unit', '')}".strip()


def _ratio(value: float) -> str:
    return f"{value:.1f}x" if value >= 1 else f"{value:.2g}x"


def _load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def notes(path: Path) -> list[str]:
    """Return the hand-written ``## Notes`` section of ``path`` (kept when the file is rewritten)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return []
    at = text.find("\n## Notes")
    return ["", *text[at + 1 :].rstrip("\n").splitlines()] if at >= 0 else []


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks named in ``argv`` (default all) and write RESULTS.md."""
    names = argv or list(MODULES)
    started, load_before = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), _load()
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (`python -m benchmarks.run`); every ratio is baseline / "
        "candidate, both measured in the same run on this machine:",
        "",
        f"- machine: {machine()}",
        f"- run: {started}, modules {', '.join(names)}",
        "",
        "| benchmark | baseline | candidate | ratio | details |",
        "|---|---|---|---|---|",
    ]
    for name in names:
        print(f"== {name}", file=sys.stderr)
        try:
            rows = importlib.import_module(f"benchmarks.{name}").run()
        except Exception as exc:  # report and go on: a benchmark never fails the build
            traceback.print_exc()
            reason = " ".join(str(exc).split())  # one table row, however long the message
            lines.append(f"| {name} | - | - | - | not run: {type(exc).__name__}: {reason} |")
            continue
        for row in rows:
            lines.append(
                f"| {row['name']} | {row['baseline_label']}: {_fmt(row, 'baseline')} | "
                f"{row['candidate_label']}: {_fmt(row, 'candidate')} | {_ratio(row['ratio'])} | "
                f"{row.get('details', '')} |"
            )
            print(lines[-1], file=sys.stderr)
    load = f"- load average (1, 5, 15 min) on this 2-core machine: {load_before} at the start, "
    at = next(i for i, line in enumerate(lines) if line.startswith("- run: ")) + 1
    lines.insert(at, load + f"{_load()} at the end (other sessions share it)")
    lines += notes(HERE / "RESULTS.md")
    (HERE / "RESULTS.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {HERE / 'RESULTS.md'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
