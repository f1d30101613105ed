"""smtp-harness alerts --nagios-config: the user's Nagios object files run by a real Nagios 4
(Debian's nagios4, started by the harness in a temporary directory) with the real check_smtp,
through fault timelines at --time-scale 60."""

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile

import pytest
from docs_text import normalised
from interrupt import signal_when_printed

SOURCE = os.environ.get("SMTPH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLES = os.path.join(SOURCE, "docs", "examples", "nagios")
CATALOG = os.path.join(SOURCE, "faults", "catalog")
NAGIOS = "/usr/sbin/nagios4"


def start_private(argv, **kwargs):
    """Starts argv with a TMPDIR of its own (where the harness makes its run directory)."""
    tmp = tempfile.mkdtemp(prefix="smtph-nagios-")
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, TMPDIR=tmp), **kwargs)
    return proc, tmp


def finish_private(started, timeout):
    """Waits for a start_private run, then checks that no Nagios of that run is left and that
    the run directory is gone. Other Nagios runs on the machine are none of its business."""
    proc, tmp = started
    try:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        assert not nagios_processes(tmp), "a Nagios was left running"
        assert os.listdir(tmp) == [], "the run directory was left behind"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def harness_program():
    program = os.environ.get("SMTP_HARNESS")
    if not program:
        pytest.fail("SMTP_HARNESS is not set: run through ctest")
    if not os.access(NAGIOS, os.X_OK):
        pytest.fail(f"{NAGIOS} is missing: ci/setup installs nagios4-core")
    return program


def harness_alerts(*args, timeout=240):
    return finish_private(start_private([harness_program(), "alerts", "--catalog", CATALOG, *args]),
                          timeout)


def nagios_processes(run_dir_marker):
    """Nagios processes whose command line names a run directory of the harness."""
    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if "nagios4" in line and run_dir_marker in line]


# Besides ports, times and run directories (here in the test's own TMPDIR): the mock's port in
# the rewritten commands, the certificate's expiry date, ping's round trip, Nagios's percent
# state change, the number of rows (a check more or less falls into the run) and the step.
NAGIOS_VARYING = (
    (r"/tmp/smtph-nagios-\w+/smtp-harness-alerts\.\w+", "/tmp/smtp-harness-alerts.XXXXXX"),
    (r"-p \d+", "-p PORT"), (r"expire on .*? \d{4} \+0000", "expire on DATE"),
    (r"RTA = [\d.]+ ms", "RTA = N ms"), (r"\d+\.\d% state change", "N% state change"),
    (r"captured \(\d+\)", "captured (N)"),
    # Nagios stamps its log in whole seconds, so a state change at a step's start may fall
    # into the step before it.
    (r"(?m)^N\.Ns +[\w-]+ +(?=nagios)", "N.Ns STEP "))
# The alternating checks of the flapping phase, of which docs/alerting.md shows a few.
ELIDED = re.compile(r"(flap|steady) +nagios-log +nagios +state +mx1/SMTP +(WARNING|OK) +SOFT")


def in_docs(line):
    docs = open(os.path.join(SOURCE, "docs", "alerting.md")).read()
    return normalised(line, *NAGIOS_VARYING) in normalised(docs, *NAGIOS_VARYING)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


EXAMPLE = ["--time-scale", "60", "--timeline", "docs/examples/nagios/timeline.yaml",
           "--expect-alerts", "docs/examples/nagios/expectations.yaml"]


@pytest.fixture(scope="module")
def example_runs(tmp_path_factory):
    """docs/alerting.md's two runs of the example, at once (70 s): services.cfg as shipped, and
    with the mail team's service_notification_options lacking c, as the docs' sed makes it."""
    program = harness_program()
    out = tmp_path_factory.mktemp("example")
    services = open(os.path.join(EXAMPLES, "services.cfg")).read()
    broken = services.replace("service_notification_options  c,r",
                              "service_notification_options  w,r")
    assert broken != services
    (out / "services-no-c.cfg").write_text(broken)
    started = {
        "example": start_private(
            [program, "alerts", "--catalog", CATALOG, "--nagios-config",
             "docs/examples/nagios/services.cfg", *EXAMPLE, "--json", str(out / "nagios.json")],
            cwd=SOURCE),
        "mistake": start_private(
            [program, "alerts", "--catalog", CATALOG, "--nagios-config",
             str(out / "services-no-c.cfg"), *EXAMPLE, "--quiet"], cwd=SOURCE),
    }
    return {name: finish_private(run, 240) for name, run in started.items()}, out / "nagios.json"


def shown_commands():
    docs = open(os.path.join(SOURCE, "docs", "alerting.md")).read()
    return " ".join(re.sub(r"\\\n\s*", "", docs).split())


def test_the_shipped_example_pages_stays_quiet_and_recovers(example_runs):
    """docs/examples/nagios: services.cfg on timeline.yaml meets expectations.yaml (in 70 s
    for 70 minutes of the configuration), and the command, its output and the report's time
    scale docs/alerting.md shows are those of the run here."""
    runs, report = example_runs
    args = ["--nagios-config", "docs/examples/nagios/services.cfg", *EXAMPLE]
    assert "smtp-harness alerts " + " ".join(args) in shown_commands()
    docs = open(os.path.join(SOURCE, "docs", "alerting.md")).read()
    proc = runs["example"]
    out = proc.stdout
    assert proc.returncode == 0, out + proc.stderr
    assert "time scale 60: interval_length 1s instead of 60s" in out
    assert "1 host(s) pointed at it, 1 check_smtp command(s) given -H 127.0.0.1 -p" in out
    assert "3 of 3 expectations held" in out
    # Every line docs/alerting.md shows of this run is as the run printed it.
    missing = [line for line in out.splitlines() if not ELIDED.search(line) and not in_docs(line)]
    assert missing == [], f"docs/alerting.md lacks these lines of the run: {missing}"
    assert re.search(r"nagios-status +nagios +status +mx1/SMTP +OK +HARD attempt 1/3, not "
                     r"flapping \(\d+\.\d% state change\), notification 0", out), out
    raw = report.read_text()
    doc = json.loads(raw)
    # The time scale docs/alerting.md shows is the one in this run's JSON report.
    shown_scale = [line for line in docs.splitlines()
                   if line.startswith(('"time_scale":', '"real_time":'))]
    assert len(shown_scale) == 2, shown_scale
    for line in shown_scale:
        assert line in raw, (line, raw)
    notes = doc["notifications"]
    steps = {s["id"]: s for s in doc["steps"]}
    # Nagios's own log: the blip made a SOFT state and nothing HARD; the outage went HARD.
    blip = steps["blip"]
    states = [n for n in notes if n["channel"] == "nagios-log" and n["type"] == "state"]
    assert any(n["state_type"] == "SOFT" and blip["start_s"] <= n["t_s"] <= blip["end_s"] + 8
               for n in states), states
    assert any(n["state_type"] == "HARD" and n["status"] == "CRITICAL" for n in states), states
    # The recorder got the macros: contacts, types and the plugin's own output.
    pages = [n for n in notes if n["channel"] == "nagios" and n["type"] == "problem"]
    assert {n["notifier"] for n in pages} >= {"oncall", "mail-team"}, pages
    assert all(n["target"] == "mx1/SMTP" and n["state_type"] == "HARD" for n in pages), pages
    assert any("Socket timeout after 3 seconds" in n["detail"] for n in pages), pages
    assert any(n["channel"] == "nagios" and n["type"] == "recovery" for n in notes), notes
    # Failing every other check stays SOFT in Nagios: WARNING and OK alternate in its log, and
    # nothing is sent (only hard states and soft recoveries enter its flap history).
    flap = steps["flap"]
    in_flap = [n for n in notes if flap["start_s"] <= n["t_s"] <= flap["end_s"]]
    assert sum(1 for n in in_flap if n["status"] == "WARNING" and n["state_type"] == "SOFT") >= 3
    assert all(n["channel"] == "nagios-log" for n in in_flap), in_flap


def test_a_contact_whose_options_lack_critical_is_caught(example_runs):
    """The mail team's service_notification_options without c: Nagios confirms the outage but
    pages only the on-call engineer, and the run fails naming the contact, as docs/alerting.md
    shows."""
    runs, _ = example_runs
    shown = shown_commands()
    assert "sed 's/service_notification_options c,r/service_notification_options w,r/' " \
           "docs/examples/nagios/services.cfg > /tmp/services-no-c.cfg" in shown
    assert "smtp-harness alerts " + " ".join(
        ["--nagios-config", "/tmp/services-no-c.cfg", *EXAMPLE, "--quiet"]) in shown
    out = runs["mistake"].stdout
    assert runs["mistake"].returncode == 1, out + runs["mistake"].stderr
    assert "mail-team: no problem notification after the step started" in out, out
    assert re.search(r"nagios\s+oncall\s+problem\s+mx1/SMTP\s+CRITICAL\s+HARD attempt 3/3", out), out
    assert not re.search(r"nagios\s+mail-team\s+problem", out), out
    assert re.search(r"nagios-log\s+nagios\s+state\s+mx1/SMTP\s+CRITICAL\s+HARD", out), out
    assert "2 of 3 expectations held" in out
    missing = [line for line in out.splitlines()
               if not ELIDED.search(line) and not in_docs(line)]
    assert missing == [], f"docs/alerting.md lacks these lines of the run: {missing}"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_an_interrupted_run_leaves_nothing_running(tmp_path, signum):
    """SIGTERM, or SIGINT as Ctrl-C sends it, in the middle of the timeline: the harness stops
    nagios4 and its workers (its own process group, which the terminal's Ctrl-C never reaches),
    removes its run directory, shows what Nagios said until then, says where the timeline stopped
    and exits with 128 + the signal."""
    program = harness_program()
    timeline = write(tmp_path, "t.yaml", """
steps:
  - {id: warmup, scenario: healthy, for: 2s}
  - {id: outage, scenario: banner-missing, for: 60s}
""")
    private = tempfile.mkdtemp(prefix="smtph-nagios-")

    def during():
        assert nagios_processes(private), "nagios4 runs during the timeline"
        assert len(os.listdir(private)) == 1, "the run directory is there"

    try:
        code, text, took = signal_when_printed(
            [program, "alerts", "--catalog", CATALOG, "--nagios-config",
             os.path.join(EXAMPLES, "services.cfg"), "--time-scale", "60",
             "--timeline", timeline],
            dict(os.environ, TMPDIR=private), tmp_path / "out.txt", "step 2/2 outage", signum,
            during)
        assert code == 128 + signum, text
        assert f"ERROR: interrupted by {signum.name}: the timeline stopped at " in text, text
        assert "in step 2/2 outage; what the run started is stopped and its files are removed" \
            in text, text
        # What Nagios said until then is shown: here, where the service stood.
        assert re.search(r"nagios-status\s+nagios\s+status\s+mx1/SMTP\s+OK\s+HARD", text), text
        assert "] interrupted, nagios4 stopped" in text, text
        # docs/alerting.md shows the message of a run of the example stopped in its 4th step.
        error = next(line for line in text.splitlines() if line.startswith("ERROR: "))
        assert in_docs(error.replace(signum.name, "SIGINT").replace("2/2", "4/7")), error
        assert took < 15, f"stopping took {took:.1f}s"
        assert not nagios_processes(private), "a Nagios was left running"
        assert os.listdir(private) == [], "the run directory was left behind"
    finally:
        shutil.rmtree(private, ignore_errors=True)


def test_a_configuration_nagios_rejects_is_reported_with_its_message(tmp_path):
    cfg = write(tmp_path, "bad.cfg", """
define service {
    host_name           nosuchhost
    service_description SMTP
    check_command       check_smtp
}
""")
    timeline = write(tmp_path, "t.yaml", "steps: [{scenario: healthy, for: 1s}]\n")
    proc = harness_alerts("--nagios-config", cfg, "--timeline", timeline)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "Nagios rejects the configuration" in proc.stdout
    # Nagios's own words, naming the user's file and line.
    assert f"Could not find any host matching 'nosuchhost' (config file '{cfg}', starting on " \
           "line 2)" in proc.stdout, proc.stdout


def test_a_main_configuration_is_refused_with_what_to_give_instead(tmp_path):
    """nagios.cfg given as an object file: Nagios would say only "Unexpected token"; the
    harness names the line and says what to give instead."""
    cfg = write(tmp_path, "nagios.cfg", "# main\nlog_file=/var/log/nagios4/nagios.log\n"
                "cfg_dir=/etc/nagios4/conf.d\ninterval_length=60\n")
    timeline = write(tmp_path, "t.yaml", "steps: [{scenario: healthy, for: 1s}]\n")
    proc = harness_alerts("--nagios-config", cfg, "--timeline", timeline)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert f'smtp-harness alerts: {cfg}:2: "log_file=/var/log/nagios4/nagios.log" belongs in ' \
           "Nagios's main configuration (nagios.cfg), which the run writes itself: give " \
           "--nagios-config the object files and directories your nagios.cfg names with " \
           "cfg_file and cfg_dir, and its interval_length with --interval-length" \
           in proc.stdout, proc.stdout


def test_a_directory_stands_for_its_cfg_files(tmp_path):
    """As Nagios's cfg_dir: every .cfg file under the directory is read (and checked by
    nagios4 -v, which names the file); other files are not; an empty one is refused."""
    objects = tmp_path / "conf.d"
    (objects / "mail").mkdir(parents=True)
    (objects / "README").write_text("not Nagios objects\n")
    (objects / "mail" / "bad.cfg").write_text(
        "define service {\n    host_name nosuchhost\n    service_description SMTP\n"
        "    check_command check_smtp\n}\n")
    timeline = write(tmp_path, "t.yaml", "steps: [{scenario: healthy, for: 1s}]\n")
    proc = harness_alerts("--nagios-config", str(objects), "--timeline", timeline)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert f"Could not find any host matching 'nosuchhost' (config file " \
           f"'{objects / 'mail' / 'bad.cfg'}', starting on line 1)" in proc.stdout, proc.stdout
    empty = tmp_path / "empty"
    empty.mkdir()
    none = harness_alerts("--nagios-config", str(empty), "--timeline", timeline)
    assert none.returncode == 3, none.stdout + none.stderr
    assert f"{empty}: a directory with no .cfg file (Nagios reads only those)" in none.stdout


def test_a_missing_daemon_names_the_debian_package(tmp_path):
    timeline = write(tmp_path, "t.yaml", "steps: [{scenario: healthy, for: 1s}]\n")
    proc = harness_alerts("--nagios-config", os.path.join(EXAMPLES, "services.cfg"),
                          "--nagios", str(tmp_path / "nagios4"), "--timeline", timeline)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "nagios4-core" in proc.stdout, proc.stdout


def test_a_time_scale_that_does_not_divide_the_interval_length_is_refused(tmp_path):
    timeline = write(tmp_path, "t.yaml", "steps: [{scenario: healthy, for: 1s}]\n")
    proc = harness_alerts("--nagios-config", os.path.join(EXAMPLES, "services.cfg"),
                          "--time-scale", "7", "--timeline", timeline)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "smtp-harness alerts: --time-scale 7: Nagios counts intervals in whole seconds, so " \
           "the scale must divide the configuration's interval_length of 60s " \
           "(--interval-length): 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60" in proc.stdout, \
        proc.stdout
    docs = open(os.path.join(SOURCE, "docs", "alerting.md")).read()
    assert proc.stdout.strip() in docs, "docs/alerting.md shows the message as it is"
    thirty = harness_alerts("--nagios-config", os.path.join(EXAMPLES, "services.cfg"),
                            "--interval-length", "30", "--time-scale", "60", "--timeline", timeline)
    assert thirty.returncode == 3, thirty.stdout + thirty.stderr
    assert "interval_length of 30s (--interval-length): 1, 2, 3, 5, 6, 10, 15 or 30" \
        in thirty.stdout, thirty.stdout


def test_a_configuration_counting_in_other_units_is_scaled_from_them(tmp_path):
    """A nagios.cfg with interval_length=30: --interval-length 30 --time-scale 30 runs Nagios at
    interval_length 1, and the run says that a second of it stands for 30 s."""
    timeline = write(tmp_path, "t.yaml", "steps: [{id: calm, scenario: healthy, for: 2s}]\n")
    proc = harness_alerts("--nagios-config", os.path.join(EXAMPLES, "services.cfg"),
                          "--interval-length", "30", "--time-scale", "30", "--timeline", timeline)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "time scale 30: interval_length 1s instead of 30s, so 1s of this run stands for 30s " \
           "of real time; the timeline's 2.0s stand for 1m" in proc.stdout, proc.stdout
    assert "  step calm: 2.0s = 1m" in proc.stdout
    assert "(interval_length=1)" in proc.stdout


def test_one_configuration_kind_is_required(tmp_path):
    timeline = write(tmp_path, "t.yaml", "steps: [{scenario: healthy, for: 1s}]\n")
    proc = harness_alerts("--timeline", timeline)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "give --watch-config FILE or --nagios-config FILE..." in proc.stdout
    both = harness_alerts("--watch-config", timeline, "--nagios-config", timeline,
                          "--timeline", timeline)
    assert both.returncode == 3, both.stdout + both.stderr
    assert "excludes" in both.stdout + both.stderr
