"""The hub's command line: what `make run` and `make up` call (seed the demo hub,
run the DAGs, print what the pipeline holds, unpause the DAGs) and what an engineer
runs by hand (announce files, revalidate submissions, trace a published row to its files).

`--help` lists every command with an example; `COMMAND --help` tells one.
"""

from __future__ import annotations

import argparse
import sys
from typing import NamedTuple

from include.kopdes_hub.config import get_settings
from include.kopdes_hub.storage import store


def seed_demo() -> int:
    from include.kopdes_hub import demo
    from include.kopdes_hub.ingest import landing

    settings = get_settings()
    if settings.landing.exists() and landing.list_landing(settings.landing):
        print(f"landing {settings.landing} already holds files: not seeding the demo hub")
        return 0
    files = demo.generate_demo(settings.landing)
    print(f"seeded the demo hub into {settings.landing}: {len(files):,} files, {sum(f.rows for f in files):,} rows")
    return 0


def summary() -> int:
    from include.kopdes_hub.reporting import summary

    settings = get_settings()
    store.migrate(settings.db_url)
    result = summary.ingest_summary(settings)
    print(summary.format_ingest_summary(result, settings))
    print(summary.format_validation_summary(summary.validation_summary(settings), settings))
    gold = summary.gold_summary(settings)
    print(summary.format_gold_summary(gold, settings))
    print(summary.format_summaries(settings))
    print(_lineage_summary())
    return 1 if result.unaccounted else 0


def _lineage_summary() -> str:
    from airflow.providers.openlineage import conf

    from include.kopdes_hub.lineage import events

    folder = None if conf.is_disabled() else events.file_transport_folder(conf.transport())
    return events.format_events(events.read_events(folder) if folder else None)


def revalidate(submission_ids: list[str]) -> int:
    from include.kopdes_hub import validate

    settings = get_settings()
    n = validate.reset_validation(settings, submission_ids)
    print(f"{n} submission(s) back to bronze; the next kopdes_validate run decides them again")
    return 0 if n == len(submission_ids) else 1


def announce(paths: list[str]) -> int:
    from pathlib import Path

    from include.kopdes_hub.ingest import events

    landed, how = events.announce([Path(p) for p in paths])
    print(f"landed {len(landed)} file(s) in {get_settings().landing}; {how}")
    return 0


def dags_test(dag_id: str) -> int:
    from include.kopdes_hub.adapter import local_runs

    return local_runs.dags_test(dag_id)


def unpause_dags() -> int:
    from pathlib import Path

    from airflow.configuration import conf

    from include.kopdes_hub.adapter import local_runs

    folder = Path(conf.get("core", "dags_folder")).resolve()
    unpaused, unparsed = local_runs.unpause_dags(folder)
    print(f"unpaused {', '.join(unpaused) if unpaused else 'none (every DAG of dags/ already runs)'}")
    for name in unparsed:
        print(f"not parsed after {local_runs.PARSE_TIMEOUT:.0f} s, left as it is: {folder / name}")
    return 0


def close_month(period: str, by: str, reason: str | None) -> int:
    """The same effect as the hub manager's approval in kopdes_close, for scripts."""
    from include.kopdes_hub import closing

    month = closing.close(get_settings(), period, by=by, reason=reason, source=closing.CLI)
    print(f"{period} closed by {month.closed_by}: its figures are final version {month.version}")
    return 0


def reopen_month(period: str, by: str, reason: str) -> int:
    from include.kopdes_hub import closing

    month = closing.reopen(get_settings(), period, by=by, reason=reason, source=closing.CLI)
    held = len(closing.held_submissions(get_settings(), period))
    print(f"{period} reopened by {by}; the next run lets its held files in and publishes version {month.version + 1}")
    print(f"(files held while it was closed: {held})")
    return 0


def trace(dataset: str, period: str, options: argparse.Namespace) -> int:
    import json

    from include.kopdes_hub.lineage import trace as lineage_trace

    place = lineage_trace.Place(options.cooperative, options.commodity, options.village, options.district)
    try:
        result = lineage_trace.trace(get_settings(), dataset, period, place)
    except lineage_trace.TraceError as error:
        print(f"trace: {error}", file=sys.stderr)
        return 1
    if options.json:
        print(json.dumps(lineage_trace.as_json(result), ensure_ascii=False, indent=2))
    else:
        print(lineage_trace.format_trace(result))
    return 0


PROG = "python -m include.kopdes_hub.cli"


class Command(NamedTuple):
    name: str
    help: str  # one line: the list in --help keeps it on one line of an 80-column terminal
    example: str
    argument: str | None = None  # metavar of the positional arguments, if any
    argument_help: str = ""
    nargs: str | None = None
    options: tuple[tuple[str, str, bool], ...] = ()  # (--flag, help, required)
    switches: tuple[tuple[str, str], ...] = ()  # (--flag, help): on when given


COMMANDS = (
    Command("seed-demo", "seed the demo hub into landing (only when landing is empty)", "seed-demo"),
    Command("summary", "print what landing, ledger, lake and summaries hold", "summary"),
    Command(
        "announce",
        "land files atomically, then wake kopdes_ingest",
        "announce ~/kiriman/KDMP-1902022001_2026-07.csv",
        "FILE",
        "files as a clerk sent them (copied, never moved)",
        "+",
    ),
    Command(
        "revalidate",
        "send submissions back to bronze to be validated again",
        "revalidate 3f2a9c1d0b7e4a55",
        "SUBMISSION_ID",
        "ledger submission ids (16 hex digits)",
        "+",
    ),
    Command(
        "dags-test",
        "run a DAG now (airflow dags test), task logs in the UI",
        "dags-test kopdes_ingest",
        "DAG_ID",
        "a DAG of dags/",
    ),
    Command("unpause", "unpause every DAG of dags/ once it is parsed (make up)", "unpause"),
    Command(
        "close",
        "close a month past its deadline: its figures final (as kopdes_close)",
        'close 2026-07 --by "Bu Sari"',
        "PERIOD",
        "the month, YYYY-MM",
        options=(("--by", "who approved", True), ("--reason", "why (optional)", False)),
    ),
    Command(
        "reopen",
        "reopen a closed month: held files count, version n+1",
        'reopen 2026-07 --by "Pak Budi" --reason "berkas Badau terlambat"',
        "PERIOD",
        "the month, YYYY-MM",
        options=(("--by", "who reopens", True), ("--reason", "why (recorded)", True)),
    ),
    Command(
        "trace",
        "the submissions, files and rows behind published rows",
        "trace hub_balance --period 2026-07 --commodity beras --district Membalong",
        "DATASET",
        "a published dataset: commodity_volumes or a summary (hub_balance, ...)",
        options=(
            ("--period", "the month, YYYY-MM", True),
            ("--cooperative", "only its rows (or its village's, its district's)", False),
            ("--commodity", "only this commodity (catalogue code)", False),
            ("--village", "only this village (code or name)", False),
            ("--district", "only this district (code or name)", False),
        ),
        switches=(("--json", "print the answer as JSON"),),
    ),
)


def parser() -> argparse.ArgumentParser:
    # the commands are listed by hand: argparse's own list wraps a name longer than its indent (Python 3.11)
    width = max(len(c.name) for c in COMMANDS) + 2
    listing = "\n".join(f"  {c.name:<{width}}{c.help}\n  {'':<{width}}e.g. {PROG} {c.example}" for c in COMMANDS)
    result = argparse.ArgumentParser(
        prog=PROG,
        description=__doc__,
        epilog=f"commands:\n{listing}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = result.add_subparsers(dest="command", required=True, metavar="COMMAND", help="one of the commands below")
    for c in COMMANDS:
        command = commands.add_parser(
            c.name,
            description=c.help,
            epilog=f"example:\n  {PROG} {c.example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if c.argument is not None:
            command.add_argument("args", metavar=c.argument, nargs=c.nargs, help=c.argument_help)
        for flag, help_text, required in c.options:
            command.add_argument(flag, help=help_text, required=required)
        for flag, help_text in c.switches:
            command.add_argument(flag, help=help_text, action="store_true")
    return result


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command == "revalidate":
        return revalidate(args.args)
    if args.command == "announce":
        return announce(args.args)
    if args.command == "dags-test":
        return dags_test(args.args)
    if args.command == "close":
        return close_month(args.args, args.by, args.reason)
    if args.command == "reopen":
        return reopen_month(args.args, args.by, args.reason)
    if args.command == "trace":
        return trace(args.args, args.period, args)
    return {"seed-demo": seed_demo, "summary": summary, "unpause": unpause_dags}[args.command]()


if __name__ == "__main__":
    sys.exit(main())
