"""Command line for `make run`: seed the demo hub into an empty landing folder, and print what the pipeline holds.

python -m include.kopdes_hub.cli seed-demo   # only when landing is empty, so a second run changes nothing
python -m include.kopdes_hub.cli summary
"""

from __future__ import annotations

import argparse
import sys

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
    return 1 if result.unaccounted else 0


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kopdes", description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("command", choices=["seed-demo", "summary", "revalidate", "announce"])
    parser.add_argument("args", nargs="*", help="submission ids (revalidate) or files (announce)")
    args = parser.parse_args(argv)
    if args.command == "revalidate":
        return revalidate(args.args)
    if args.command == "announce":
        return announce(args.args)
    return {"seed-demo": seed_demo, "summary": summary}[args.command]()


if __name__ == "__main__":
    sys.exit(main())
