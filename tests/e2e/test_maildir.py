"""--store maildir:DIR end to end: one Maildir per recipient, complete files in new/, every
accepted message on disk after SIGTERM, readable by Python's mailbox module and by mutt."""

import mailbox
import os
import shutil
import smtplib
import subprocess
import threading

import pytest

from terminal import run_on_terminal, visible


def send(m, rcpts, data, sender="a@example.com"):
    with smtplib.SMTP(m.host, m.port, timeout=10) as s:
        s.sendmail(sender, rcpts, data)


def files(d):
    return sorted(p for p in os.listdir(d))


def test_layout_one_maildir_per_recipient(start_mock, tmp_path):
    store = tmp_path / "mail"
    m = start_mock("--store", f"maildir:{store}")
    data = b"Subject: md\r\n\r\n.dot\r\nbody\r\n"
    send(m, ["Bob@Example.com", "carol@example.com"], data)
    assert sorted(os.listdir(store)) == ["bob@example.com", "carol@example.com"]
    for box in ("bob@example.com", "carol@example.com"):
        assert sorted(os.listdir(store / box)) == ["cur", "new", "tmp"]
        assert files(store / box / "tmp") == []
        (name,) = files(store / box / "new")
        assert name.endswith(f",S={len(data)}")
        assert (store / box / "new" / name).read_bytes() == data


def test_python_mailbox_reads_it(start_mock, tmp_path):
    store = tmp_path / "mail"
    m = start_mock("--store", f"maildir:{store}")
    for i in range(3):
        send(m, ["dave@example.com"], f"Subject: n{i}\r\nFrom: a@example.com\r\n\r\nbody {i}\r\n".encode())
    box = mailbox.Maildir(str(store / "dave@example.com"), create=False)
    subjects = sorted(msg["Subject"] for msg in box)
    assert subjects == ["n0", "n1", "n2"]


def test_every_accepted_message_is_on_disk_after_sigterm(start_mock, tmp_path):
    store = tmp_path / "mail"
    m = start_mock("--store", f"maildir:{store}")
    accepted = []
    lock = threading.Lock()

    def client(n):
        with smtplib.SMTP(m.host, m.port, timeout=20) as s:
            for i in range(10):
                s.sendmail("a@example.com", ["erin@example.com"], f"Subject: {n}-{i}\r\n\r\nx\r\n".encode())
                with lock:
                    accepted.append(f"{n}-{i}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert m.stop() == 0
    box = mailbox.Maildir(str(store / "erin@example.com"), create=False)
    on_disk = sorted(msg["Subject"] for msg in box)
    assert on_disk == sorted(accepted)
    assert len(on_disk) == 40
    assert files(store / "erin@example.com" / "tmp") == []


def test_pop3_dele_removes_the_file_of_that_recipient(start_mock, tmp_path):
    import poplib
    store = tmp_path / "mail"
    m = start_mock("--store", f"maildir:{store}", "--pop3", "127.0.0.1:0")
    send(m, ["frank@example.com", "grace@example.com"], b"Subject: f\r\n\r\nf\r\n")
    p = poplib.POP3(*m.pop3, timeout=10)
    p.user("frank")
    p.pass_("x")
    p.dele(1)
    p.quit()
    assert files(store / "frank@example.com" / "new") == []
    assert len(files(store / "grace@example.com" / "new")) == 1


def test_unwritable_store_is_refused_at_startup(tmp_path):
    from mock_process import program
    blocker = tmp_path / "file"
    blocker.write_text("x")
    p = subprocess.run([program("SMTP_MOCK"), "--listen", "127.0.0.1:0", "--control", "",
                        "--store", f"maildir:{blocker}/sub"], capture_output=True, timeout=20)
    assert p.returncode != 0 and p.stdout == b""
    p = subprocess.run([program("SMTP_MOCK"), "--listen", "127.0.0.1:0", "--control", "",
                        "--store", "mbox:/tmp/x"], capture_output=True, timeout=20)
    assert p.returncode != 0 and b"maildir:DIR" in p.stderr


MUTT = shutil.which("mutt")


@pytest.mark.skipif(MUTT is None, reason="mutt is installed by ci/setup")
def test_mutt_reads_the_maildir(start_mock, tmp_path):
    store = tmp_path / "mail"
    m = start_mock("--store", f"maildir:{store}")
    subjects = [f"mutt check {i}" for i in range(3)]
    for s in subjects:
        send(m, ["mutt@example.com"], f"Subject: {s}\r\nFrom: a@example.com\r\n\r\nbody of {s}\r\n".encode())
    rc = tmp_path / "muttrc"
    rc.write_text("set wait_key=no\nset pipe_decode=no\nset mbox_type=Maildir\n"
                  "set sort=mailbox-order\n")
    out = tmp_path / "piped.txt"
    # Mutt pipes each message of its index in turn to a file, then quits: no tags, so what it
    # pipes does not depend on where the index opens or on a tag-prefix finding its tags.
    pipe = f"<pipe-entry>cat >> {out}<enter>"
    keys = "<first-entry>" + "<next-entry>".join([pipe] * len(subjects)) + "<quit>"
    status, screen = run_on_terminal(
        [MUTT, "-n", "-F", str(rc), "-R", "-f", str(store / "mutt@example.com"),
         "-e", f'push "{keys}"'],
        {**os.environ, "TERM": "xterm"}, timeout=30)
    assert status == 0, visible(screen)
    text = out.read_text()
    for s in subjects:
        assert f"Subject: {s}" in text and f"body of {s}" in text, (text, visible(screen))
    assert text.count("Subject: ") == len(subjects), text


def test_a_message_that_cannot_be_written_is_refused_451_and_kept_nowhere(start_mock, tmp_path):
    store = tmp_path / "mail"
    m = start_mock("--store", f"maildir:{store}")
    (store / "blocked@example.com").write_text("a file where the Maildir should be")
    with smtplib.SMTP(m.host, m.port, timeout=10) as s:
        with pytest.raises(smtplib.SMTPDataError) as e:
            s.sendmail("a@example.com", ["ok@example.com", "blocked@example.com"], b"Subject: x\r\n\r\nx\r\n")
        assert e.value.smtp_code == 451
        s.rset()
        s.sendmail("a@example.com", ["ok@example.com"], b"Subject: y\r\n\r\ny\r\n")
    msgs = m.api_json("GET", "/api/v1/messages")["messages"]
    assert [x["to"] for x in msgs] == [["ok@example.com"]]
    box = mailbox.Maildir(str(store / "ok@example.com"), create=False)
    assert [msg["Subject"] for msg in box] == ["y"]
