"""smtp-probe watch notifiers, black-box: e-mail over SMTP (STARTTLS and AUTH), exec, and
webhooks over https."""

import json
import ssl
import subprocess

from test_watch import (Receiver, control, control_json, receiver, set_scenario,  # noqa: F401
                        start_watch, target_of)
from waiting import wait_for


def test_email_alerts_go_through_starttls_and_auth(start_mock, start_watch, tmp_path):
    users = tmp_path / "users"
    users.write_text("alerts:s3cret\n")
    sink = start_mock("--users", str(users))
    target = start_mock()
    w = start_watch(f"""
listen: 127.0.0.1:0
defaults: {{interval: 300ms, max_check_attempts: 1, timeout: 1s}}
targets: [{{name: mx, host: "{target_of(target)}"}}]
notifiers:
  - name: oncall
    type: email
    server: "{target_of(sink)}"
    starttls: true
    insecure: true
    auth: "alerts:s3cret"
    from: watch@example.net
    to: [oncall@example.net, backup@example.net]
""")
    set_scenario(target, "ehlo-550")

    def messages():
        return control_json(sink, "/api/v1/messages")["messages"]

    assert wait_for(lambda: len(messages()) >= 1, 10, interval=0.2), w.log()
    m = messages()[0]
    assert m["from"] == "watch@example.net"
    assert m["to"] == ["oncall@example.net", "backup@example.net"]
    assert m["tls"] is True, "sent after STARTTLS"
    assert m["auth"] == "alerts", "authenticated"
    _, raw = control(sink, "GET", f"/api/v1/messages/{m['id']}/raw")
    text = raw.decode()
    assert "X-Smtp-Alert-Type: problem\r\n" in text
    assert "X-Smtp-Alert-Target: mx\r\n" in text
    assert "X-Smtp-Alert-Phase: ehlo\r\n" in text
    assert "Subject: [smtp-probe] PROBLEM mx CRITICAL: perm_failure at ehlo" in text

    set_scenario(target, "healthy")
    assert wait_for(lambda: len(messages()) >= 2, 10, interval=0.2), w.log()
    _, raw = control(sink, "GET", f"/api/v1/messages/{messages()[1]['id']}/raw")
    assert "X-Smtp-Alert-Type: recovery\r\n" in raw.decode()
    assert w.metric('smtp_watch_notifications_sent_total{notifier="oncall"}') == 2


def test_email_with_wrong_password_fails_and_is_counted(start_mock, start_watch, tmp_path):
    users = tmp_path / "users"
    users.write_text("alerts:s3cret\n")
    sink = start_mock("--users", str(users))
    target = start_mock()
    w = start_watch(f"""
listen: 127.0.0.1:0
defaults: {{interval: 300ms, max_check_attempts: 1, timeout: 1s}}
targets: [{{name: mx, host: "{target_of(target)}"}}]
notifiers:
  - {{name: oncall, type: email, server: "{target_of(sink)}", starttls: true, insecure: true,
     auth: "alerts:wrong", to: [oncall@example.net], retry: {{attempts: 2, backoff: 100ms}}}}
""")
    set_scenario(target, "banner-554")
    assert wait_for(
        lambda: w.metric('smtp_watch_notifications_failed_total{notifier="oncall"}') == 1, 10), \
        w.log()
    log = w.log()
    assert 'perm_failure at auth: server replied "535' in log, log
    assert "wrong" not in log, "the password is never logged"
    assert control_json(sink, "/api/v1/messages")["messages"] == []


def test_exec_gets_the_alert_in_its_environment_and_arguments(mock, start_watch, tmp_path):
    record = tmp_path / "sms.log"
    w = start_watch(f"""
listen: 127.0.0.1:0
defaults: {{interval: 300ms, max_check_attempts: 1, timeout: 1s}}
targets: [{{name: mx, host: "{target_of(mock)}"}}]
notifiers:
  - name: sms
    type: exec
    command:
      - /bin/sh
      - -c
      - 'printf "%s|%s|%s|%s|%s\\n" "$1" "$SMTP_ALERT_TYPE" "$SMTP_ALERT_KIND" "$SMTP_ALERT_PHASE" "$SMTP_ALERT_JSON" >> {record}'
      - sms
      - "{{status}} {{target}}"
""")
    set_scenario(mock, "banner-missing")
    assert wait_for(lambda: record.exists() and record.read_text().count("\n") >= 1, 10), w.log()
    set_scenario(mock, "healthy")
    assert wait_for(lambda: record.read_text().count("\n") >= 2, 10), w.log()
    first, second = record.read_text().splitlines()[:2]
    args, kind, what, phase, doc = first.split("|", 4)
    assert (args, kind, what, phase) == ("CRITICAL mx", "problem", "timeout", "banner")
    assert json.loads(doc)["schema"] == "smtp-harness/alert/v1"
    assert second.split("|")[:2] == ["OK mx", "recovery"]


def test_a_failing_command_is_retried_and_logged(mock, start_watch, tmp_path):
    w = start_watch(f"""
listen: 127.0.0.1:0
defaults: {{interval: 300ms, max_check_attempts: 1, timeout: 1s}}
targets: [{{name: mx, host: "{target_of(mock)}"}}]
notifiers:
  - {{name: pager, type: exec, command: [/bin/false], retry: {{attempts: 3, backoff: 100ms}}}}
  - {{name: chatty, type: exec, command: [/bin/sh, -c, "echo no route to the pager gateway; exit 2"],
     retry: {{attempts: 3, backoff: 100ms}}}}
  - {{name: slow, type: exec, command: [/bin/sleep, "5"], timeout: 300ms,
     retry: {{attempts: 1}}}}
""")
    set_scenario(mock, "banner-421")
    assert wait_for(
        lambda: w.metric('smtp_watch_notifications_failed_total{notifier="pager"}') == 1, 10), \
        w.log()
    assert wait_for(
        lambda: w.metric('smtp_watch_notifications_failed_total{notifier="slow"}') == 1, 5)
    log = w.log()
    assert "/bin/false exited with status 1" in log
    assert ("notifier chatty failed (attempt 1/3): /bin/sh exited with status 2: "
            "no route to the pager gateway; retrying in 100ms") in log
    assert "/bin/sleep killed after 300ms" in log
    assert w.metric('smtp_watch_notification_attempts_failed_total{notifier="pager"}') == 3
    assert w.more_checks(1), "probing goes on"


def make_certificates(tmp_path):
    """A CA and a certificate for 127.0.0.1 that it signed; returns (ca, cert, key) paths."""
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=tmp_path)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
        "-days", "2", "-subj", "/CN=watch test CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out", "srv.csr",
        "-subj", "/CN=127.0.0.1")
    (tmp_path / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    run("x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "srv.pem", "-days", "2", "-extfile", "san.ext")
    return tmp_path / "ca.pem", tmp_path / "srv.pem", tmp_path / "srv.key"


def test_webhooks_go_over_https_with_the_servers_certificate_verified(mock, start_watch, tmp_path):
    ca, cert, key = make_certificates(tmp_path)
    secure = Receiver()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    secure.server.socket = context.wrap_socket(secure.server.socket, server_side=True)
    url = secure.url.replace("http://", "https://")
    try:
        w = start_watch(f"""
listen: 127.0.0.1:0
defaults: {{interval: 300ms, max_check_attempts: 1, timeout: 1s}}
targets: [{{name: mx, host: "{target_of(mock)}"}}]
notifiers:
  - {{name: trusted, type: webhook, url: "{url}/trusted", ca_file: "{ca}"}}
  - {{name: untrusted, type: webhook, url: "{url}/untrusted", retry: {{attempts: 1}}}}
""")
        set_scenario(mock, "banner-421")
        assert wait_for(lambda: secure.bodies("/trusted"), 10), w.log()
        assert secure.bodies("/trusted")[0]["type"] == "problem"
        assert wait_for(
            lambda: w.metric('smtp_watch_notifications_failed_total{notifier="untrusted"}') == 1,
            10), w.log()
        assert "certificate verification failed" in w.log()
        assert secure.bodies("/untrusted") == []
    finally:
        secure.close()
