"""smtp-probe against smtp-mock: healthy, STARTTLS, AUTH, the POP3 round trip, and every
scenario of faults/catalog, each of which names the kind, phase and status the probe must report."""

import http.client
import json
import os
import subprocess
import time
from pathlib import Path

import pytest
import yaml

CATALOG = Path(os.environ.get("SMTPH_SOURCE_DIR", Path(__file__).resolve().parents[2])) / \
    "faults" / "catalog"
USER, PASSWORD = "probe", "s3cret"


def probe_program():
    path = os.environ.get("SMTP_PROBE")
    if not path:
        pytest.fail("SMTP_PROBE is not set: run through ctest")
    return path


def run_probe(target, *args, timeout=60):
    started = time.monotonic()
    out = subprocess.run([probe_program(), "--format", "json", *args, target],
                         capture_output=True, timeout=timeout)
    elapsed = time.monotonic() - started
    lines = out.stdout.decode().splitlines()
    assert len(lines) == 1, out
    return json.loads(lines[0]), out.returncode, elapsed


@pytest.fixture
def users_file(tmp_path):
    path = tmp_path / "users"
    path.write_text(f"{USER}:{PASSWORD}\n")
    return path


def control_get(m, path):
    """GET on the mock's control API: parsed JSON, or the raw bytes of other content."""
    host, _, port = m.control.rpartition(":")
    conn = http.client.HTTPConnection(host.strip("[]"), int(port), timeout=10)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        data = resp.read()
        assert resp.status == 200, (path, resp.status, data)
        if resp.getheader("Content-Type", "").startswith("application/json"):
            return json.loads(data)
        return data
    finally:
        conn.close()


def target_of(m):
    return f"{m.host}:{m.port}"


def test_healthy(mock):
    result, rc, _ = run_probe(target_of(mock), "--send", "--rcpt-to", "someone@example.test")
    assert rc == 0 and result["status"] == "OK", result
    assert result["schema"] == "smtp-harness/probe-result/v1"
    assert "PIPELINING" in result["server"]["extensions"]
    # The mock captured exactly the probe's message, dot-unstuffed.
    msgs = control_get(mock, "/api/v1/messages")["messages"]
    assert len(msgs) == 1
    raw = control_get(mock, f"/api/v1/messages/{msgs[0]['id']}/raw")
    assert f"Message-ID: <{result['delivery']['message_id']}>".encode() in raw
    assert b"\r\n.\r\nEnd of test message.\r\n" in raw
    # The size the transcript gives is the one the API stores; the octets sent add the doubled
    # dots and the final "." line.
    note = next(x["text"] for x in result["transcript"] if x["text"].startswith("<message of"))
    assert note.startswith(f"<message of {msgs[0]['size']} octets "), (note, msgs[0]["size"])
    sent = len(raw) + raw.count(b"\r\n.") + raw.startswith(b".") + 3
    assert f"({sent} sent: dot-stuffed" in note, note


def test_starttls_with_generated_ca(start_mock, tmp_path):
    ca = tmp_path / "ca.pem"
    m = start_mock("--write-ca", str(ca))
    result, rc, _ = run_probe(target_of(m), "--starttls", "--insecure", "--send")
    assert rc == 0, result
    assert result["tls"]["version"].startswith("TLSv1.")
    assert result["tls"]["certificate"]["days_left"] > 0
    if ca.exists():
        result, rc, _ = run_probe(target_of(m), "--starttls", "--ca-file", str(ca))
        assert rc == 0, result


def test_implicit_tls(start_mock):
    m = start_mock("--listen-tls", "127.0.0.1:0")
    if not m.ready.get("smtp_tls"):
        pytest.fail(f"smtp-mock did not report an implicit-TLS listener: {m.ready}")
    target = m.ready["smtp_tls"][0]
    result, rc, _ = run_probe(target, "--tls", "--insecure", "--send")
    assert rc == 0, result
    assert result["tls"]["version"].startswith("TLSv1.")
    phases = list(result["timings_ms"])
    assert phases.index("tls") < phases.index("banner")  # TLS first, then the greeting
    # Plain SMTP spoken to a TLS port never gets a banner: the server waits for a ClientHello.
    result, rc, _ = run_probe(target, "-t", "1")
    assert (result["failure"]["kind"], result["failure"]["phase"]) == ("timeout", "banner")


def test_auth(start_mock, users_file):
    m = start_mock("--users", str(users_file))
    result, rc, _ = run_probe(target_of(m), "--auth", f"{USER}:{PASSWORD}", "--send")
    assert rc == 0, result
    result, rc, _ = run_probe(target_of(m), "--auth", f"{USER}:wrong")
    assert (result["failure"]["kind"], result["failure"]["phase"]) == ("perm_failure", "auth")


def test_pop3_round_trip(start_mock, users_file):
    m = start_mock("--users", str(users_file), "--pop3", "127.0.0.1:0")
    if "pop3" not in m.ready:
        pytest.fail(f"smtp-mock did not report a POP3 listener: {m.ready}")
    url = f"pop3://{USER}:{PASSWORD}@{m.ready['pop3']}"
    result, rc, _ = run_probe(target_of(m), "--rcpt-to", f"{USER}@example.test", "--verify",
                              url, "--verify-timeout", "10")
    assert rc == 0, result
    assert result["delivery"]["latency_ms"] is not None


def hint_flags(hint, m):
    """The probe command-line flags a scenario's `probe:` hint asks for, against mock `m`."""
    flags = []
    for key, value in (hint or {}).items():
        if key in ("send", "starttls", "insecure") and value:
            flags.append("--" + key)
        elif key == "tls" and value:
            flags.append("--tls")
        elif key == "auth" and value:
            flags += ["--auth", f"{USER}:{PASSWORD}"]
        elif key in ("timeout", "command_timeout", "connect_timeout", "warning", "critical",
                     "verify_timeout", "max_delivery_time"):
            flags += ["--" + key.replace("_", "-"), str(value)]
        elif key == "verify":
            flags += ["--rcpt-to", f"{USER}@example.test", "--verify",
                      f"{value}://{USER}:{PASSWORD}@{m.ready[value]}"]
        elif key == "cert_days":
            flags += ["--cert-days", str(value)]
        elif key == "helo":
            flags += ["--helo", str(value)]
        elif key == "quit_after":
            flags += ["--quit-after", str(value)]
        elif key == "dnsbl" and value:
            flags += ["--dns-server", m.ready["dns"], "--dnsbl", "dnsbl.mock.test"]
        elif key == "mx" and value:
            # The target becomes the mail domain the mock's DNS routes to it.
            flags += ["--dns-server", m.ready["dns"], "--mx", "-p", str(m.port)]
        else:
            pytest.fail(f"unknown probe hint {key}")
    return flags


SCENARIOS = sorted(CATALOG.glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_catalog_scenario(start_mock, users_file, path):
    doc = yaml.safe_load(path.read_text())
    expect = doc["expect"]
    mailbox = (doc.get("probe") or {}).get("verify")
    dns = any((doc.get("probe") or {}).get(hint) for hint in ("dnsbl", "mx"))
    m = start_mock("--scenario", str(path), "--users", str(users_file), "--seed", "1",
                   *([f"--{mailbox}", "127.0.0.1:0"] if mailbox else []),
                   *(["--dns", "127.0.0.1:0"] if dns else []))
    flags = hint_flags(doc.get("probe"), m)
    if "-t" not in flags and "--timeout" not in flags:
        flags += ["--timeout", "10"]
    target = "mock.test" if "--mx" in flags else target_of(m)
    result, rc, elapsed = run_probe(target, *flags)
    statuses = expect["status"] if isinstance(expect["status"], list) else [expect["status"]]
    assert result["status"] in statuses, result
    if result["status"] != "OK" and "kind" in expect:
        assert result["failure"]["kind"] == expect["kind"], result["failure"]
        if "phase" in expect:
            assert result["failure"]["phase"] == expect["phase"], result["failure"]
    assert rc == {"OK": 0, "WARNING": 1, "CRITICAL": 2}[result["status"]]
    budget = float(str(dict(zip(flags[::2], flags[1::2])).get("--timeout", "10")).rstrip("s"))
    assert elapsed < budget + 1.5, elapsed
