"""Every catalog scenario observed on the wire (issue 4, Tests): smtp-mock is started with
`--scenario faults/catalog/NAME.yaml` and a raw socket client (tests/support/wire_client.py, not
our probe) checks what a real client would see: the exact reply bytes, silence during a hang,
the length of a delay, FIN versus RST, a refused versus a timed-out connect, the trickle rate,
the certificate presented after STARTTLS, the TLS alert, and the pattern across connections.

Each table below lists catalog scenarios explicitly with what is expected on the wire; a
catalog file that no table names fails test_every_catalog_scenario_has_a_wire_test.

Timing: a delay must be at least its setting, measured from the moment the triggering command
was sent (or connect() returned, for the greeting), and at most 50 ms more. On a loaded machine
set SMTPH_WIRE_TIMING_SLACK_MS to widen the upper bound only; a session whose upper bound is
missed is measured once more on a new connection, the lower bound is never retried.
"""

import datetime
import os
import pathlib
import shutil
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))

from dig import dig  # noqa: E402
from waiting import wait_for  # noqa: E402
from wire_client import (FIN, OPEN, RST, WireClient, WireError,  # noqa: E402
                         connect_outcome, no_verification_context, verifying_context)

SOURCE_DIR = pathlib.Path(os.environ.get("SMTPH_SOURCE_DIR",
                                         pathlib.Path(__file__).resolve().parents[2]))
CATALOG = SOURCE_DIR / "faults" / "catalog"

DELAY_TOLERANCE = 0.050 + float(os.environ.get("SMTPH_WIRE_TIMING_SLACK_MS", "0")) / 1000
HANG_WATCH = 1.0  # seconds a hang is watched for silence

HOSTNAME = "localhost"  # the mock's default --hostname, in its replies and certificates
HEALTHY_GREETING = b"220 localhost ESMTP smtp-mock ready\r\n"
HEALTHY_EHLO = (b"250-localhost greets wire.test\r\n250-PIPELINING\r\n250-SIZE 10485760\r\n"
                b"250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250 SMTPUTF8\r\n")
BYE = b"221 2.0.0 Bye\r\n"
SERVICE_421 = (b"421 4.3.2 localhost Service not available, closing transmission "
               b"channel\r\n")
BAD_SEQUENCE = b"503 5.5.1 Bad sequence of commands\r\n"

# Expectation of a step that only waits a little and checks the connection is open and silent.
STILL_OPEN = "still-open"


@dataclass(frozen=True)
class Step:
    """Send `send` (None: nothing, the server speaks first), then expect `expect`: exact bytes,
    a reply code (the whole reply is read), None (read nothing) or STILL_OPEN. `delay`: the
    reply must come this many seconds after the send (None: not timed)."""
    send: bytes | None
    expect: bytes | int | str | None
    delay: float | None = None


@dataclass(frozen=True)
class Case:
    """A session against one catalog scenario: steps, then how the session must end:
    "quit" (QUIT gets exactly 221 and then FIN), FIN, RST, or OPEN (a hang: nothing arrives
    for HANG_WATCH seconds and the connection stays open)."""
    scenario: str
    steps: tuple
    ending: str
    users: bool = False  # start the mock with --users so that AUTH is offered
    args: tuple = field(default_factory=tuple)


GREETING = Step(None, 220)
EHLO = Step(b"EHLO wire.test\r\n", 250)
HELO = Step(b"HELO wire.test\r\n", 250)
MAIL = Step(b"MAIL FROM:<sender@wire.test>\r\n", b"250 2.1.0 Ok\r\n")
RCPT = Step(b"RCPT TO:<user@wire.test>\r\n", b"250 2.1.5 Ok\r\n")
DATA = Step(b"DATA\r\n", b"354 End data with <CR><LF>.<CR><LF>\r\n")
MESSAGE = b"Subject: wire\r\n\r\nhello from the wire test\r\n.\r\n"
BODY = Step(MESSAGE, 250)
QUIT = b"QUIT\r\n"
AUTH_PLAIN = b"AUTH PLAIN AGFsaWNlAHB3\r\n"  # alice / pw, RFC 4616
TRANSACTION = (GREETING, EHLO, MAIL, RCPT, DATA)


def send(step, expect=None, delay=None):
    """`step` with another expectation: the same command, a different answer."""
    return Step(step.send, expect, delay)


def greeting_variants(name, steps_for, ending):
    """A greeting fault targets EHLO and HELO alike: one case for each verb."""
    return {f"{name}[{verb}]": Case(name, steps_for(step), ending)
            for verb, step in (("EHLO", EHLO), ("HELO", HELO))}


# Faults of the POP3 and IMAP services (phase verify): SMTP is healthy.
MAILBOX_FAULTS = ("mailbox-pop3-login-rejected", "mailbox-imap-login-rejected",
                  "mailbox-pop3-hang-login", "mailbox-imap-hang-login", "mailbox-imap-hang-select",
                  "mailbox-pop3-hang-retr", "mailbox-imap-hang-fetch", "mailbox-refused",
                  "mailbox-reset")

# Faults that answer with exact bytes; the session then goes on ("quit") or ends (FIN).
REPLY_CASES = {
    "healthy": Case("healthy", (
        Step(None, HEALTHY_GREETING), Step(EHLO.send, HEALTHY_EHLO), MAIL, RCPT, DATA,
        Step(MESSAGE, b"250 2.0.0 Ok: queued as 1\r\n"), Step(b"NOOP\r\n", b"250 2.0.0 Ok\r\n"),
    ), "quit"),
    # Delivery faults act after the 250: on the wire the session is the healthy one.
    **{name: Case(name, (
        Step(None, HEALTHY_GREETING), Step(EHLO.send, HEALTHY_EHLO), MAIL, RCPT, DATA,
        Step(MESSAGE, b"250 2.0.0 Ok: queued as 1\r\n"), Step(b"NOOP\r\n", b"250 2.0.0 Ok\r\n"),
    ), "quit") for name in ("delivery-never", "delivery-late", "delivery-junk", "delivery-twice",
                                 "delivery-changed", *MAILBOX_FAULTS)},
    "healthy-multiline-banner": Case("healthy-multiline-banner", (
        Step(None, b"220-localhost ESMTP smtp-mock\r\n"
                   b"220-This system is for the use of authorised users only.\r\n"
                   b"220 Ready\r\n"),
        Step(EHLO.send, HEALTHY_EHLO),
    ), "quit"),
    "banner-421": Case("banner-421", (Step(None, SERVICE_421),), FIN),
    "banner-554": Case("banner-554", (
        Step(None, b"554 5.3.2 localhost No SMTP service here\r\n"),
        send(EHLO, BAD_SEQUENCE), send(HELO, BAD_SEQUENCE), send(MAIL, BAD_SEQUENCE),
        Step(b"NOOP\r\n", BAD_SEQUENCE),
    ), "quit"),
    "banner-partial-multiline": Case("banner-partial-multiline", (
        Step(None, b"220-localhost ESMTP\r\n220-Please wait\r\n"),
    ), FIN),
    "too-many-connections": Case("too-many-connections", (
        Step(None, b"421 4.7.0 localhost Error: too many connections from your address\r\n"),
    ), FIN),
    **greeting_variants("ehlo-421", lambda verb: (GREETING, send(verb, SERVICE_421)), FIN),
    **greeting_variants("ehlo-451", lambda verb: (
        GREETING, send(verb, b"451 4.3.0 Temporary local problem, try again later\r\n"),
        Step(b"NOOP\r\n", b"250 2.0.0 Ok\r\n")), "quit"),
    **greeting_variants("ehlo-550", lambda verb: (
        GREETING, send(verb, b"550 5.7.1 Client host rejected: access denied\r\n")), "quit"),
    **greeting_variants("ehlo-malformed", lambda verb: (
        GREETING,
        send(verb, b"250-localhost\r\n250-PIPELINING\r\n251 SIZE 10240000\r\n")), "quit"),
    "ehlo-502-helo-fallback": Case("ehlo-502-helo-fallback", (
        GREETING, send(EHLO, b"502 5.5.1 Command not implemented\r\n"),
        send(HELO, b"250 localhost\r\n"), MAIL, RCPT, DATA, BODY,
    ), "quit"),
    "starttls-454": Case("starttls-454", (
        GREETING, send(EHLO, HEALTHY_EHLO),
        Step(b"STARTTLS\r\n", b"454 4.7.0 TLS not available due to temporary reason\r\n"),
        MAIL,
    ), "quit"),
    "starttls-not-advertised": Case("starttls-not-advertised", (
        GREETING,
        send(EHLO, b"250-localhost\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n"
                   b"250-ENHANCEDSTATUSCODES\r\n250 SMTPUTF8\r\n"),
        Step(b"STARTTLS\r\n", b"502 5.5.1 STARTTLS not available\r\n"),
    ), "quit"),
    "auth-454": Case("auth-454", (
        GREETING, EHLO, Step(AUTH_PLAIN, b"454 4.7.0 Temporary authentication failure\r\n"),
    ), "quit", users=True),
    "auth-535": Case("auth-535", (
        GREETING, EHLO, Step(AUTH_PLAIN, b"535 5.7.8 Authentication credentials invalid\r\n"),
    ), "quit", users=True),
    "mail-451": Case("mail-451", (
        GREETING, EHLO,
        send(MAIL, b"451 4.3.0 Requested action aborted: local error in processing\r\n"),
    ), "quit"),
    "mail-452-disk-full": Case("mail-452-disk-full", (
        GREETING, EHLO, send(MAIL, b"452 4.3.1 Insufficient system storage\r\n"),
    ), "quit"),
    "mail-530-auth-required": Case("mail-530-auth-required", (
        GREETING, EHLO, send(MAIL, b"530 5.7.0 Authentication required\r\n"),
    ), "quit"),
    "mail-550-blocklisted": Case("mail-550-blocklisted", (
        GREETING, EHLO,
        send(MAIL, b"550 5.7.1 Service unavailable; client [127.0.0.1] blocked using "
                   b"zen.spamhaus.org\r\n"),
    ), "quit"),
    "rcpt-450-greylisted": Case("rcpt-450-greylisted", (
        GREETING, EHLO, MAIL,
        send(RCPT, b"450 4.7.1 Recipient address rejected: Greylisted, try again in 300 "
                   b"seconds\r\n"),
        send(DATA, b"503 5.5.1 Error: need RCPT command\r\n"),
    ), "quit"),
    "rcpt-550-unknown-user": Case("rcpt-550-unknown-user", (
        GREETING, EHLO, MAIL,
        send(RCPT, b"550 5.1.1 Recipient address rejected: User unknown in local recipient "
                   b"table\r\n"),
    ), "quit"),
    "rcpt-554-relay-denied": Case("rcpt-554-relay-denied", (
        GREETING, EHLO, MAIL,
        send(RCPT, b"554 5.7.1 Recipient address rejected: Relay access denied\r\n"),
    ), "quit"),
    "data-554": Case("data-554", (
        GREETING, EHLO, MAIL, RCPT, send(DATA, b"554 5.5.0 Transaction failed\r\n"),
    ), "quit"),
    "data-end-451": Case("data-end-451", (
        *TRANSACTION, send(BODY, b"451 4.3.0 Error: queue file write error\r\n"),
    ), "quit"),
    "data-end-552": Case("data-end-552", (
        *TRANSACTION,
        send(BODY, b"552 5.3.4 Message size exceeds fixed maximum message size\r\n"),
    ), "quit"),
}

# Faults where the server goes silent and keeps the connection open.
HANG_CASES = {
    "banner-missing": Case("banner-missing", (), OPEN),
    "banner-garbage": Case("banner-garbage", (
        Step(None, b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"), Step(b"EHLO wire.test\r\n", None),
    ), OPEN),
    "banner-no-crlf": Case("banner-no-crlf", (Step(None, b"220 localhost ESMTP ready"),), OPEN),
    **greeting_variants("ehlo-hang", lambda verb: (GREETING, send(verb)), OPEN),
    "data-hang": Case("data-hang", (GREETING, EHLO, MAIL, RCPT, send(DATA)), OPEN),
    "data-end-hang": Case("data-end-hang", (*TRANSACTION, send(BODY)), OPEN),
    "data-end-stored-hang": Case("data-end-stored-hang", (*TRANSACTION, send(BODY)), OPEN),
    "quit-hang": Case("quit-hang", (GREETING, EHLO, Step(QUIT, None)), OPEN),
}

# Faults that end the connection: FIN (recv() returns b"") or RST (ConnectionResetError),
# with nothing sent first.
BODY_63_OCTETS = b"Subject: wire\r\n\r\n" + b"x" * 44 + b"\r\n"
CLOSE_CASES = {
    "connect-close": Case("connect-close", (), FIN),
    "connect-reset": Case("connect-reset", (), RST),
    **greeting_variants("ehlo-drop", lambda verb: (GREETING, send(verb)), FIN),
    **greeting_variants("ehlo-reset", lambda verb: (GREETING, send(verb)), RST),
    "quit-drop": Case("quit-drop", (GREETING, EHLO, Step(QUIT, None)), FIN),
    "data-end-stored-drop": Case("data-end-stored-drop", (*TRANSACTION, send(BODY)), FIN),
    # 63 octets of content keep the session open; the 64th octet brings the reset, even in the
    # middle of a line.
    "data-drop-mid-body": Case("data-drop-mid-body", (
        *TRANSACTION, Step(BODY_63_OCTETS, STILL_OPEN), Step(b"x\r\n", None),
    ), RST),
}

# Faults that delay replies: each timed step's reply comes `delay` seconds after its send.
DELAY_CASES = {
    "banner-slow": Case("banner-slow", (Step(None, HEALTHY_GREETING, 1.5), EHLO), "quit"),
    **greeting_variants("ehlo-slow", lambda verb: (
        Step(None, HEALTHY_GREETING, 0.0), send(verb, 250, 1.5),
        Step(b"NOOP\r\n", 250, 0.0)), "quit"),
    "everything-slow": Case("everything-slow", (
        Step(None, 220, 0.5), send(EHLO, 250, 0.5), send(HELO, 250, 0.5), send(MAIL, 250, 0.5),
        send(RCPT, 250, 0.5), send(DATA, 354, 0.5), send(BODY, 250, 0.5),
        Step(b"NOOP\r\n", 250, 0.0), Step(QUIT, BYE, 0.5),
    ), FIN),
}


@pytest.fixture
def scenario_mock(start_mock, tmp_path):
    """Starts smtp-mock with a catalog scenario (and its extra options)."""

    def start(name, *args, users=False):
        path = CATALOG / f"{name}.yaml"
        assert path.is_file(), path
        extra = list(args)
        if users:
            users_file = tmp_path / "users"
            users_file.write_text("alice:pw\n")
            extra += ["--users", str(users_file)]
        return start_mock("--scenario", str(path), *extra)

    return start


def run_steps(client, steps):
    """Plays the steps; returns [(step, seconds from send to the complete reply)]. The banner,
    which nothing is sent for, is timed from just before connect(): the server may accept and
    start its delay before connect() returns here, so timing it from then could look early."""
    timings = []
    for step in steps:
        sent_at = client.send(step.send) if step.send is not None else client.connect_started_at
        if step.expect is None:
            continue
        if step.expect == STILL_OPEN:
            assert client.observe_silence(0.3) == (OPEN, b""), step
            continue
        if isinstance(step.expect, int):
            got = client.read_reply()
            assert got[:4] in (b"%d " % step.expect, b"%d-" % step.expect), (step, got)
        else:
            client.expect_bytes(step.expect)
        timings.append((step, time.monotonic() - sent_at))
    return timings


def check_ending(client, ending):
    if ending == "quit":
        assert client.command(QUIT) == BYE
        assert client.wait_end() == (FIN, b"")
    elif ending == OPEN:
        # A hang: nothing at all arrives, and the connection is not closed.
        assert client.observe_silence(HANG_WATCH) == (OPEN, b"")
    else:
        assert client.wait_end() == (ending, b"")


def run_case(scenario_mock, case):
    m = scenario_mock(case.scenario, *case.args, users=case.users)
    with WireClient.connect(m.host, m.port) as client:
        timings = run_steps(client, case.steps)
        check_ending(client, case.ending)
    return m, timings


@pytest.mark.parametrize("case", REPLY_CASES.values(), ids=REPLY_CASES.keys())
def test_exact_reply_bytes(scenario_mock, case):
    run_case(scenario_mock, case)


def test_healthy_session_delivers_the_message(scenario_mock):
    m, _ = run_case(scenario_mock, REPLY_CASES["healthy"])
    messages = m.messages()
    assert len(messages) == 1
    assert m.raw_message(messages[0]["id"]) == MESSAGE[:-3]


@pytest.mark.parametrize("case", HANG_CASES.values(), ids=HANG_CASES.keys())
def test_hang_sends_nothing_and_keeps_the_connection(scenario_mock, case):
    run_case(scenario_mock, case)


@pytest.mark.parametrize("case", CLOSE_CASES.values(), ids=CLOSE_CASES.keys())
def test_close_is_fin_or_rst(scenario_mock, case):
    run_case(scenario_mock, case)


@pytest.mark.parametrize("name, stored", [("data-end-hang", 0), ("data-end-stored-hang", 1),
                                          ("data-end-stored-drop", 1)])
def test_unanswered_end_of_data_keeps_the_message_or_not(scenario_mock, name, stored):
    """Accepted but never answered: the message is stored although its 250 never comes, so a
    retrying client delivers it twice; data-end-hang, the control, keeps nothing."""
    case = {**HANG_CASES, **CLOSE_CASES}[name]
    m, _ = run_case(scenario_mock, case)
    if not stored:
        assert m.messages() == []  # the hang was watched for a second: nothing came
        return
    messages = wait_for(m.messages, 5)
    assert len(messages) == 1, messages
    assert m.raw_message(messages[0]["id"]) == MESSAGE[:-3]
    # A retry of the same message is stored a second time: the duplicate a sender must handle.
    with WireClient.connect(m.host, m.port) as client:
        run_steps(client, case.steps)
        assert wait_for(lambda: len(m.messages()) == 2, 5), m.messages()


def late_steps(timings):
    """The timed steps whose reply came later than its delay plus the tolerance."""
    return [(s, t) for s, t in timings if s.delay is not None and t > s.delay + DELAY_TOLERANCE]


@pytest.mark.parametrize("case", DELAY_CASES.values(), ids=DELAY_CASES.keys())
def test_delay_within_tolerance(scenario_mock, case):
    for attempt in range(2):
        _, timings = run_case(scenario_mock, case)
        timed = [(s, t) for s, t in timings if s.delay is not None]
        assert len(timed) == sum(1 for s in case.steps if s.delay is not None)
        for step, took in timed:
            assert took >= step.delay, (step, took)  # never early, never retried
        late = late_steps(timings)
        if not late:
            return
    pytest.fail(f"replies later than the delay + {DELAY_TOLERANCE * 1000:.0f} ms twice: {late}")


def test_banner_trickle_rate(scenario_mock):
    """banner-trickle: the 21-byte greeting comes at 10 bytes per second, a byte at a time."""
    m = scenario_mock("banner-trickle")
    expected = b"220 localhost ESMTP\r\n"
    with WireClient.connect(m.host, m.port) as client:
        arrivals = client.arrivals(len(expected), timeout=5.0)
        assert b"".join(b for _, b in arrivals) == expected
        # Paced, not held back and sent at once: loopback delivers each paced write on its own,
        # so the bytes come in many small chunks (a few may merge if the reader is slow).
        assert len(arrivals) >= len(expected) // 2, arrivals
        assert max(len(b) for _, b in arrivals) <= 3, arrivals
        first, last = arrivals[0][0], arrivals[-1][0]
        rate = (len(expected) - len(arrivals[0][1])) / (last - first)
        assert 8.0 <= rate <= 12.0, rate
        # 20 gaps of 100 ms after the first byte.
        assert last - client.connect_started_at >= 1.9
        assert client.command(b"EHLO wire.test", timeout=2) == HEALTHY_EHLO
        check_ending(client, "quit")


@pytest.mark.parametrize("name, hostname, reply", [
    ("banner-421", "mx1.test", b"421 4.3.2 mx1.test Service not available, closing transmission "
                               b"channel\r\n"),
    ("banner-no-crlf", "mx2.test", b"220 mx2.test ESMTP ready"),
])
def test_replies_name_the_mocks_hostname(scenario_mock, name, hostname, reply):
    """{hostname} in a reply (or raw bytes) is the name the mock's banner gives (--hostname)."""
    m = scenario_mock(name, "--hostname", hostname)
    with WireClient.connect(m.host, m.port) as client:
        assert client.read_exact(len(reply), timeout=5) == reply


def test_connect_refused_is_immediate(scenario_mock):
    m = scenario_mock("connect-refused")
    outcome, took = connect_outcome(m.host, m.port, timeout=2.0)
    assert outcome == "refused"
    assert took < 0.5


def test_connect_blackhole_times_out(scenario_mock):
    m = scenario_mock("connect-blackhole")
    outcome, took = connect_outcome(m.host, m.port, timeout=1.0)
    assert outcome == "timeout"
    assert took >= 1.0
    # The control: the same listener made open accepts at once.
    m.api_json("PUT", "/api/v1/listener", {"state": "open"})
    assert connect_outcome(m.host, m.port, timeout=2.0)[0] == "connected"


# What is wrong with the certificate presented after STARTTLS, checked independently of the
# ssl module (with `cryptography`), and the verification error the ssl module then reports
# when it trusts the mock's CA (OpenSSL X509_V_ERR_* codes).
TLS_CASES = {
    "healthy": (set(), None),
    "starttls-cert-expired": ({"expired"}, 10),  # X509_V_ERR_CERT_HAS_EXPIRED
    "starttls-cert-self-signed": ({"untrusted", "self_signed"}, 18),  # DEPTH_ZERO_SELF_SIGNED
    "starttls-cert-wrong-host": ({"wrong_host"}, 62),  # X509_V_ERR_HOSTNAME_MISMATCH
    "starttls-cert-expiring": (set(), None),  # valid, but only for 10 more days
}


def signed_by(cert, issuer):
    key = issuer.public_key()
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(cert.signature, cert.tbs_certificate_bytes,
                       ec.ECDSA(cert.signature_hash_algorithm))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(),
                       cert.signature_hash_algorithm)
        else:
            raise AssertionError(f"unexpected key type {key!r}")
    except Exception as e:  # cryptography raises InvalidSignature
        if type(e).__name__ == "InvalidSignature":
            return False
        raise
    return True


def dns_names(cert):
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return san.get_values_for_type(x509.DNSName)


def certificate_problems(cert, ca, hostname, now):
    problems = set()
    if now > cert.not_valid_after:
        problems.add("expired")
    if now < cert.not_valid_before:
        problems.add("not_yet_valid")
    if cert.issuer != ca.subject or not signed_by(cert, ca):
        problems.add("untrusted")
    if cert.issuer == cert.subject and signed_by(cert, cert):
        problems.add("self_signed")
    if hostname not in dns_names(cert):
        problems.add("wrong_host")
    return problems


def starttls_session(m, context):
    """Connects, greets, STARTTLS; returns (client, TLS socket). The handshake may raise."""
    client = WireClient.connect(m.host, m.port)
    assert client.read_reply().startswith(b"220 ")
    assert b"250-STARTTLS\r\n" in client.command(b"EHLO wire.test")
    assert client.command(b"STARTTLS") == b"220 2.0.0 Ready to start TLS\r\n"
    return client, client.start_tls(context)


def start_tls_mock(scenario_mock, tmp_path, name):
    ca_file = tmp_path / "ca.pem"
    m = scenario_mock(name, "--write-ca", str(ca_file))
    ca = x509.load_pem_x509_certificate(ca_file.read_bytes())
    return m, ca_file, ca


def presented_certificate(m):
    client, tls = starttls_session(m, no_verification_context())
    with client:
        der = tls.getpeercert(binary_form=True)
        # The session goes on over TLS (RFC 3207 §4.2: greet again).
        tls.sendall(b"EHLO wire.test\r\n")
        assert tls.recv(4096).startswith(b"250-localhost")
    return x509.load_der_x509_certificate(der)


@pytest.mark.parametrize("name", TLS_CASES.keys())
def test_certificate_seen_by_ssl(scenario_mock, tmp_path, name):
    problems, verify_code = TLS_CASES[name]
    m, ca_file, ca = start_tls_mock(scenario_mock, tmp_path, name)
    cert = presented_certificate(m)
    now = datetime.datetime.utcnow()
    assert certificate_problems(cert, ca, HOSTNAME, now) == problems

    if name == "starttls-cert-expiring":
        days_left = (cert.not_valid_after - now).total_seconds() / 86400
        assert 10.0 < days_left <= 10.5, days_left
    if name == "starttls-cert-wrong-host":
        assert dns_names(cert) == ["wrong-host.invalid"]

    if verify_code is None:
        client, tls = starttls_session(m, verifying_context(ca_file))
        with client:
            seen = tls.getpeercert()
            not_after = ssl.cert_time_to_seconds(seen["notAfter"])
            assert abs(not_after - cert.not_valid_after.replace(
                tzinfo=datetime.timezone.utc).timestamp()) < 1
    else:
        with pytest.raises(ssl.SSLCertVerificationError) as failure:
            starttls_session(m, verifying_context(ca_file))
        assert failure.value.verify_code == verify_code, failure.value


def test_certificate_not_yet_valid(start_mock, tmp_path):
    """Not in the catalog, but a TLS fault the driver offers: the only problem is notBefore."""
    scenario = tmp_path / "not-yet-valid.yaml"
    scenario.write_text("name: not-yet-valid\nrules:\n  - when: {phase: tls}\n"
                        "    do: {tls: {certificate: not_yet_valid}}\n")
    ca_file = tmp_path / "ca.pem"
    m = start_mock("--scenario", str(scenario), "--write-ca", str(ca_file))
    ca = x509.load_pem_x509_certificate(ca_file.read_bytes())
    cert = presented_certificate(m)
    now = datetime.datetime.utcnow()
    assert certificate_problems(cert, ca, HOSTNAME, now) == {"not_yet_valid"}
    with pytest.raises(ssl.SSLCertVerificationError) as failure:
        starttls_session(m, verifying_context(ca_file))
    assert failure.value.verify_code == 9  # X509_V_ERR_CERT_NOT_YET_VALID


def test_handshake_failure_is_a_tls_alert(scenario_mock):
    m = scenario_mock("starttls-handshake-failure")
    with pytest.raises(ssl.SSLError) as failure:
        starttls_session(m, no_verification_context())
    assert not isinstance(failure.value, ssl.SSLCertVerificationError)
    # A fatal handshake_failure alert (RFC 8446 §6.2) received from the server.
    assert failure.value.reason == "SSLV3_ALERT_HANDSHAKE_FAILURE", failure.value


def greeting_outcome(m, refusal=SERVICE_421):
    """What one new connection gets: "ok" (the healthy greeting, and 221 to QUIT), "421" (the
    exact `refusal` and FIN) or "rst" (a reset before any byte)."""
    with WireClient.connect(m.host, m.port) as client:
        try:
            reply = client.read_reply(timeout=2.0)
        except WireError:
            assert (client.ending, client.buffer) == (RST, b"")
            return "rst"
        if reply == refusal:
            assert client.wait_end() == (FIN, b"")
            return "421"
        assert reply == HEALTHY_GREETING
        assert client.command(QUIT) == BYE
        assert client.wait_end() == (FIN, b"")
        return "ok"


PATTERN_CASES = {
    "first-attempt-fails": ["rst", "ok", "ok", "ok"],
    "flapping": ["421", "ok", "421", "ok", "421", "ok"],
}


@pytest.mark.parametrize("name", PATTERN_CASES.keys())
def test_pattern_across_connections(scenario_mock, name):
    m = scenario_mock(name)
    assert [greeting_outcome(m) for _ in PATTERN_CASES[name]] == PATTERN_CASES[name]


RATE_LIMITED_421 = (b"421 4.7.0 localhost Error: too many connections from your address, "
                    b"try again later\r\n")


def test_rate_limit_lets_two_connections_a_minute_in(scenario_mock):
    m = scenario_mock("banner-421-rate-limited")
    outcomes = [greeting_outcome(m, RATE_LIMITED_421) for _ in range(4)]
    assert outcomes == ["ok", "ok", "421", "421"]


def test_mail_is_deferred_the_first_two_times_per_client(scenario_mock):
    m = scenario_mock("mail-451-first-attempts")
    replies = []
    for _ in range(3):
        with WireClient.connect(m.host, m.port) as client:
            run_steps(client, (GREETING, EHLO))
            replies.append(client.command(MAIL.send[:-2]))
            check_ending(client, "quit")
    assert replies == [b"451 4.7.1 Service unavailable, try again later\r\n"] * 2 + [MAIL.expect]


def test_address_encoded_faults_follow_the_address(scenario_mock):
    m = scenario_mock("address-encoded")
    with WireClient.connect(m.host, m.port) as client:
        run_steps(client, (GREETING, EHLO, MAIL, RCPT))
        assert client.command(b"RCPT TO:<fail-550-5.1.1@wire.test>") == (
            b"550 5.1.1 Failure requested by the address\r\n")
        sent_at = client.send(b"RCPT TO:<Delay-1s@wire.test>\r\n")
        assert client.read_reply() == RCPT.expect
        assert time.monotonic() - sent_at >= 1.0
        check_ending(client, "quit")
    with WireClient.connect(m.host, m.port) as client:
        run_steps(client, (GREETING, EHLO))
        assert client.command(b"MAIL FROM:<fail-451+drop@wire.test>") == (
            b"451 4.0.0 Failure requested by the address\r\n")
        assert client.wait_end() == (FIN, b"")
    with WireClient.connect(m.host, m.port) as client:
        run_steps(client, (GREETING, EHLO, MAIL, Step(b"RCPT TO:<hang@wire.test>\r\n", None)))
        check_ending(client, OPEN)


def test_ehlo_switches_follow_the_greeting_name(scenario_mock):
    m = scenario_mock("ehlo-switches")
    with WireClient.connect(m.host, m.port) as client:
        client.expect_bytes(HEALTHY_GREETING)
        ordinary = client.command(b"EHLO client.wire.test")
        assert ordinary.startswith(b"250-") and b"250-STARTTLS\r\n" in ordinary, ordinary
        check_ending(client, "quit")
    with WireClient.connect(m.host, m.port) as client:
        client.expect_bytes(HEALTHY_GREETING)
        withheld = client.command(b"EHLO NoStartTLS.client.wire.test")
        assert withheld.startswith(b"250-") and b"STARTTLS" not in withheld, withheld
        assert b"PIPELINING" in withheld
        check_ending(client, "quit")
    with WireClient.connect(m.host, m.port) as client:
        client.expect_bytes(HEALTHY_GREETING)
        assert client.command(b"HELO fail-550-5.7.1.client.wire.test") == (
            b"550 5.7.1 Failure requested by the EHLO name\r\n")
        check_ending(client, "quit")


INTERMITTENT_CONNECTIONS = 10


def test_intermittent_is_reproducible_with_a_seed(scenario_mock):
    patterns = {}
    for run, seed in enumerate(("11", "11", "12")):
        m = scenario_mock("intermittent", "--seed", seed)
        patterns[run] = [greeting_outcome(m) for _ in range(INTERMITTENT_CONNECTIONS)]
        m.stop()
    assert patterns[0] == patterns[1]
    assert set(patterns[0]) == {"ok", "421"}, patterns[0]  # both outcomes show
    assert patterns[2] != patterns[0], patterns  # another seed draws differently


# DNS blocklist faults, seen by dig at the mock's DNS server (--dns): (status, A records, TXT
# records) for the mock's own address under dnsbl.mock.test; None: no answer at all. SMTP is
# healthy in each.
DNSBL_CASES = {
    "dnsbl-not-listed": ("NXDOMAIN", [], []),
    "dnsbl-listed": ("NOERROR", ["127.0.0.2"],
                     ['"Listed for sending spam, see http://dnsbl.mock.test/"']),
    "dnsbl-public-resolver": ("NOERROR", ["127.255.255.254"],
                              ['"Error: query via public/open resolver"']),
    "dnsbl-zone-parked": ("NOERROR", ["192.0.2.80"], []),
    "dnsbl-servfail": ("SERVFAIL", [], []),
    "dnsbl-timeout": (None, [], []),
}


def dig_dnsbl(m, rtype):
    """(status or None, records of `rtype`) for the mock's address on dnsbl.mock.test."""
    name = ".".join(reversed(m.host.split("."))) + ".dnsbl.mock.test"
    a = dig(m.dns, name, rtype, timeout=1)
    return a.status, [data for _, _, data in a.records]


@pytest.mark.skipif(shutil.which("dig") is None, reason="dig is not installed")
@pytest.mark.parametrize("name", sorted(DNSBL_CASES))
def test_dnsbl_answers_seen_by_dig(scenario_mock, name):
    status, a, txt = DNSBL_CASES[name]
    m = scenario_mock(name, "--dns", "127.0.0.1:0")
    assert dig_dnsbl(m, "A") == (status, a)
    assert dig_dnsbl(m, "TXT") == (status, txt)
    # The SMTP side is the healthy one.
    with WireClient.connect(m.host, m.port) as client:
        client.expect_bytes(HEALTHY_GREETING)


# Mail-domain faults (probed with --mx), seen by dig at the mock's DNS server: the MX answer for
# mock.test (status or None, records) and the least time it takes. SMTP is healthy in each.
MX_CASES = {
    "mx-nxdomain": ("NXDOMAIN", [], 0),
    "mx-null": ("NOERROR", ["0 ."], 0),
    "mx-servfail": ("SERVFAIL", [], 0),
    "mx-a-only": ("NOERROR", [], 0),
    "mx-truncated": ("NOERROR", ["10 mx.mock.test."], 0),  # dig asks again over TCP by itself
    "mx-slow": ("NOERROR", ["10 mx.mock.test."], 1.2),
    "mx-timeout": (None, [], 0),
}


@pytest.mark.skipif(shutil.which("dig") is None, reason="dig is not installed")
@pytest.mark.parametrize("name", sorted(MX_CASES))
def test_mx_answers_seen_by_dig(scenario_mock, name):
    status, records, at_least = MX_CASES[name]
    m = scenario_mock(name, "--dns", "127.0.0.1:0")
    a = dig(m.dns, "mock.test", "MX", timeout=2)
    assert (a.status, [data for _, _, data in a.records]) == (status, records)
    assert a.seconds >= at_least
    if name == "mx-a-only":  # the implicit MX: the domain's own address (RFC 5321 §5.1)
        assert [data for _, _, data in dig(m.dns, "mock.test", "A").records] == [m.host]
    if name == "mx-truncated":
        udp = dig(m.dns, "mock.test", "MX", ignore_tc=True)
        assert "tc" in udp.flags and udp.records == []
    with WireClient.connect(m.host, m.port) as client:
        client.expect_bytes(HEALTHY_GREETING)


WIRE_TABLES = (REPLY_CASES, HANG_CASES, CLOSE_CASES, DELAY_CASES)
OTHER_TESTS = {
    "banner-trickle", "connect-refused", "connect-blackhole", "starttls-handshake-failure",
    "intermittent", "banner-421-rate-limited", "mail-451-first-attempts", "address-encoded",
    "ehlo-switches",
    *TLS_CASES,
    *PATTERN_CASES,
    *DNSBL_CASES,
    *MX_CASES,
}


def test_every_catalog_scenario_has_a_wire_test():
    catalog = {p.stem for p in CATALOG.glob("*.yaml")}
    assert len(catalog) >= 52
    covered = {c.scenario for table in WIRE_TABLES for c in table.values()} | OTHER_TESTS
    assert catalog - covered == set(), "catalog scenarios without a wire test"
    assert covered - catalog == set(), "wire tests of scenarios not in the catalog"
