"""`python -m include.kopdes_hub.cli --help` lists every command with a one-line description and an example, and
each example is a command line the parser takes."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from include.kopdes_hub import cli

ROOT = Path(__file__).resolve().parents[2]


def _help(*argv: str, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exited:
        cli.main([*argv, "--help"])
    assert exited.value.code == 0
    return capsys.readouterr().out


def test_help_lists_every_command_with_a_line_and_an_example(capsys):
    with pytest.raises(SystemExit):
        cli.main(["no-such-command"])
    accepted = re.findall(r"'([a-z-]+)'", capsys.readouterr().err.split("choose from", 1)[1])
    assert accepted == [c.name for c in cli.COMMANDS]  # the parser takes what the help lists, no more
    text = _help(capsys=capsys)
    lines = text.splitlines()
    for c in cli.COMMANDS:
        line = next(i for i, line in enumerate(lines) if line.split()[:1] == [c.name])
        assert lines[line].split(None, 1)[1] == c.help  # the description on the command's own line
        assert lines[line + 1].split() == ["e.g.", *cli.PROG.split(), *c.example.split()]


@pytest.mark.parametrize("command", cli.COMMANDS, ids=lambda c: c.name)
def test_each_command_has_help_with_its_example(command, capsys):
    text = _help(command.name, capsys=capsys)
    assert command.help in text and f"{cli.PROG} {command.example}" in text
    parsed = cli.parser().parse_args(shlex.split(command.example))  # the example is a valid command line
    assert parsed.command == command.name


def test_module_help_runs():
    out = subprocess.run(
        [sys.executable, "-m", "include.kopdes_hub.cli", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0 and all(c.name in out.stdout for c in cli.COMMANDS)
