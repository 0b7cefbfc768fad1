"""Command line: ``python -m ldn_analysis {report,data check,claims}`` and ``ldn-report``.

Problems the user can fix end in a one-paragraph message and a non-zero exit code
(2 for bad parameters or options, 1 for bad data or failed reports), never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ldn_analysis.data.check import check_command
from ldn_analysis.data.updates import update_command
from ldn_analysis.errors import ChoiceError, LDNError, ParameterError
from ldn_analysis.report.parameters import PARAMETERS

EPILOG = """examples:
  python -m ldn_analysis report                          every report, default parameters
  python -m ldn_analysis report -p condition fibromyalgia  the condition report for one condition
  python -m ldn_analysis report --notebook efficacy -p method DL -p test z
  python -m ldn_analysis report --params-file my.yaml --jobs 1 --show-code
  python -m ldn_analysis report --list                   notebooks and their parameters
  python -m ldn_analysis data check --data-dir my_data/
  python -m ldn_analysis claims --format csv > claims.csv
  python -m ldn_analysis effects --condition fibromyalgia --outcome pain --format json
"""


def _add_report_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        default=[],
        help="set a notebook parameter (repeatable); lists are comma-separated",
    )
    p.add_argument("--params-file", type=Path, help="YAML file mapping parameter names to values")
    p.add_argument(
        "--notebook", action="append", help="notebook name to run (repeatable; default: all)"
    )
    p.add_argument("--jobs", type=int, default=None, help="parallel workers (default: all cores)")
    p.add_argument("--show-code", action="store_true", help="keep code cells in the HTML pages")
    p.add_argument(
        "--force", action="store_true", help="re-execute every report, even unchanged ones"
    )
    p.add_argument("--output-dir", type=Path, help="output folder (default: reports/)")
    p.add_argument("--list", action="store_true", help="list notebooks and their parameters")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for ``python -m ldn_analysis``."""
    parser = argparse.ArgumentParser(
        prog="python -m ldn_analysis",
        description="LDN evidence bundle: build reports, check data, appraise claims.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    rep = sub.add_parser(
        "report",
        help="execute notebooks into offline HTML under reports/",
        description="Execute notebooks with papermill and export offline HTML with an index.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_report_args(rep)
    data = sub.add_parser("data", help="evidence-base commands")
    data_sub = data.add_subparsers(dest="data_command", required=True, metavar="SUBCOMMAND")
    check = data_sub.add_parser("check", help="validate a data folder and print a summary")
    check.add_argument(
        "--data-dir", type=Path, help="data folder (default: $LDN_DATA_DIR or data/)"
    )
    claims = sub.add_parser("claims", help="evaluate the news claims against the evidence")
    claims.add_argument("--format", choices=("table", "csv"), default="table")
    claims.add_argument("--data-dir", type=Path, help="data folder (default: data/)")
    update = sub.add_parser(
        "update",
        help="screen ClinicalTrials.gov or PubMed for new LDN records (writes reports/updates/)",
    )
    update.add_argument("source", choices=("registrations", "pubmed"))
    update.add_argument(
        "--from-file",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="saved API response to read instead of the network (repeatable)",
    )
    update.add_argument("--since", help="YYYY-MM-DD (default: the data version date)")
    update.add_argument("--output-dir", type=Path, help="default: reports/updates/")
    update.add_argument("--data-dir", type=Path, help="data folder, read only (default: data/)")
    eff = sub.add_parser(
        "effects",
        help="per-study effects, pooled result and sensitivity analyses of one outcome",
        description="Print the effects the efficacy report pools, with each one's derivation.",
    )
    eff.add_argument("--condition", required=True, help=PARAMETERS["condition"].help)
    eff.add_argument("--outcome", default="pain", help=PARAMETERS["outcome"].help)
    eff.add_argument("--method", default="REML", help=PARAMETERS["method"].help)
    eff.add_argument("--test", default="knha", help=PARAMETERS["test"].help)
    eff.add_argument("--rho", default="0.5", help=PARAMETERS["rho"].help)
    eff.add_argument("--format", default="table", help="table (default), json or csv")
    eff.add_argument("--data-dir", type=Path, help="data folder (default: data/)")
    return parser


def _effects(args: argparse.Namespace) -> int:
    # local import: the analysis layer (scipy and the conversions) costs about a second to
    # import, which `data check`, `update`, `report --list` and `--help` never need.
    from ldn_analysis.analysis import efficacy, load, select
    from ldn_analysis.text.effects_report import FORMATS, render_effects

    if args.format not in FORMATS:
        raise ChoiceError("format", args.format, FORMATS)
    names = ("condition", "outcome", "method", "test", "rho")
    v = {name: PARAMETERS[name].check(getattr(args, name)) for name in names}
    analysis = efficacy(select(load(), v["condition"]), v["outcome"], v["method"], v["test"],
                        rho=v["rho"])  # fmt: skip
    sys.stdout.write(render_effects(analysis, args.format))
    sys.stdout.flush()  # a closed pipe (`| head`) is handled once, in main()
    return 0


def _parameters(args: argparse.Namespace) -> dict:
    params: dict = {}
    if args.params_file:
        import yaml

        try:
            loaded = yaml.safe_load(args.params_file.read_text("utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ParameterError(f"cannot read parameters file {args.params_file}: {exc}") from None
        if not isinstance(loaded, dict):
            raise ParameterError(f"{args.params_file} must map parameter names to values")
        params.update(loaded)
    params.update(dict(args.parameter))
    return params


def _runner():
    # local import: papermill and nbconvert take about a second to import; `data check`,
    # `claims` and `--help` never need them.
    from ldn_analysis.report import runner

    return runner


def _list_notebooks() -> int:
    runner = _runner()
    for name, path in runner.notebook_paths().items():
        print(name)
        for pname, info in runner.declared_parameters(path).items():
            spec = PARAMETERS.get(pname)
            print(f"  {pname} = {info['default']}  {spec.help if spec else info.get('help', '')}")
    return 0


def _run(args: argparse.Namespace) -> int:
    data_dir = getattr(args, "data_dir", None)
    if data_dir:
        os.environ["LDN_DATA_DIR"] = str(data_dir.resolve())
    if args.command == "report":
        if args.list:
            return _list_notebooks()
        return _runner().run_reports(
            args.notebook,
            _parameters(args),
            jobs=args.jobs,
            show_code=args.show_code,
            out_dir=args.output_dir,
            force=args.force,
        )
    if args.command == "data":
        return check_command(args.data_dir)
    if args.command == "update":
        return update_command(
            args.source, args.from_file, since=args.since, out_dir=args.output_dir
        )
    if args.command == "effects":
        return _effects(args)
    # local import: claims grading reads the analysis layer (about a second to import).
    from ldn_analysis.claims import claims_command

    return claims_command(fmt=args.format, data_dir=args.data_dir)


def main(argv: list[str] | None = None) -> int:
    """Entry point for ``python -m ldn_analysis``; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        code = _run(args)
        sys.stdout.flush()  # a reader that went away shows up here, inside the handler
        return code
    except LDNError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`claims --format csv | head`): stop quietly, as cat does;
        # stdout is pointed at devnull so the interpreter's final flush cannot raise again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def report_main(argv: list[str] | None = None) -> int:
    """Entry point for the ``ldn-report`` console script (``report`` subcommand)."""
    return main(["report", *(sys.argv[1:] if argv is None else argv)])
