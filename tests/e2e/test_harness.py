"""smtp-harness, black-box: the built-in probe across the catalog, reports, list, explain and
usage errors."""

import functools
import json
import os
import pty
import re
import select
import shlex
import subprocess
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from mock_process import read_ready_line

SOURCE = os.environ.get("SMTPH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
CATALOG = os.path.join(SOURCE, "faults", "catalog")
VERDICTS = {"caught", "missed", "misreported", "false_alarm", "passed", "no_contact", "error"}


def harness(*args, timeout=120):
    program = os.environ.get("SMTP_HARNESS")
    if not program:
        pytest.fail("SMTP_HARNESS is not set: run through ctest")
    return subprocess.run([program, *args], capture_output=True, text=True, timeout=timeout)


def catalog_names():
    return sorted(f.rsplit(".", 1)[0] for f in os.listdir(CATALOG) if f.endswith(".yaml"))


def check_junit(path, expected_cases):
    """Structure a JUnit consumer relies on; junitparser too when it is installed."""
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    suite = suites[0]
    cases = suite.findall("testcase")
    assert len(cases) == expected_cases == int(suite.get("tests")) == int(root.get("tests"))
    failures = sum(1 for c in cases if c.find("failure") is not None)
    errors = sum(1 for c in cases if c.find("error") is not None)
    assert int(suite.get("failures")) == failures
    assert int(suite.get("errors")) == errors
    for c in cases:
        assert c.get("name") and c.get("classname")
        float(c.get("time"))
        assert c.find("system-out") is not None
    try:
        import junitparser
    except ImportError:
        return root
    xml = junitparser.JUnitXml.fromfile(str(path))
    parsed = list(xml)
    assert len(parsed) == 1
    assert parsed[0].tests == expected_cases
    assert parsed[0].failures == failures
    assert len(list(parsed[0])) == expected_cases
    return root


def test_builtin_catches_every_fault_of_the_catalog_quickly(tmp_path):
    report = tmp_path / "report.json"
    junit = tmp_path / "junit.xml"
    markdown = tmp_path / "report.md"
    page = tmp_path / "report.html"
    start = time.monotonic()
    r = harness("run", "--jobs", "8", "--json", str(report), "--junit", str(junit),
                "--markdown", str(markdown), "--html", str(page))
    took = time.monotonic() - start
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads(report.read_text())
    assert doc["monitor"] == "builtin"
    names = [x["scenario"] for x in doc["results"]]
    assert sorted(names) == catalog_names()
    for x in doc["results"]:
        assert set(x) >= {"scenario", "verdict", "expected", "observed", "time_to_detect_ms",
                          "output"}
        assert x["verdict"] in ("caught", "passed"), x
        assert x["as_expected"], x
        if x["verdict"] == "caught":
            assert x["time_to_detect_ms"] is not None and x["time_to_detect_ms"] >= 0
            assert x["observed"]["kind"], x
    by_name = {x["scenario"]: x for x in doc["results"]}
    assert by_name["healthy"]["verdict"] == "passed"
    assert by_name["banner-missing"]["observed"]["kind"] == "timeout"
    assert by_name["banner-missing"]["observed"]["phase"] == "banner"
    assert by_name["banner-missing"]["time_to_detect_ms"] >= 1500
    assert "SMTP CRITICAL" in by_name["banner-missing"]["observed"]["summary"]
    # The mail-domain scenarios: the probe is handed the domain and the mock's DNS server.
    assert (by_name["mx-nxdomain"]["observed"]["kind"],
            by_name["mx-nxdomain"]["observed"]["phase"]) == ("dns_error", "dns")
    assert by_name["mx-timeout"]["observed"]["kind"] == "timeout"
    assert by_name["mx-a-only"]["verdict"] == by_name["mx-truncated"]["verdict"] == "passed"
    assert by_name["mx-nxdomain"]["contact"] is True  # its DNS server was asked
    # Refused and black-holed listeners leave no session to check contact against.
    assert by_name["connect-refused"]["contact"] is None
    assert by_name["healthy"]["contact"] is True
    assert sum(doc["summary"].values()) == len(names)
    assert set(doc["summary"]) == VERDICTS
    # Progress lines, then the table.
    assert f"[{len(names)}/{len(names)}] " in r.stdout
    assert "banner-missing … caught" in r.stdout
    assert "every verdict is as expected" in r.stdout
    check_junit(junit, len(names))
    md = markdown.read_text()
    assert "| `banner-missing` | caught |" in md
    html = check_html_page(page)
    assert html.ids >= {f"s-{name}" for name in names}
    # The target is about 15 s on a quiet machine; allow for a busy one.
    assert took < 40, f"the catalog took {took:.1f} s"


class PageCheck(HTMLParser):
    """Nesting, ids and anything that would load from elsewhere, of one HTML page."""

    VOID = {"meta", "br", "hr", "img", "input", "link", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.ids, self.external = [], set(), []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "link", "img", "iframe", "object", "embed"):
            self.external.append(tag)
        self.external += [a[k] for k in ("src", "href") if k in a and not a[k].startswith("#")]
        if "id" in a:
            self.ids.add(a["id"])
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()


def check_html_page(path):
    """A whole, well-nested page that loads nothing from elsewhere."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    page = PageCheck()
    page.feed(text)
    page.close()
    assert page.stack == [], page.stack
    assert page.external == [] and "url(" not in text, page.external
    return page


HOSTILE_RCPT = """name: rcpt-hostile
summary: RCPT refused with markup in the reply.
description: test
listener: open
probe: {send: true}
expect: {status: CRITICAL, kind: perm_failure, phase: rcpt}
rules:
  - id: hostile
    when: {phase: rcpt}
    do: {reply: "550 5.1.1 <script>alert(1)</script> no such user"}
"""


def test_run_html_report_shows_verdicts_checks_monitor_fault_and_transcripts(tmp_path):
    hostile = tmp_path / "rcpt-hostile.yaml"
    hostile.write_text(HOSTILE_RCPT)
    page = tmp_path / "report.html"
    r = harness("run", "-q", "--scenarios", "healthy", "flapping", str(hostile), "--html",
                str(page))
    assert r.returncode == 0, r.stdout + r.stderr
    html = page.read_text(encoding="utf-8")
    assert check_html_page(page).ids >= {"s-healthy", "s-flapping", "s-rcpt-hostile"}
    # The matrix and each verdict with its check counts.
    assert '<a href="#s-flapping">flapping</a>' in html
    assert "caught 2/3 (fault fired on 2)" in html
    assert "3 checks; the fault fired on 2, the monitor caught it on 2" in html
    # What the monitor said, and the fault as the mock was told it.
    assert "SMTP CRITICAL - temp_failure at banner" in html
    assert "&quot;reply&quot;:&quot;421 4.3.2 {hostname} Service not available" in html
    # The transcripts: each session and its ending, the fired rule highlighted, what the 421
    # means, and the reply naming the mock as its banner does.
    assert re.search(r"<summary>session \d+ from 127\.0\.0\.1:\d+, ended: fault_closed"
                     r"</summary>", html)
    assert re.search(r'<tr class="dir-event fault">.*fault rule \S+ fired at banner', html)
    assert ("421 4.3.2 localhost Service not available, closing transmission channel</td>"
            '<td class="meaning">4xx transient failure (try again later), about the connection; '
            "4.3.2: persistent transient failure, mail system status</td>") in html
    # Hostile bytes from the server stay text, in the transcript and in the monitor's words.
    assert "<script" not in html
    assert html.count("550 5.1.1 &lt;script&gt;alert(1)&lt;/script&gt; no such user") >= 2


def test_filter_and_shards_partition_the_selection(tmp_path):
    seen = []
    for i in (1, 2, 3):
        out = tmp_path / f"s{i}.json"
        r = harness("run", "-q", "--jobs", "4", "--filter", "banner-*", "--filter", "healthy*",
                    "--shard", f"{i}/3", "--json", str(out))
        assert r.returncode == 0, r.stdout + r.stderr
        seen.append([x["scenario"] for x in json.loads(out.read_text())["results"]])
    flat = [n for part in seen for n in part]
    wanted = [n for n in catalog_names() if n.startswith("banner-") or n.startswith("healthy")]
    assert sorted(flat) == wanted
    assert len(set(flat)) == len(flat)
    assert max(map(len, seen)) - min(map(len, seen)) <= 1


def test_scenarios_by_name_file_and_directory(tmp_path):
    custom = tmp_path / "custom"
    custom.mkdir()
    (custom / "ehlo-teapot.yaml").write_text(
        "name: ehlo-teapot\nsummary: EHLO answered 418.\ndescription: test\n"
        "listener: open\nprobe: {}\n"
        "expect: {status: CRITICAL, kind: unexpected_reply, phase: ehlo}\n"
        "rules:\n  - when: {phase: [ehlo, helo]}\n    do: {reply: \"418 I am a teapot\"}\n")
    out = tmp_path / "r.json"
    r = harness("run", "-q", "--scenarios", "healthy", os.path.join(CATALOG, "banner-421.yaml"),
                str(custom), "--json", str(out))
    doc = json.loads(out.read_text())
    got = {x["scenario"]: x for x in doc["results"]}
    assert list(got) == ["healthy", "banner-421", "ehlo-teapot"]
    assert got["healthy"]["verdict"] == "passed"
    assert got["banner-421"]["verdict"] == "caught"
    # Whatever the probe calls a 418, it must flag it at ehlo.
    assert got["ehlo-teapot"]["observed"]["status"] == "CRITICAL"
    assert got["ehlo-teapot"]["observed"]["phase"] == "ehlo"
    assert r.returncode == (0 if got["ehlo-teapot"]["as_expected"] else 1)


def test_a_wrong_expectation_fails_the_run_and_the_junit_report(tmp_path):
    # A scenario whose own expectation is wrong on purpose: the verdict is misreported.
    wrong = tmp_path / "banner-421.yaml"
    text = open(os.path.join(CATALOG, "banner-421.yaml")).read()
    wrong.write_text(text.replace("kind: temp_failure", "kind: perm_failure"))
    assert "perm_failure" in wrong.read_text()
    junit = tmp_path / "j.xml"
    r = harness("run", "--scenarios", str(wrong), "--junit", str(junit))
    assert r.returncode == 1, r.stdout + r.stderr
    assert "misreported" in r.stdout
    assert "! banner-421" in r.stdout
    root = check_junit(junit, 1)
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert "verdict misreported (expected caught)" in failure.get("message")


PHASE_ORDER = ["dns", "connect", "tls", "banner", "ehlo", "helo", "starttls", "auth", "mail",
               "rcpt", "data", "body", "data_end", "rset", "noop", "vrfy", "quit", "verify",
               "no single phase"]


def listed_groups(out):
    """{heading: [scenario lines]} of `smtp-harness list`, in the order printed."""
    groups = {}
    for line in out.splitlines():
        if not line.startswith(" "):
            assert line.endswith(":"), line
            groups[line[:-1]] = []
        else:
            groups[list(groups)[-1]].append(line.strip())
    return groups


def test_list_names_every_scenario_grouped_by_phase_in_phase_order():
    r = harness("list")
    assert r.returncode == 0, r.stderr
    groups = listed_groups(r.stdout)
    assert list(groups) == sorted(groups, key=PHASE_ORDER.index), list(groups)
    rows = [row for group in groups.values() for row in group]
    assert sorted(row.split()[0] for row in rows) == catalog_names()
    assert any(x.startswith("banner-missing") and "220" in x for x in groups["banner"])
    assert any(x.startswith("rcpt-550-unknown-user") for x in groups["rcpt"])
    assert any(x.startswith("connect-refused") for x in groups["connect"])
    assert any(x.startswith("healthy ") for x in groups["no single phase"])
    r = harness("list", "--filter", "starttls-*")
    groups = listed_groups(r.stdout)
    assert groups and all(x.startswith("starttls-") for g in groups.values() for x in g)


@functools.lru_cache(maxsize=None)
def banner_missing_explained():
    """One run of `explain banner-missing --formats` (2 s of silence), shared by the tests."""
    return harness("explain", "banner-missing", "--formats")


def test_explain_shows_one_timeline_and_the_formats_on_request():
    r = banner_missing_explained()
    assert r.returncode == 0, r.stderr
    out = r.stdout
    for needle in ("banner-missing", "What it simulates", "How the mock makes it",
                   "docs/smtp-primer.md", "CRITICAL timeout at banner",
                   "client and server on one timeline", "Reproduce it yourself", "smtp-probe ",
                   "--format nagios", "SMTP CRITICAL - timeout at banner", "--format json",
                   '"schema":"smtp-harness/probe-result/v1"', "--format prometheus",
                   "Verdict", "caught"):
        assert needle in out, needle
    assert re.search(r"^ *probe_success(\{[^}]*\})? 0$", out, re.M), out
    # One timeline: the probe's connect, the mock's record of it, then the silence in words
    # (the scenario's banner timeout is 2 s), then the probe's timeout.
    timeline = out[out.index("one timeline"):out.index("== Reproduce")]
    connected = timeline.index("probe connected to 127.0.0.1:")
    accepted = timeline.index("mock  connection from 127.0.0.1:")
    silent = re.search(r"\.\.\. server silent, (\d+) ms", timeline)
    assert silent and 1950 <= int(silent.group(1)) <= 2500, timeline
    assert connected < accepted < silent.start(), timeline
    # Without --formats the formats are not shown, and the option is named.
    r = harness("explain", "connect-refused")
    assert r.returncode == 0
    assert "--format json" not in r.stdout and "--formats" in r.stdout
    assert "never reached the server" in r.stdout
    assert "refused at connect" in r.stdout


def reproduce_block(out):
    """The lines of explain's "Reproduce it yourself" block."""
    block = out[out.index("== Reproduce it yourself ==\n"):].split("\n", 1)[1]
    return block[:block.index("\n== ")].strip().splitlines()


def run_reproduce_block(out, tmp_path):
    """Runs the printed block as a user would (ports 2525/4650 swapped for free ones): the file
    commands through sh, the mock in the background, then the probe and swaks. Returns the
    probe's and swaks' completed processes."""
    lines = reproduce_block(out)
    mock_at = next(i for i, x in enumerate(lines) if x.startswith("smtp-mock "))
    setup = "\n".join(x for x in lines[:mock_at] if not x.startswith("#"))
    subprocess.run(["sh", "-e", "-c", setup], cwd=tmp_path, check=True, timeout=10)
    mock_argv = [a.replace(":2525", ":0").replace(":4650", ":0")
                 for a in shlex.split(lines[mock_at])]
    mock_argv[0] = os.environ["SMTP_MOCK"]
    proc = subprocess.Popen(mock_argv, cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        ready = read_ready_line(proc, "smtp-mock", 10)
        ports = {"2525": ready["smtp"][0].rsplit(":", 1)[1]}
        if ready.get("smtp_tls"):
            ports["4650"] = ready["smtp_tls"][0].rsplit(":", 1)[1]
        ran = []
        for prefix, program in (("smtp-probe ", os.environ["SMTP_PROBE"]), ("swaks ", "swaks")):
            argv = [ports.get(a, a) for a in shlex.split(next(x for x in lines
                                                             if x.startswith(prefix)))]
            argv[0] = program
            ran.append(subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True,
                                      timeout=30))
        return ran
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        proc.stdout.close()
        proc.stderr.close()


def explained_status(out):
    """The probe's status line in explain's timeline section, without the target."""
    line = next(x for x in out.splitlines() if re.match(r"^  127\.0\.0\.1:\d+: ", x))
    return line.split(": ", 1)[1]


def test_explain_reproduce_block_reproduces_the_expired_certificate(tmp_path):
    r = harness("explain", "starttls-cert-expired")
    assert r.returncode == 0, r.stderr
    assert "certificate has expired" in explained_status(r.stdout)
    probe, swaks = run_reproduce_block(r.stdout, tmp_path)
    # Run by hand with the CA and EHLO name it printed: the same expired certificate, not a
    # self-signed chain.
    assert probe.stdout.splitlines()[0].split(": ", 1)[1] == explained_status(r.stdout), probe.stdout
    assert probe.returncode == 2
    assert "EHLO smtp-harness.localhost" in swaks.stdout, swaks.stdout
    # swaks trusts the same CA, so it fails verification too (OpenSSL's words name no reason).
    assert "certificate verify failed" in swaks.stdout + swaks.stderr, swaks.stdout + swaks.stderr
    assert swaks.returncode != 0


def test_explain_reproduce_block_reproduces_a_rcpt_refusal(tmp_path):
    r = harness("explain", "rcpt-550-unknown-user")
    assert r.returncode == 0, r.stderr
    probe, swaks = run_reproduce_block(r.stdout, tmp_path)
    assert probe.stdout.splitlines()[0].split(": ", 1)[1] == explained_status(r.stdout), probe.stdout
    assert "RCPT TO:<postmaster@localhost>" in swaks.stdout, swaks.stdout
    assert re.search(r"<\*\* +550", swaks.stdout), swaks.stdout


def normalized(text):
    """Lines with the parts that differ from run to run (times, ports, durations) masked."""
    text = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", text)
    text = re.sub(r"\d+\.\d+(s| ms)", r"T\1", text)
    text = re.sub(r"silent, \d+ ms", "silent, N ms", text)
    return [x.rstrip() for x in text.splitlines() if x.strip()]


def test_the_docs_explain_example_is_a_real_run():
    doc = open(os.path.join(SOURCE, "docs", "harness.md"), encoding="utf-8").read()
    marker = "<!-- explain-example: banner-missing -->\n```\n"
    example = doc.split(marker, 1)[1].split("```", 1)[0]
    r = banner_missing_explained()
    assert r.returncode == 0, r.stderr
    live = normalized(r.stdout)
    shown = normalized(example)
    start = live.index(shown[0])
    assert live[start:start + len(shown)] == shown
    # The reproduce commands the docs show are the ones printed, word for word.
    commands = [x for x in reproduce_block(r.stdout)
                if x.split(" ", 1)[0] in ("smtp-mock", "smtp-probe", "swaks")]
    assert len(commands) == 3
    for command in commands:
        assert command in doc, command


def test_explain_reproduce_block_reproduces_an_auth_refusal(tmp_path):
    r = harness("explain", "auth-535")
    assert r.returncode == 0, r.stderr
    probe, swaks = run_reproduce_block(r.stdout, tmp_path)
    assert probe.stdout.splitlines()[0].split(": ", 1)[1] == explained_status(r.stdout), probe.stdout
    assert re.search(r"<\*\* +535", swaks.stdout), swaks.stdout


def test_explain_repeat_shows_flapping_over_connections():
    r = harness("explain", "flapping", "--repeat", "4")
    assert r.returncode == 0, r.stderr
    statuses = re.findall(r"^  127\.0\.0\.1:\d+: (\w+)", r.stdout, re.M)
    assert len(statuses) == 4, r.stdout
    assert r.stdout.count("connection 1 of 4") == 1 and "connection 4 of 4" in r.stdout
    # A flapping server is not down on every connection: both states show.
    assert "OK" in statuses and "CRITICAL" in statuses, statuses


def test_explain_says_when_the_probe_never_reaches_the_fault(tmp_path):
    rcpt_fault = tmp_path / "rcpt-only.yaml"
    rcpt_fault.write_text("name: rcpt-only\nsummary: RCPT refused.\ndescription: x\n"
                          "rules:\n  - when: {phase: rcpt}\n    do: {reply: 550 5.1.1 no}\n")
    r = harness("explain", str(rcpt_fault))
    assert r.returncode == 0, r.stderr
    assert "The fault was never reached" in r.stdout, r.stdout
    assert "acts at rcpt" in r.stdout and "smtp-probe --send reaches it" in r.stdout
    # A probe that does send gets there, and the note is gone.
    r = harness("explain", "rcpt-550-unknown-user")
    assert "never reached" not in r.stdout


def talk(*args, text):
    program = os.environ["SMTP_HARNESS"]
    return subprocess.run([program, "talk", *args], input=text, capture_output=True, text=True,
                          timeout=30)


def test_talk_sends_a_message_over_a_pipe_with_each_replys_time():
    r = talk(text="EHLO me\nMAIL FROM:<a@localhost>\nRCPT TO:<b@localhost>\nDATA\n"
                  "Subject: hi\n\n.a line starting with a dot\n.\nQUIT\n")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert re.search(r"^S: 220 .*\((\d+\.\d) ms\)$", out, re.M), out
    assert re.search(r"^S: 250 SMTPUTF8 +\(\d+\.\d ms\)$", out, re.M), out
    assert "(type the message" in out
    # The server only queues the message when the final dot came as CRLF . CRLF.
    assert re.search(r"^S: 250 2\.0\.0 Ok: queued as \S+ +\(\d+\.\d ms\)$", out, re.M), out
    assert re.search(r"^S: 221 ", out, re.M), out


def test_the_docs_talk_example_is_a_real_run():
    doc = open(os.path.join(SOURCE, "docs", "harness.md"), encoding="utf-8").read()
    marker = "<!-- talk-example: rcpt-550-unknown-user -->\n```\n"
    command, shown = doc.split(marker, 1)[1].split("```", 1)[0].split("\n", 1)
    program = shlex.quote(os.environ["SMTP_HARNESS"])
    live = subprocess.run(["sh", "-c", command[2:].replace("smtp-harness", program)],
                          capture_output=True, text=True, timeout=30)
    assert live.returncode == 0, live.stderr
    assert normalized(live.stdout) == normalized(shown)


def test_talk_shows_how_long_a_slow_server_takes_and_when_it_is_silent():
    r = talk("banner-slow", text="QUIT\n")
    assert r.returncode == 0, r.stderr
    took = float(re.search(r"^S: 220 .*\((\d+\.\d) ms\)$", r.stdout, re.M).group(1))
    assert 1400 <= took <= 5000, r.stdout
    r = talk("ehlo-hang", "--timeout-ms", "300", text="EHLO me\n")
    assert r.returncode == 0, r.stderr
    assert re.search(r"^\(no reply within \d+ ms: the server is silent\)$", r.stdout, re.M), \
        r.stdout
    assert r.stdout.rstrip().endswith("(end of input: closing the connection)"), r.stdout


def read_until(fd, pattern, timeout):
    """What `fd` gave until `pattern` (a regex) appears in it; fails at the deadline."""
    deadline = time.monotonic() + timeout
    seen = ""
    while not re.search(pattern, seen):
        left = deadline - time.monotonic()
        if left <= 0:
            pytest.fail(f"no {pattern!r} within {timeout} s; got {seen!r}")
        if select.select([fd], [], [], left)[0]:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the terminal's other side is closed
                chunk = b""
            if not chunk:
                pytest.fail(f"output ended before {pattern!r}; got {seen!r}")
            seen += chunk.decode(errors="replace")
    return seen


def test_talk_in_a_terminal_prompts_and_shows_a_late_banner_when_it_comes():
    master, slave = pty.openpty()
    proc = subprocess.Popen([os.environ["SMTP_HARNESS"], "talk", "banner-slow", "--timeout-ms",
                             "300"], stdin=slave, stdout=slave, stderr=subprocess.PIPE)
    os.close(slave)
    try:
        read_until(master, r"\(no reply within 300 ms: the server is silent\)\r\nC: ", 10)
        # Nothing is typed: the greeting shows the moment it comes, then the prompt again.
        shown = read_until(master, r"S: 220 .*\((\d+\.\d) ms, after the wait ended\)\r\nC: $",
                           10)
        took = float(re.search(r"\((\d+\.\d) ms, after", shown).group(1))
        assert 1400 <= took <= 5000, shown
        os.write(master, b"EHLO me\n")
        read_until(master, r"S: 250 SMTPUTF8 +\(\d+\.\d ms\)\r\nC: $", 10)
        os.write(master, b"QUIT\n")
        read_until(master, r"S: 221 ", 10)
        assert proc.wait(timeout=10) == 0, proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
        os.close(master)


LATE_421 = """name: ehlo-late-421
summary: EHLO is answered after 1.5 s with 421, and the connection closed.
description: test
listener: open
probe: {}
expect: {status: CRITICAL, kind: temp_failure, phase: ehlo}
rules:
  - when: {phase: [ehlo, helo]}
    do: {delay: 1500ms, reply: "421 4.3.2 {hostname} Service not available", close: fin}
"""


GREETING_THEN_421 = """name: banner-then-421
summary: The greeting, then at once a 421 nobody asked for, and the connection closed.
description: test
listener: open
probe: {}
expect: {status: CRITICAL}
rules:
  - when: {phase: banner}
    do: {raw: "220 {hostname} ESMTP\\r\\n421 4.3.2 {hostname} Going away\\r\\n", close: fin}
"""


def talk_with_open_input(scenario, typed):
    """talk piped: `typed` is written and the input stays open; returns what it printed once it
    ended by itself."""
    proc = subprocess.Popen([os.environ["SMTP_HARNESS"], "talk", str(scenario), "--timeout-ms",
                             "300"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        proc.stdin.write(typed)
        proc.stdin.flush()
        assert proc.wait(timeout=10) == 0, proc.stderr.read()
        return proc.stdout.read().decode()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            stream.close()


def test_talk_shows_a_line_the_server_sends_on_its_own(tmp_path):
    scenario = tmp_path / "banner-then-421.yaml"
    scenario.write_text(GREETING_THEN_421)
    out = talk_with_open_input(scenario, b"")
    assert re.search(r"^S: 220 localhost ESMTP +\(\d+\.\d ms\)\n"
                     r"S: 421 4\.3\.2 localhost Going away +\(\d+\.\d ms, unasked\)\n"
                     r"\(after \d+\.\d ms the connection ended: the server closed it\)\n",
                     out, re.M), out


def test_talk_shows_a_late_421_and_the_close_without_waiting_for_input(tmp_path):
    scenario = tmp_path / "ehlo-late-421.yaml"
    scenario.write_text(LATE_421)
    # One line, and the input stays open: the reply and the close still show, and end it.
    out = talk_with_open_input(scenario, b"EHLO me\n")
    assert re.search(r"^\(no reply within 300 ms: the server is silent\)\n"
                     r"S: 421 4\.3\.2 localhost Service not available +\((\d+\.\d) ms, after the "
                     r"wait ended\)\n\(after \d+\.\d ms the connection ended: the server closed it\)\n",
                     out, re.M), out


def test_talk_starts_tls_and_names_a_bad_certificate():
    r = talk("starttls-cert-expired", text="EHLO me\nSTARTTLS\nEHLO me\n")
    assert r.returncode == 0, r.stderr
    assert "(TLS failed after" in r.stdout and "certificate has expired" in r.stdout, r.stdout
    r = talk(text="EHLO me\nSTARTTLS\nEHLO again\nQUIT\n")
    assert "(TLS started in" in r.stdout, r.stdout
    assert "greets again" in r.stdout, r.stdout


@pytest.mark.parametrize("args, message", [
    (["run", "--shard", "3/2"], "--shard"),
    (["run", "--scenarios", "no-such-scenario"], "no-such-scenario"),
    (["run", "--monitor", "nagios"], "unknown monitor"),
    (["run", "--monitor", "cmd:check {hostname}"], "{hostname}"),
    (["run", "--filter", "nothing-matches-*"], "no scenario selected"),
    (["run", "--checks", "0"], "--checks: Value 0 not in range 1 to 100"),
    (["explain", "no-such-scenario"], "no-such-scenario"),
    (["talk", "no-such-scenario"], "no-such-scenario"),
    (["frobnicate"], ""),
])
def test_usage_errors_exit_2(args, message):
    r = harness(*args)
    assert r.returncode == 2, r.stdout + r.stderr
    assert message in r.stderr + r.stdout


def test_a_bad_expectations_file_names_its_line(tmp_path):
    bad = tmp_path / "e.yaml"
    bad.write_text("defaults: {status: [WARNING]}\nscenarios:\n  healthy: {status: FINE}\n")
    r = harness("run", "--expect", str(bad), "--monitor", "cmd:true")
    assert r.returncode == 2
    assert f"{bad}:3:" in r.stderr and "FINE" in r.stderr


def test_explain_prints_the_exact_probe_command_that_ran(mock):
    r = harness("explain", "mail-451")
    assert r.returncode == 0, r.stderr
    line = next(x for x in reproduce_block(r.stdout) if x.startswith("smtp-probe "))
    argv = shlex.split(line)
    # The EHLO name and the envelope the transcript shows are on the command line.
    assert argv[argv.index("--helo") + 1] == "smtp-harness.localhost"
    assert argv[argv.index("--mail-from") + 1] == "smtp-harness@localhost"
    assert argv[argv.index("--rcpt-to") + 1] == "postmaster@localhost"
    assert "EHLO smtp-harness.localhost" in r.stdout
    assert "MAIL FROM:<smtp-harness@localhost>" in r.stdout
    # smtp-probe takes that very command line: run it against a healthy mock of this test (the
    # CA file is the explained mock's, so that one word is dropped).
    at = argv.index("--ca-file")
    del argv[at:at + 2]
    argv[0] = os.environ["SMTP_PROBE"]
    argv[argv.index("-p") + 1] = str(mock.port)
    probe = subprocess.run(argv, capture_output=True, text=True, timeout=30)
    assert probe.returncode == 0, probe.stdout + probe.stderr


THIRD_CONNECTION_421 = """name: third-connection-421
summary: The third connection is refused with 421.
expect: {status: CRITICAL, kind: temp_failure, phase: banner}
rules:
  - id: third-refused
    when: {phase: banner, connections: 3}
    do: {reply: "421 4.3.2 try again later", close: fin}
"""


def test_a_fault_that_never_fired_is_reported_as_such(tmp_path):
    # The third connection gets 421: one check by the built-in probe never meets it.
    scenario = tmp_path / "third-connection-421.yaml"
    scenario.write_text(THIRD_CONNECTION_421)
    report = tmp_path / "report.json"
    r = harness("run", "-q", "--checks", "1", "--scenarios", "healthy", "banner-421",
                str(scenario), "--json", str(report))
    assert "! third-connection-421 missed (fault never fired)" in r.stdout, r.stdout
    assert ("fault never fired: no rule of third-connection-421 (rule third-refused) acted "
            "during the monitor's checks, so the monitor never met that fault") in r.stdout
    doc = json.loads(report.read_text())
    got = {x["scenario"]: x for x in doc["results"]}
    assert got["third-connection-421"]["fault_fired"] is False
    assert got["third-connection-421"]["unfired_rules"] == ["third-refused"]
    assert got["banner-421"]["fault_fired"] is True
    assert got["banner-421"]["unfired_rules"] == []
    assert doc["fault_never_fired"] == ["third-connection-421"]
    assert r.returncode == 1


def test_a_fault_on_the_third_connection_is_judged_over_four_checks(tmp_path):
    # connections: 3 needs four checks (the third meets the fault, the fourth sees it stop);
    # the built-in probe alerts on the third only: caught 1/4. intermittent's coin needs 7.
    scenario = tmp_path / "third-connection-421.yaml"
    scenario.write_text(THIRD_CONNECTION_421)
    report, junit = tmp_path / "report.json", tmp_path / "junit.xml"
    r = harness("run", "-q", "--scenarios", "healthy", "intermittent", str(scenario),
                "--json", str(report), "--junit", str(junit))
    assert r.returncode == 0, r.stdout + r.stderr
    assert re.search(r"  third-connection-421 +caught 1/4 \(fault fired on 1\) ", r.stdout), r.stdout
    got = {x["scenario"]: x for x in json.loads(report.read_text())["results"]}
    third = got["third-connection-421"]
    assert (third["checks"], third["fired_checks"], third["caught_checks"]) == (4, 1, 1)
    assert [(c["verdict"], c["fault_fired"]) for c in third["check_results"]] == [
        ("passed", False), ("passed", False), ("caught", True), ("passed", False)]
    coin = got["intermittent"]
    assert coin["checks"] == 7 and coin["verdict"] == "caught"
    assert 1 <= coin["caught_checks"] == coin["fired_checks"] < 7
    assert got["healthy"]["checks"] == 1 and got["healthy"]["check_results"] == []
    case = next(c for c in check_junit(junit, 3).iter("testcase")
                if c.get("name") == "third-connection-421")
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert props == {"checks": "4", "fired_checks": "1", "caught_checks": "1"}
