"""docs/harness.md shows real runs: every example block that starts with `$ smtp-harness run`
is run again here (with the real check_smtp where it names it) and must print what the page
shows, apart from timings and column widths."""

import os
import re
import shlex
import subprocess

import pytest

SOURCE = os.environ.get("SMTPH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
PAGE = os.path.join(SOURCE, "docs", "harness.md")
# Timings and the mock's ephemeral ports differ from run to run.
VARYING = re.compile(r"\d+\.\d+|(?<=port )\d+")


def blocks():
    """The text of each fenced block of the page."""
    out, current = [], None
    for line in open(PAGE).read().splitlines():
        if line.startswith("```"):
            if current is None:
                current = []
            else:
                out.append(current)
                current = None
        elif current is not None:
            current.append(line)
    return out


def examples():
    """(command, shown output) for each fenced block of the page that starts with a run."""
    out = []
    for lines in blocks():
        if not lines or not lines[0].startswith("$ smtp-harness run"):
            continue
        lines = list(lines)
        command = lines.pop(0)[2:]
        while command.endswith("\\"):
            command = command[:-1] + lines.pop(0)
        out.append((command, "\n".join(lines)))
    return out


def normalised(text):
    # With them varies the width of the columns.
    return [" ".join(VARYING.sub("N", line).split()) for line in text.strip().splitlines()]


def test_the_page_has_run_examples():
    assert len(examples()) >= 3


@pytest.mark.parametrize("command,shown", examples(), ids=lambda x: x[:60] if isinstance(x, str) else x)
def test_a_run_example_prints_what_the_page_shows(command, shown):
    program = os.environ.get("SMTP_HARNESS")
    if not program:
        pytest.fail("SMTP_HARNESS is not set: run through ctest")
    argv = shlex.split(command)
    argv[0] = program
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=SOURCE)
    assert normalised(r.stdout + r.stderr) == normalised(shown), r.stdout + r.stderr
