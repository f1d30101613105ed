"""What a program printed, compared with what a docs page shows of a real run: the parts that
vary from run to run (ports, times, run directories) become placeholders on both sides.

    docs = normalised(open("docs/alerting.md").read())
    for line in run.stdout.splitlines():
        assert normalised(line) in docs, f"docs/alerting.md lacks the line {line!r}"
"""

import re

VARYING = (
    (r"127\.0\.0\.1:\d+", "127.0.0.1:PORT"),
    (r"\d+\.\ds", "N.Ns"),
    (r"/tmp/smtp-harness-alerts\.\w+", "/tmp/smtp-harness-alerts.XXXXXX"),
)


def normalised(text, *more):
    """`text` with ports, times to a tenth of a second and run directories replaced, then each
    (pattern, replacement) of `more`, and runs of spaces made one."""
    for pattern, replacement in (*VARYING, *more):
        text = re.sub(pattern, replacement, text)
    return re.sub(r" +", " ", text)
