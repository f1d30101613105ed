"""smtp-probe watch, black-box: alerting state, webhooks, retries, flapping, status endpoints.

The helpers at the top are shared with the other test_watch_*.py files.
"""

import http.client
import http.server
import json
import os
import re
import select
import signal
import subprocess
import threading
import time

import pytest

from mock_process import program, raw_exchange, split_address
from waiting import wait_for

CATALOG = os.path.join(os.environ.get("SMTPH_SOURCE_DIR", "."), "faults", "catalog")


def catalog_scenario(name):
    with open(os.path.join(CATALOG, name + ".yaml"), "rb") as f:
        return f.read()


def control(mock, method, path, body=None, headers=None):
    """One request to the mock's control API; returns (status, body bytes)."""
    host, port = split_address(mock.control)
    conn = http.client.HTTPConnection(host, port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def control_json(mock, path):
    status, body = control(mock, "GET", path)
    assert status == 200, body
    return json.loads(body)


def set_scenario(mock, name):
    """Switches the mock to a catalog scenario through the control API."""
    status, body = control(mock, "PUT", "/api/v1/scenario", body=catalog_scenario(name),
                           headers={"Content-Type": "application/yaml"})
    assert status == 200, body


class Receiver:
    """A webhook receiver on 127.0.0.1: records every POST; can fail the first requests."""

    def __init__(self, fail_first=0, port=0):
        self.posts = []
        self.fail_left = fail_first
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    failing = receiver.fail_left > 0
                    if failing:
                        receiver.fail_left -= 1
                    else:
                        receiver.posts.append((time.monotonic(), self.path, json.loads(body)))
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def bodies(self, path=None):
        with self.lock:
            return [b for _, p, b in self.posts if path is None or p == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


class Watch:
    """A running `smtp-probe watch`; its ready line names the status address."""

    def __init__(self, config_path, log_path, timeout=10.0):
        self.log_path = log_path
        self.log_file = open(log_path, "ab")
        self.proc = subprocess.Popen([program("SMTP_PROBE"), "watch", "--config", config_path],
                                     stdout=subprocess.PIPE, stderr=self.log_file)
        self.ready = self._read_ready(timeout)
        self.status_address = self.ready.get("status")

    def _read_ready(self, timeout):
        deadline = time.monotonic() + timeout
        line = b""
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                self.proc.kill()
                raise RuntimeError("smtp-probe watch printed no ready line: " + self.log())
            readable, _, _ = select.select([self.proc.stdout], [], [], left)
            if readable:
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                if not chunk:
                    self.proc.wait()
                    raise RuntimeError("smtp-probe watch exited: " + self.log())
                line += chunk
        ready = json.loads(line.split(b"\n", 1)[0])
        assert ready["event"] == "ready", ready
        return ready

    def get(self, path):
        host, port = split_address(self.status_address)
        conn = http.client.HTTPConnection(host, port, timeout=5)
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            return resp.status, resp.read().decode()
        finally:
            conn.close()

    def status(self):
        code, body = self.get("/api/v1/status")
        assert code == 200, body
        return json.loads(body)

    def checks(self, target=0):
        """How many checks of a target have completed."""
        return self.status()["targets"][target]["checks"]

    def more_checks(self, count, timeout=10):
        """Waits until `count` more checks have completed than now; returns whether they did."""
        start = self.checks()
        return wait_for(lambda: self.checks() >= start + count, timeout)

    def metric(self, name_and_labels):
        """The value of one series of /metrics, or None."""
        _, body = self.get("/metrics")
        for line in body.splitlines():
            if line.startswith(name_and_labels + " "):
                return float(line.split()[-1])
        return None

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self, timeout=10.0):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log_file.close()
        return self.proc.returncode


@pytest.fixture
def start_watch(tmp_path):
    """Writes a configuration and starts smtp-probe watch on it; every watch is stopped."""
    started = []

    def start(config_text, name="watch"):
        path = tmp_path / f"{name}.yaml"
        path.write_text(config_text)
        w = Watch(str(path), str(tmp_path / f"{name}.log"))
        started.append(w)
        return w

    yield start
    for w in started:
        w.stop()


def target_of(mock):
    return f"{mock.host}:{mock.port}"


def test_webhooks_page_on_an_outage_and_resolve_it(mock, receiver, start_watch, tmp_path):
    w = start_watch(f"""
listen: 127.0.0.1:0
state_file: {tmp_path}/state.json
defaults: {{interval: 500ms, retry_interval: 300ms, max_check_attempts: 2, timeout: 1s}}
targets:
  - {{name: mx, host: "{target_of(mock)}"}}
notifiers:
  - {{name: plain, type: webhook, url: "{receiver.url}/plain"}}
  - {{name: am, type: webhook, url: "{receiver.url}/am", format: alertmanager}}
""")
    assert w.more_checks(3), w.log()
    assert receiver.bodies() == [], "healthy must raise nothing"
    assert w.status()["targets"][0]["status"] == "OK"

    set_scenario(mock, "banner-missing")
    assert wait_for(lambda: len(receiver.bodies("/plain")) >= 1, 10), w.log()
    problem = receiver.bodies("/plain")[0]
    assert problem["schema"] == "smtp-harness/alert/v1"
    assert problem["type"] == "problem"
    assert problem["status"] == "CRITICAL"
    assert (problem["kind"], problem["phase"]) == ("timeout", "banner")
    assert problem["attempt"] == 2 and problem["max_attempts"] == 2
    assert wait_for(lambda: len(receiver.bodies("/am")) >= 1, 5)
    firing = receiver.bodies("/am")[0][0]
    assert firing["labels"]["alertname"] == "SMTPProbeFailed"
    assert firing["labels"]["severity"] == "critical"
    assert "endsAt" not in firing

    status = w.status()["targets"][0]
    assert status["state_type"] == "HARD" and status["problem_open"] is True
    assert w.metric('smtp_watch_problem_open{target="mx"}') == 1

    set_scenario(mock, "healthy")
    assert wait_for(lambda: len(receiver.bodies("/plain")) >= 2, 10), w.log()
    recovery = receiver.bodies("/plain")[1]
    assert recovery["type"] == "recovery"
    assert recovery["status"] == "OK" and recovery["problem_status"] == "CRITICAL"
    assert recovery["id"] == problem["id"]
    assert wait_for(lambda: len(receiver.bodies("/am")) >= 2, 5)
    resolved = receiver.bodies("/am")[1][0]
    assert resolved["startsAt"] == firing["startsAt"] and "endsAt" in resolved

    # One problem and one recovery per notifier, no more; the metrics count them.
    assert w.more_checks(2), w.log()
    assert len(receiver.bodies("/plain")) == 2 and len(receiver.bodies("/am")) == 2
    assert wait_for(lambda: w.metric('smtp_watch_notifications_sent_total{notifier="plain"}') == 2,
                    5)
    assert wait_for(lambda: w.metric('smtp_watch_notifications_sent_total{notifier="am"}') == 2, 5)
    assert w.metric('probe_success{target="' + target_of(mock) + '"}') == 1
    assert w.metric('smtp_watch_state{target="mx",type="HARD"}') == 0
    code, _ = w.get("/nothing")
    assert code == 404


def test_a_blip_shorter_than_the_retries_raises_nothing(mock, receiver, start_watch):
    w = start_watch(f"""
listen: 127.0.0.1:0
defaults: {{interval: 1s, retry_interval: 500ms, max_check_attempts: 3, timeout: 1s}}
targets: [{{name: mx, host: "{target_of(mock)}"}}]
notifiers: [{{name: hook, type: webhook, url: "{receiver.url}/hook"}}]
""")
    assert wait_for(lambda: w.checks() >= 1, 10), w.log()
    set_scenario(mock, "banner-missing")
    # The blip ends as soon as one check has seen it, well before the retries could confirm it.
    assert wait_for(lambda: "CRITICAL SOFT 1/3 timeout at banner" in w.log(), 10), w.log()
    set_scenario(mock, "healthy")
    assert wait_for(lambda: w.status()["targets"][0]["status"] == "OK", 10), w.log()
    assert w.more_checks(2), w.log()
    log = w.log()
    assert "SOFT 3/3" not in log and "HARD 3/3" not in log
    assert receiver.bodies() == []
    assert w.status()["targets"][0]["status"] == "OK"


def test_a_failing_notifier_is_retried_and_never_stops_probing(mock, start_watch):
    flaky = Receiver(fail_first=2)
    try:
        w = start_watch(f"""
listen: 127.0.0.1:0
defaults: {{interval: 300ms, retry_interval: 300ms, max_check_attempts: 1, timeout: 1s}}
targets: [{{name: mx, host: "{target_of(mock)}"}}]
notifiers:
  - {{name: flaky, type: webhook, url: "{flaky.url}/flaky",
     retry: {{attempts: 4, backoff: 200ms, multiplier: 1.5}}}}
  - {{name: dead, type: webhook, url: "http://127.0.0.1:9/nobody", timeout: 1s,
     retry: {{attempts: 2, backoff: 100ms}}}}
""")
        set_scenario(mock, "banner-421")
        assert wait_for(lambda: len(flaky.bodies()) >= 1, 10), w.log()
        assert flaky.bodies()[0]["type"] == "problem"
        assert wait_for(
            lambda: w.metric('smtp_watch_notifications_failed_total{notifier="dead"}') == 1, 5)
        assert w.more_checks(1), "probing goes on"
        assert wait_for(
            lambda: w.metric('smtp_watch_notifications_sent_total{notifier="flaky"}') == 1, 5)
        assert w.metric('smtp_watch_notification_attempts_failed_total{notifier="flaky"}') == 2
        assert w.metric('smtp_watch_notification_attempts_failed_total{notifier="dead"}') == 2
        assert w.status()["notifiers"]["dead"]["last_error"]
        log = w.log()
        assert "notifier flaky failed (attempt 1/4): HTTP 500" in log, log
        assert "giving up on dead after 2 attempts" in log, log
    finally:
        flaky.close()


def test_flapping_is_flagged_and_holds_back_the_pages(mock, receiver, start_watch):
    w = start_watch(f"""
listen: 127.0.0.1:0
defaults:
  interval: 200ms
  max_check_attempts: 1
  timeout: 1s
  flap: {{window: 6, high: 50, low: 25}}
targets: [{{name: mx, host: "{target_of(mock)}"}}]
notifiers: [{{name: hook, type: webhook, url: "{receiver.url}/hook"}}]
""")
    set_scenario(mock, "flapping")
    assert wait_for(lambda: any(b["type"] == "flapping_start" for b in receiver.bodies()), 10), \
        w.log()
    assert w.status()["targets"][0]["flapping"] is True
    assert w.metric('smtp_watch_flapping{target="mx"}') == 1
    count = len(receiver.bodies())
    assert w.more_checks(5), w.log()  # five more alternating checks
    assert len(receiver.bodies()) == count, "no problem or recovery while flapping"

    set_scenario(mock, "healthy")
    assert wait_for(lambda: any(b["type"] == "flapping_stop" for b in receiver.bodies()), 10), \
        w.log()
    assert w.status()["targets"][0]["flapping"] is False

    # Start and stop describe the flapping (the states in the window), with one identity, as the
    # example in docs/alerting.md shows.
    start, stop = (next(b for b in receiver.bodies() if b["type"] == t)
                   for t in ("flapping_start", "flapping_stop"))
    documented = documented_flapping_example()
    for got, doc in ((start, documented[0]), (stop, documented[1])):
        assert got.keys() == doc.keys()
        assert (got["kind"], got["phase"], got["code"]) == (None, None, 0)
        assert re.fullmatch(r"\d OK, \d CRITICAL in the last 6 checks", got["message"]), got
        assert got["summary"].endswith(": " + got["message"]), got
    assert start["id"] == stop["id"] == f"mx/flapping/{start['id'].rsplit('/', 1)[1]}"
    assert start["since"] == stop["since"] == start["at"]
    assert start["problem_status"] == stop["problem_status"] == "CRITICAL"


def documented_flapping_example():
    """The flapping_start and flapping_stop documents shown in docs/alerting.md."""
    with open(os.path.join(os.environ.get("SMTPH_SOURCE_DIR", "."), "docs", "alerting.md")) as f:
        text = f.read()
    block = text.split('{"schema":"smtp-harness/alert/v1","type":"flapping_start"', 1)[1]
    block = '{"schema":"smtp-harness/alert/v1","type":"flapping_start"' + block.split("```", 1)[0]
    decoder, docs, pos = json.JSONDecoder(), [], 0
    while block[pos:].strip():
        doc, end = decoder.raw_decode(block, pos)
        docs.append(doc)
        pos = end + len(block[end:]) - len(block[end:].lstrip())
    assert [d["type"] for d in docs] == ["flapping_start", "flapping_stop"]
    return docs


def test_a_configuration_mistake_is_unknown_with_its_position(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("targets:\n  - host: 127.0.0.1\n    intervall: 3s\n")
    proc = subprocess.run([program("SMTP_PROBE"), "watch", "--config", str(path)],
                          capture_output=True, timeout=10)
    assert proc.returncode == 3
    out = proc.stdout.decode()
    assert out.startswith("SMTP UNKNOWN - ")
    assert f"{path}:3:5: targets[0].intervall: unknown key" in out


def test_the_shipped_example_configuration_loads_and_serves(tmp_path):
    """docs/examples/watch.yaml, with its addresses moved to free ports."""
    source = os.path.join(os.environ.get("SMTPH_SOURCE_DIR", "."), "docs", "examples",
                          "watch.yaml")
    text = open(source).read()
    text = text.replace("listen: 127.0.0.1:9465", "listen: 127.0.0.1:0")
    text = text.replace("/tmp/smtp-probe-watch-state.json", str(tmp_path / "state.json"))
    path = tmp_path / "watch.yaml"
    path.write_text(text)
    w = Watch(str(path), str(tmp_path / "watch.log"))
    try:
        assert w.ready["targets"] == ["mx1"]
        assert wait_for(lambda: w.status()["targets"][0]["checks"] >= 1, 5)
        assert set(w.status()["notifiers"]) == {"ops-webhook", "oncall-email", "sms"}
    finally:
        assert w.stop() == 0
    assert json.load(open(tmp_path / "state.json"))["schema"] == "smtp-harness/watch-state/v1"


def raw_status_exchange(address, raw, timeout=5.0):
    """Sends raw bytes to the status service; returns (what came back, whether it closed)."""
    return raw_exchange(address, raw, timeout)


def test_the_status_service_has_the_access_rules_of_every_http_service(mock, start_watch):
    w = start_watch(f"""
listen: 127.0.0.1:0
allowed_hosts: [watch.example]
defaults: {{interval: 300ms, timeout: 1s}}
targets: [{{name: mx, host: "{target_of(mock)}"}}]
""")
    address = w.status_address.encode()
    port = w.status_address.rsplit(":", 1)[1].encode()

    def request(head):
        return raw_status_exchange(w.status_address, head + b"\r\n")

    ok, _ = request(b"GET /api/v1/health HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n" % address)
    assert ok.startswith(b"HTTP/1.1 200"), ok
    named, _ = request(b"GET /api/v1/health HTTP/1.1\r\nHost: watch.example:%s\r\n"
                       b"Connection: close\r\n" % port)
    assert named.startswith(b"HTTP/1.1 200"), named
    # DNS rebinding: a foreign name for 127.0.0.1 reads nothing.
    rebound, _ = request(b"GET /api/v1/status HTTP/1.1\r\nHost: evil.example:%s\r\n"
                         b"Connection: close\r\n" % port)
    assert rebound.startswith(b"HTTP/1.1 403") and b"host_not_allowed" in rebound, rebound
    # A page on another origin reads nothing either.
    foreign, _ = request(b"GET /api/v1/status HTTP/1.1\r\nHost: %s\r\nOrigin: https://evil.example\r\n"
                         b"Connection: close\r\n" % address)
    assert foreign.startswith(b"HTTP/1.1 403") and b"cross_origin" in foreign, foreign
    # RFC 9112 section 6.3: framing that cannot be trusted is answered 400 and closed.
    for te in (b"xchunked", b"chunked, identity", b"gzip", b"identity"):
        data, closed = raw_status_exchange(
            w.status_address,
            b"GET /metrics HTTP/1.1\r\nHost: %s\r\nTransfer-Encoding: %s\r\n\r\n"
            b"GET /api/v1/status HTTP/1.1\r\nHost: %s\r\n\r\n" % (address, te, address))
        assert data.startswith(b"HTTP/1.1 400") and data.count(b"HTTP/1.1 ") == 1, (te, data)
        assert closed, te
    assert w.status()["targets"][0]["name"] == "mx"
