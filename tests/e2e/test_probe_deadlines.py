"""smtp-probe never runs past -t, whatever the server does: trickling, endless multi-line
replies, a hang inside the TLS handshake, a blackholed connect. Loopback servers scripted here
(tests/support/scripted_server.py)."""

import json
import os
import socket
import subprocess
import time

import pytest
from scripted_server import read_line, scripted  # noqa: F401


def probe_program():
    path = os.environ.get("SMTP_PROBE")
    if not path:
        pytest.fail("SMTP_PROBE is not set: run through ctest")
    return path


def run_probe(port, *args):
    started = time.monotonic()
    out = subprocess.run([probe_program(), "--format", "json", *args, f"127.0.0.1:{port}"],
                         capture_output=True, timeout=60)
    elapsed = time.monotonic() - started
    return json.loads(out.stdout.decode().splitlines()[0]), out.returncode, elapsed


def trickle_endless_banner(conn, stop):
    # "220-" lines forever, one byte every 20 ms: never a final line.
    line = b"220-still greeting you\r\n"
    while not stop.is_set():
        for b in line:
            conn.sendall(bytes([b]))
            time.sleep(0.02)


def endless_multiline_ehlo(conn, stop):
    # "250-" lines forever, never a final line: 200 at a time, so that the probe's limit of
    # 1000 lines comes within milliseconds however loaded the machine is (sendall blocks while
    # the probe does not read, so this does not spin).
    conn.sendall(b"220 ok\r\n")
    read_line(conn)
    while not stop.is_set():
        conn.sendall(b"250-X\r\n" * 200)


def starttls_then_silence(conn, stop):
    conn.sendall(b"220 ok\r\n")
    read_line(conn)
    conn.sendall(b"250-ok\r\n250 STARTTLS\r\n")
    read_line(conn)
    conn.sendall(b"220 go ahead\r\n")
    stop.wait(30)  # read the ClientHello, never answer it


def silent(conn, stop):
    stop.wait(30)


def garbage_banner(conn, stop):
    conn.sendall(b"\x16\x03\x01 hello? this is not SMTP\r\n")
    stop.wait(5)


def no_crlf_banner(conn, stop):
    conn.sendall(b"220 banner without line end")
    stop.wait(30)


def reset_after_ehlo(conn, stop):
    conn.sendall(b"220 ok\r\n")
    read_line(conn)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    conn.close()


@pytest.mark.parametrize("behaviour,args,kind,phase", [
    (trickle_endless_banner, [], "timeout", "banner"),
    (endless_multiline_ehlo, [], "protocol_error", "ehlo"),
    (starttls_then_silence, ["--starttls"], "timeout", "tls"),
    (silent, [], "timeout", "banner"),
    (no_crlf_banner, [], "timeout", "banner"),
], ids=["trickle-endless-banner", "endless-ehlo", "tls-handshake-hang", "silent",
        "no-crlf"])
def test_never_past_the_deadline(scripted, behaviour, args, kind, phase):
    port = scripted(behaviour)
    result, rc, elapsed = run_probe(port, "-t", "2", *args)
    assert (result["failure"]["kind"], result["failure"]["phase"]) == (kind, phase), result
    assert rc == 2
    assert elapsed < 3.0, elapsed
    # The probe stops at its deadline; a loaded machine may be late to run it by a little.
    assert result["timings_ms"]["total"] <= 2500


def test_trickle_received_bytes_are_reported(scripted):
    port = scripted(trickle_endless_banner)
    result, _, _ = run_probe(port, "-t", "1")
    received = result["failure"]["received"]
    assert received.startswith("220-still greeting you\\r\\n")
    assert "total deadline 1.000s reached" in result["failure"]["message"]


def test_garbage_banner_is_protocol_error(scripted):
    port = scripted(garbage_banner)
    result, rc, _ = run_probe(port, "-t", "3")
    assert (result["failure"]["kind"], result["failure"]["phase"]) == ("protocol_error",
                                                                        "banner")
    assert result["failure"]["received"].startswith("\\x16\\x03\\x01 hello?")


def test_reset_is_told_from_close(scripted):
    port = scripted(reset_after_ehlo)
    result, rc, _ = run_probe(port, "-t", "3")
    assert (result["failure"]["kind"], result["failure"]["phase"]) == ("reset", "ehlo"), result


def test_refused_and_concurrent_targets(scripted):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]  # nothing listens once the socket is closed
    slow = scripted(silent)
    started = time.monotonic()
    out = subprocess.run([probe_program(), "--format", "json", "-t", "2",
                          f"127.0.0.1:{closed_port}", f"127.0.0.1:{slow}",
                          f"127.0.0.1:{slow}"], capture_output=True, timeout=60)
    elapsed = time.monotonic() - started
    results = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert [r["target"] for r in results] == [f"127.0.0.1:{closed_port}", f"127.0.0.1:{slow}",
                                              f"127.0.0.1:{slow}"]
    assert results[0]["failure"]["kind"] == "refused"
    assert results[0]["failure"]["phase"] == "connect"
    assert results[1]["failure"]["kind"] == "timeout"
    assert elapsed < 3.5, "targets are probed concurrently, not one after the other"
    assert out.returncode == 2


def test_usage_errors_are_unknown():
    out = subprocess.run([probe_program(), "--quit-after", "nowhere", "127.0.0.1"],
                         capture_output=True, timeout=30)
    assert out.returncode == 3
    assert out.stdout.decode().startswith(
        "SMTP UNKNOWN - --quit-after: expected one of connect, banner, ehlo, helo, starttls, tls, "
        "auth, mail, rcpt, data_end, got \"nowhere\"")
    out = subprocess.run([probe_program()], capture_output=True, timeout=30)
    assert out.returncode == 3


def test_host_name_target_goes_through_the_resolver(scripted):
    def healthy(conn, stop):
        conn.sendall(b"220 named ESMTP\r\n")
        read_line(conn)
        conn.sendall(b"250 ok\r\n")
        read_line(conn)
        conn.sendall(b"221 bye\r\n")

    port = scripted(healthy)
    out = subprocess.run([probe_program(), "--format", "json", "-4", f"localhost:{port}"],
                         capture_output=True, timeout=30)
    result = json.loads(out.stdout.decode())
    assert out.returncode == 0, result
    assert result["target"] == f"localhost:{port}"
    assert "dns" in result["timings_ms"]
    assert any(e["text"] == "resolved to 127.0.0.1" for e in result["transcript"])
