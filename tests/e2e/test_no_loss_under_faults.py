"""No loss under faults (issue 8): 10,000 messages through Postfix smtp-source while a 30 %
intermittent fault hits other connections. Every message the mock accepted is captured exactly
once, byte for byte; nothing it refused is kept."""

import concurrent.futures
import smtplib
import subprocess

# Faults only for clients on 127.0.0.2; smtp-source connects from 127.0.0.1.
SCENARIO = """name: intermittent-other-clients
summary: 30 % of the transactions of clients on 127.0.0.2 fail, half at MAIL, half at the dot.
rules:
  - id: mail-451
    when: {client: 127.0.0.2/32, phase: mail, probability: 0.15}
    do: {reply: "451 4.3.0 Intermittent failure"}
  - id: dot-reset
    when: {client: 127.0.0.2/32, phase: data_end, probability: 0.18}
    do: {close: rst}
"""

FAULTY_MESSAGES = 400


def faulty_client_send(host, port, index):
    """One message from 127.0.0.2; returns its bytes if the mock accepted it, else None."""
    body = (f"Message-ID: <{index}@faulty.example>\r\nSubject: faulty {index}\r\n\r\n"
            f"payload {index} " + "z" * (index % 700) + "\r\n.leading dot\r\n").encode()
    try:
        with smtplib.SMTP(host, port, timeout=10, source_address=("127.0.0.2", 0)) as c:
            c.sendmail("faulty@example.com", ["sink@example.com"], body)
        return body
    except (smtplib.SMTPException, ConnectionError, OSError):
        return None


def test_every_accepted_message_captured_exactly_once(start_mock, tmp_path):
    scenario = tmp_path / "intermittent.yaml"
    scenario.write_text(SCENARIO)
    m = start_mock("--scenario", str(scenario), "--seed", "7", "--threads", "2",
                   "--session-history", "100")
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        faulty = [pool.submit(faulty_client_send, m.host, m.port, i)
                  for i in range(FAULTY_MESSAGES)]
        source = subprocess.run(
            ["/usr/sbin/smtp-source", "-s", "50", "-m", "10000", "-l", "300",
             "-f", "source@example.com", "-t", "sink@example.com", f"{m.host}:{m.port}"],
            capture_output=True, text=True, timeout=300)
        accepted = [f.result() for f in faulty]
    assert source.returncode == 0, source.stderr

    messages = m.messages()
    from_source = [msg for msg in messages if msg["from"] == "source@example.com"]
    assert len(from_source) == 10000
    assert len({msg["id"] for msg in from_source}) == 10000

    accepted_bodies = [b for b in accepted if b is not None]
    refused = FAULTY_MESSAGES - len(accepted_bodies)
    # The fault really hit: roughly 30 % of the faulty client's transactions failed.
    assert 0.15 * FAULTY_MESSAGES < refused < 0.45 * FAULTY_MESSAGES, refused
    from_faulty = [msg for msg in messages if msg["from"] == "faulty@example.com"]
    assert len(from_faulty) == len(accepted_bodies)
    captured = sorted(m.raw_message(msg["id"]) for msg in from_faulty)
    assert captured == sorted(accepted_bodies)

    status, stats, _ = m.api("GET", "/api/v1/stats")
    assert status == 200 and stats["faults_fired"] >= refused
