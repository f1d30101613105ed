"""EHLO-name switches (`do: {ehlo_switches: true}` at EHLO and HELO, opt-in): the name a client
greets with picks the fault, so a client configured only with that name meets a failure."""

import subprocess

import pytest

from mock_process import MockProcess, program
from wire_client import FIN, WireClient

RULE = ("name: by-name\nrules:\n  - when: {phase: [ehlo, helo]}\n"
        "    do: {ehlo_switches: true}\n")


@pytest.fixture(scope="module")
def switch_mock(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ehlo")
    (folder / "users").write_text("alice:wonder\n")
    (folder / "switches.yaml").write_text(RULE)
    m = MockProcess(["--users", str(folder / "users"), "--scenario",
                     str(folder / "switches.yaml")])
    yield m
    m.stop()


def greet(client, name, verb=b"EHLO"):
    client.read_reply()
    return client.command(verb + b" " + name)


def extensions(reply):
    return [line[4:].split(b" ")[0] for line in reply.split(b"\r\n")[1:] if line]


def test_an_ordinary_name_gets_every_extension(switch_mock):
    with WireClient.connect(switch_mock.host, switch_mock.port) as c:
        offered = extensions(greet(c, b"client.example"))
    assert b"STARTTLS" in offered and b"AUTH" in offered


def test_nostarttls_withholds_starttls_and_refuses_it_until_the_next_greeting(switch_mock):
    with WireClient.connect(switch_mock.host, switch_mock.port) as c:
        offered = extensions(greet(c, b"NoStartTLS.client.example"))
        assert b"STARTTLS" not in offered and b"AUTH" in offered
        assert c.command(b"STARTTLS").startswith(b"502 5.5.1 ")
        again = extensions(c.command(b"EHLO client.example"))
        assert b"STARTTLS" in again
        assert c.command(b"STARTTLS").startswith(b"220 ")


def test_switches_combine_and_noauth_refuses_auth(switch_mock):
    with WireClient.connect(switch_mock.host, switch_mock.port) as c:
        offered = extensions(greet(c, b"noauth+nostarttls.client.example"))
        assert b"STARTTLS" not in offered and b"AUTH" not in offered
        assert c.command(b"AUTH PLAIN AGFsaWNlAHdvbmRlcg==").startswith(b"502 5.5.1 ")
        assert c.command(b"MAIL FROM:<a@example.com>").startswith(b"250 ")


def test_fault_tokens_in_the_name_answer_helo_too(switch_mock):
    with WireClient.connect(switch_mock.host, switch_mock.port) as c:
        reply = greet(c, b"fail-421-4.3.2.client.example", b"HELO")
        assert reply == b"421 4.3.2 Failure requested by the EHLO name\r\n"
    with WireClient.connect(switch_mock.host, switch_mock.port) as c:
        c.read_reply()
        c.send(b"EHLO drop.client.example\r\n")
        assert c.wait_end() == (FIN, b"")


def test_the_switch_is_recorded_as_the_rule_that_fired(switch_mock):
    with WireClient.connect(switch_mock.host, switch_mock.port) as c:
        greet(c, b"nostarttls.recorded.example")
        c.command(b"QUIT")
    assert switch_mock.idle()
    last = switch_mock.api_json("GET", "/api/v1/sessions")["sessions"][-1]
    assert [f["rule"] for f in last["fired"]] == ["r1"]


def test_without_the_rule_the_names_are_ordinary(mock):
    with WireClient.connect(mock.host, mock.port) as c:
        assert b"STARTTLS" in extensions(greet(c, b"nostarttls.client.example"))


def test_a_probe_configured_with_the_name_reports_the_missing_starttls(switch_mock):
    done = subprocess.run([program("SMTP_PROBE"), "--format", "nagios", "--starttls", "--helo",
                           "nostarttls.probe.example", "-t", "10",
                           f"{switch_mock.host}:{switch_mock.port}"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stdout
    assert "capability_missing at starttls" in done.stdout
