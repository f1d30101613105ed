"""smtp-probe exporter, black-box: blackbox_exporter's /probe?target=&module= against mocks with
catalog faults, the scrape-timeout deadline, bad requests, debug, its own /metrics, reload and the
bound on concurrent probes."""

import os
import signal
import subprocess
import time
import urllib.parse

import pytest

from exporter_process import ExporterProcess, samples
from mock_process import MockProcess, program
from waiting import wait_for

CATALOG = os.path.join(os.environ.get("SMTPH_SOURCE_DIR", "."), "faults", "catalog")

MODULES = """modules:
  smtp_banner:
    timeout: 10s
  smtp_send:
    send: true
    rcpt_to: [someone@example.test]
    timeout: 5s
  smtp_starttls:
    starttls: true
    timeout: 5s
"""

FAULTS = ["healthy", "banner-missing", "ehlo-421", "rcpt-550-unknown-user",
          "starttls-cert-expired"]


@pytest.fixture(scope="module")
def mocks():
    """One mock per catalog scenario, started once for the module."""
    started = {name: MockProcess(["--scenario", os.path.join(CATALOG, name + ".yaml")])
               for name in FAULTS}
    yield started
    for m in started.values():
        m.stop()


@pytest.fixture(scope="module")
def modules_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("exporter") / "modules.yaml"
    path.write_text(MODULES)
    return path


@pytest.fixture(scope="module")
def exporter(modules_file):
    e = ExporterProcess(modules_file)
    yield e
    assert e.stop() == 0, e.stderr


def probe(exporter, mock, module, headers=None):
    status, head, body = exporter.get(
        f"/probe?target={mock.host}:{mock.port}&module={module}", headers)
    assert status == 200, body
    assert head["content-type"].startswith("text/plain; version=0.0.4"), head
    return samples(body)


def test_a_healthy_mock_succeeds_with_durations_of_the_phases_that_ran(exporter, mocks):
    s = probe(exporter, mocks["healthy"], "smtp_banner")
    assert s["probe_success"] == 1
    assert s["probe_ip_protocol"] == 4
    assert s["probe_smtp_status_code"] == 221
    assert 'probe_smtp_phase_duration_seconds{phase="banner"}' in s
    assert not [k for k in s if k.startswith("probe_smtp_failure{")]
    assert not [k for k in s if 'phase="data"' in k], "data never ran"
    assert not [k for k in s if "target=" in k]


@pytest.mark.parametrize("scenario,module,kind,phase,code", [
    ("ehlo-421", "smtp_banner", "temp_failure", "ehlo", 421),
    ("rcpt-550-unknown-user", "smtp_send", "perm_failure", "rcpt", 550),
    ("starttls-cert-expired", "smtp_starttls", "tls_error", "tls", None),
])
def test_a_fault_fails_the_probe_with_its_kind_and_phase(exporter, mocks, scenario, module, kind,
                                                         phase, code):
    s = probe(exporter, mocks[scenario], module)
    assert s["probe_success"] == 0
    assert s[f'probe_smtp_failure{{kind="{kind}",phase="{phase}"}}'] == 1, s
    if code is not None:
        assert s["probe_smtp_status_code"] == code
    if scenario == "rcpt-550-unknown-user":
        assert s['probe_smtp_enhanced_status_code_info{code="5.1.1"}'] == 1, s
        assert not [k for k in s if 'phase="data"' in k], "durations only for phases that ran"


def test_the_scrape_timeout_header_cuts_the_deadline(exporter, mocks):
    started = time.monotonic()
    s = probe(exporter, mocks["banner-missing"], "smtp_banner",
              {"X-Prometheus-Scrape-Timeout-Seconds": "1.5"})
    elapsed = time.monotonic() - started
    assert s["probe_success"] == 0
    assert s['probe_smtp_failure{kind="timeout",phase="banner"}'] == 1, s
    # 1.5s minus the default offset of 0.5s: the module's own 10s never applies.
    assert 0.9 <= s["probe_duration_seconds"] <= 1.2, s["probe_duration_seconds"]
    assert elapsed < 5, elapsed


def test_bad_requests_get_a_400_naming_the_problem(exporter, mocks):
    target = f"{mocks['healthy'].host}:{mocks['healthy'].port}"
    status, _, body = exporter.get(f"/probe?target={target}&module=smtp_tls")
    assert status == 400
    assert "unknown module 'smtp_tls'; known modules: smtp_banner, smtp_send, smtp_starttls" \
        in body
    status, _, body = exporter.get("/probe?module=smtp_banner")
    assert status == 400 and "the target parameter is missing" in body
    status, _, body = exporter.get(f"/probe?target={target}&module=smtp_banner&timeout=3")
    assert status == 400 and "timeout" in body
    status, _, body = exporter.get(f"/probe?target={target}&module=smtp_banner",
                                   {"X-Prometheus-Scrape-Timeout-Seconds": "abc"})
    assert status == 400 and "X-Prometheus-Scrape-Timeout-Seconds" in body
    status, _, body = exporter.get("/probe", method="POST")
    assert status in (405, 415)


def test_debug_answers_the_annotated_transcript(exporter, mocks):
    m = mocks["ehlo-421"]
    status, head, body = exporter.get(f"/probe?target={m.host}:{m.port}&module=smtp_banner"
                                      "&debug=true")
    assert status == 200
    assert body.startswith(f"Probe of {m.host}:{m.port} with module smtp_banner"), body
    assert "S: 421" in body or "421 " in body, body
    assert "Metrics that would have been returned:" in body
    assert 'probe_smtp_failure{kind="temp_failure",phase="ehlo"} 1' in body


def test_own_metrics_and_health(exporter, mocks):
    status, _, body = exporter.get("/-/healthy")
    assert status == 200 and body == "Healthy\n"
    probe(exporter, mocks["healthy"], "smtp_banner")
    status, _, body = exporter.get("/metrics")
    assert status == 200
    s = samples(body)
    assert s['smtp_exporter_probes_total{module="smtp_banner",result="success"}'] >= 1
    assert s["smtp_exporter_bad_requests_total"] >= 0
    assert s["smtp_exporter_modules"] == 3
    assert s["smtp_exporter_probes_in_flight"] == 0
    # A page on another origin cannot use it (the access rules of every HTTP service).
    status, _, _ = exporter.get("/metrics", {"Host": "evil.example:80"})
    assert status == 403


def test_reload_by_request_and_by_sighup_keeps_the_last_good_modules(tmp_path, mocks):
    modules = tmp_path / "modules.yaml"
    modules.write_text("modules:\n  first: {timeout: 5s}\n")
    e = ExporterProcess(modules)
    try:
        target = f"{mocks['healthy'].host}:{mocks['healthy'].port}"
        modules.write_text("modules:\n  second: {timeout: 5s}\n")
        status, _, body = e.get("/-/reload", {"Content-Type": "application/yaml"}, "POST")
        assert status == 200 and "second" in body, body
        assert e.get(f"/probe?target={target}&module=second")[0] == 200
        status, _, body = e.get(f"/probe?target={target}&module=first")
        assert status == 400 and "known modules: second" in body
        # A broken file is refused and the modules loaded before stay.
        modules.write_text("modules:\n  third: {startls: true}\n")
        status, _, body = e.get("/-/reload", {"Content-Type": "application/yaml"}, "POST")
        assert status == 500 and "did you mean 'starttls'" in body, body
        assert samples(e.get("/metrics")[2])["smtp_exporter_config_last_reload_successful"] == 0
        assert e.get(f"/probe?target={target}&module=second")[0] == 200
        modules.write_text("modules:\n  fourth: {timeout: 5s}\n")
        e.proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: e.get(f"/probe?target={target}&module=fourth")[0] == 200, 10)
    finally:
        assert e.stop() == 0


def test_probes_beyond_the_bound_get_503(modules_file, mocks):
    e = ExporterProcess(modules_file, "--max-concurrent-probes", "1")
    try:
        m = mocks["banner-missing"]
        hanging = subprocess.Popen(
            ["curl", "-s", "-H", "X-Prometheus-Scrape-Timeout-Seconds: 8",
             f"http://{e.address}/probe?target={m.host}:{m.port}&module=smtp_banner"],
            stdout=subprocess.PIPE)
        assert wait_for(
            lambda: samples(e.get("/metrics")[2])["smtp_exporter_probes_in_flight"] == 1, 10)
        status, _, body = e.get(f"/probe?target={m.host}:{m.port}&module=smtp_banner")
        assert status == 503 and "--max-concurrent-probes" in body, body
        assert samples(e.get("/metrics")[2])["smtp_exporter_rejected_probes_total"] == 1
        out, _ = hanging.communicate(timeout=20)
        assert b"probe_success 0" in out
    finally:
        assert e.stop() == 0


def test_a_bad_modules_file_stops_the_start_with_its_place(tmp_path):
    modules = tmp_path / "modules.yaml"
    modules.write_text("modules:\n  a:\n    timeout: soon\n")
    run = subprocess.run([program("SMTP_PROBE"), "exporter", "--config", str(modules),
                          "--listen", "127.0.0.1:0"], capture_output=True, timeout=20)
    assert run.returncode == 3
    assert f"{modules}:3:14: modules.a.timeout" in run.stderr.decode(), run.stderr


DOCS = os.path.join(os.environ.get("SMTPH_SOURCE_DIR", "."), "docs")


def docs_block(after):
    """The first fenced block after the line `after` in docs/prometheus.md."""
    with open(os.path.join(DOCS, "prometheus.md")) as f:
        text = f.read()
    start = text.index("\n```", text.index(after))
    start = text.index("\n", start + 1) + 1
    return text[start:text.index("\n```", start)] + "\n"


def shape(exposition):
    """The sample names with their labels (values left out) of an exposition, and its HELP and
    TYPE lines: what must not drift between the docs and the program."""
    lines = set()
    for line in exposition.splitlines():
        lines.add(line if line.startswith("#") else line.rpartition(" ")[0])
    return lines


def test_docs_show_the_modules_file_and_a_real_probe_answer(mocks):
    path = os.path.join(DOCS, "examples", "prometheus", "exporter-modules.yml")
    with open(path) as f:
        example = f.read()
    assert docs_block("## Modules") in example
    e = ExporterProcess(path)
    try:
        m = mocks["rcpt-550-unknown-user"]
        status, _, body = e.get(f"/probe?target={m.host}:{m.port}&module=smtp_send")
    finally:
        assert e.stop() == 0
    assert status == 200
    documented = docs_block("## What `/probe` answers")
    assert documented.startswith("$ curl -s 'http://127.0.0.1:9125/probe?target="), documented
    answer = documented.split("\n", 1)[1]
    assert shape(answer) == shape(body), (sorted(shape(answer) ^ shape(body)))


def test_an_ipv6_target_is_probed_over_ipv6(exporter, start_mock):
    m = start_mock("--listen", "[::1]:0")
    v6 = [a for a in m.ready["smtp"] if a.startswith("[")]
    assert v6, m.ready
    # Prometheus percent-encodes the brackets of the target parameter.
    target = urllib.parse.quote(v6[0], safe=":")
    status, _, body = exporter.get(f"/probe?target={target}&module=smtp_banner")
    assert status == 200
    s = samples(body)
    assert s["probe_success"] == 1
    assert s["probe_ip_protocol"] == 6
