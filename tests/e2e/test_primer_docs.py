"""docs/smtp-primer.md's exercises show real runs: each of their blocks is run again here, in
order (`smtp-mock ... &` starts a mock, `smtp-probe ...` probes it, `kill %1` stops it), and every
command must print what the page shows, apart from timings, the seed, message ids and the ports
(the page's 2525 and 8025 are the mock's ephemeral ones here)."""

import json
import os
import re
import shlex
import subprocess

import pytest

from mock_process import MockProcess, program

SOURCE = os.environ.get("SMTPH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
PAGE = os.path.join(SOURCE, "docs", "smtp-primer.md")
VARYING = [(re.compile(r"\d+\.\d+"), "N"), (re.compile(r"seed \d+"), "seed N"),
           (re.compile(r"<smtp-probe\.[^>]+>"), "<ID>")]


def exercise_blocks():
    """The fenced blocks of the Exercises section, each a list of (command, shown lines)."""
    section = open(PAGE, encoding="utf-8").read().split("## Exercises", 1)[1].split("\n## ")[0]
    blocks = re.findall(r"^( *)```\n(.*?)^\1```$", section, re.S | re.M)
    out = []
    for indent, body in blocks:
        steps = []
        for line in body.splitlines():
            line = line[len(indent):]
            if line.startswith("$ "):
                steps.append((line[2:], []))
            elif steps:
                steps[-1][1].append(line)
        out.append(steps)
    return out


def normalised(lines, ports=()):
    out = []
    for line in lines:
        for actual, shown in ports:
            line = line.replace(actual, shown)
        for pattern, replacement in VARYING:
            line = pattern.sub(replacement, line)
        out.append(line.rstrip())
    return out


def run_block(steps):
    """Runs one block; returns (command, printed, shown) for each command."""
    mock, started, checks = None, None, []
    try:
        for command, shown in steps:
            argv = shlex.split(command.rstrip(" &"))
            if argv[0] == "smtp-mock":
                assert mock is None, "one mock at a time"
                # The page's paths are relative to the top of the source tree.
                args = [os.path.join(SOURCE, a) if a.startswith("faults/") else a
                        for a in argv[1:]]
                mock, started = MockProcess(args), (command, shown)
            elif argv[0] == "smtp-probe":
                ports = [(mock.ready["smtp"][0], "127.0.0.1:2525")]
                argv = [program("SMTP_PROBE")] + [a.replace("127.0.0.1:2525", mock.ready["smtp"][0])
                                                  for a in argv[1:]]
                r = subprocess.run(argv, capture_output=True, text=True, timeout=30, cwd=SOURCE)
                checks.append((command, normalised((r.stdout + r.stderr).splitlines(), ports),
                               normalised(shown)))
            elif argv == ["kill", "%1"]:
                ready = mock.ready
                ports = [(ready["smtp"][0], "127.0.0.1:2525"), (ready["control"], "127.0.0.1:8025")]
                mock.stop()
                log = mock.stderr.decode().splitlines()
                ready_line = json.dumps(ready, separators=(",", ":"))
                checks.append((started[0], normalised([log[0], ready_line], ports),
                               normalised(started[1])))
                checks.append((command, normalised(log[1:], ports), normalised(shown)))
                mock = None
            else:
                pytest.fail(f"the primer runs a command this test does not know: {command}")
    finally:
        if mock is not None:
            mock.stop()
    assert mock is None, "each block stops its mock"
    return checks


BLOCKS = exercise_blocks()


def test_every_exercise_has_commands_that_show_its_answer():
    assert len(BLOCKS) == 3
    for steps in BLOCKS:
        assert any(c.startswith("smtp-probe") for c, _ in steps)


@pytest.mark.parametrize("steps", BLOCKS, ids=[f"exercise-{i + 1}" for i in range(len(BLOCKS))])
def test_an_exercise_prints_what_the_page_shows(steps):
    for command, printed, shown in run_block(steps):
        assert printed == shown, command
