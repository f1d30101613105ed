"""`smtp-mock --scenario-ports BASE` (or `--scenario-ports-file FILE`, a map of port to
scenario): a listener per scenario, each serving its scenario's faults to whoever connects, so
that a monitor that cannot call the API is pointed at a failure by its port alone. The ready line
and GET /api/v1/ports name each one."""

import json
import os
import random
import socket
import subprocess

import pytest

from mock_process import MockProcess, program, split_address
from waiting import wait_for


CATALOG = os.path.join(os.environ.get("SMTPH_SOURCE_DIR", ""), "faults", "catalog")


@pytest.fixture(scope="module")
def ports_mock():
    m = MockProcess(["--scenario-ports", "0"])
    yield m
    m.stop()


def catalog_names():
    return sorted(f[:-5] for f in os.listdir(CATALOG) if f.endswith(".yaml"))


def reply_to(address, lines=(), timeout=5.0):
    """The banner and the replies to `lines`, read until the server closes or goes quiet."""
    data = b""
    with socket.create_connection(split_address(address), timeout=timeout) as s:
        for line in lines:
            s.sendall(line.encode() + b"\r\n")
        try:
            while chunk := s.recv(4096):
                data += chunk
        except (socket.timeout, ConnectionResetError):
            pass
    return data.decode(errors="replace")


def test_every_catalog_scenario_gets_a_port_named_in_the_ready_line_and_the_api(ports_mock):
    named = ports_mock.ready["scenario_ports"]
    assert list(named) == catalog_names()
    assert len(set(named.values())) == len(named)
    ports = ports_mock.api_json("GET", "/api/v1/ports")["ports"]
    assert [(p["scenario"], p["address"]) for p in ports] == list(named.items())
    by_name = {p["scenario"]: p for p in ports}
    assert by_name["connect-refused"]["listener"] == "closed"
    assert by_name["connect-blackhole"]["listener"] == "blackhole"
    assert by_name["banner-421"]["port"] == split_address(named["banner-421"])[1]
    # The ordinary listener is not one of them, and stays healthy.
    assert ports_mock.ready["smtp"][0] not in named.values()


def test_each_port_serves_its_scenario_while_the_ordinary_listener_is_healthy(ports_mock):
    named = ports_mock.ready["scenario_ports"]
    assert reply_to(named["banner-421"]).startswith("421 ")
    ehlo = reply_to(named["ehlo-550"], ["EHLO client.example", "QUIT"])
    assert "\r\n550 " in ehlo, ehlo
    healthy = reply_to(ports_mock.ready["smtp"][0], ["EHLO client.example", "QUIT"])
    assert healthy.startswith("220 ") and "\r\n250-" in healthy and "\r\n221 " in healthy


def test_refused_and_blackhole_scenarios_hold_per_port(ports_mock):
    named = ports_mock.ready["scenario_ports"]
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(split_address(named["connect-refused"]), timeout=2).close()
    with pytest.raises(socket.timeout):
        socket.create_connection(split_address(named["connect-blackhole"]), timeout=0.5).close()
    assert reply_to(ports_mock.ready["smtp"][0], ["QUIT"]).startswith("220 ")


def test_the_api_changes_the_ordinary_listener_not_the_scenario_ports(ports_mock):
    named = ports_mock.ready["scenario_ports"]
    ports_mock.api_json("PUT", "/api/v1/listener", {"state": "closed"})
    try:
        assert reply_to(named["healthy"], ["QUIT"]).startswith("220 ")
        assert reply_to(named["banner-554"], ["QUIT"]).startswith("554 ")
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(split_address(ports_mock.ready["smtp"][0]), timeout=2)
    finally:
        ports_mock.api_json("PUT", "/api/v1/listener", {"state": "open"})


def test_a_session_on_a_scenario_port_is_recorded_with_its_scenario(ports_mock):
    address = ports_mock.ready["scenario_ports"]["mail-451"]
    answer = reply_to(address, ["EHLO c.example", "MAIL FROM:<a@example.com>", "QUIT"])
    assert "\r\n451 " in answer, answer

    def recorded():
        sessions = ports_mock.api_json("GET", "/api/v1/sessions")["sessions"]
        return [s for s in sessions if s["local"] == address and s["outcome"] != "active"]

    found = wait_for(recorded, timeout=10)
    assert found
    session = ports_mock.api_json("GET", f"/api/v1/sessions/{found[-1]['id']}")
    texts = [e["text"] for e in session["transcript"]]
    assert "scenario port of 'mail-451'" in texts


def free_port_pair():
    """A port BASE where BASE and BASE+1 were both free a moment ago, below the ephemeral range
    (so that no port 0 the mock or another test asks for lands on them)."""
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
    for _ in range(50):
        base = random.randrange(max(1024, low - 10000), low - 2)
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", base))
                b.bind(("127.0.0.1", base + 1))
        except OSError:
            continue
        return base
    raise RuntimeError("no two consecutive free ports")


def test_named_scenarios_and_files_get_base_and_the_ports_after_it(tmp_path):
    own = tmp_path / "mine.yaml"
    own.write_text("name: mine\nrules:\n  - when: {phase: helo}\n    do: {reply: 554 5.7.1 no}\n")
    for attempt in range(3):
        base = free_port_pair()
        try:
            m = MockProcess(["--scenario-ports", str(base), "--port-scenario", "banner-554",
                             "--port-scenario", str(own)])
            break
        except RuntimeError as e:
            if "in use" not in str(e) or attempt == 2:
                raise
    try:
        assert m.ready["scenario_ports"] == {"banner-554": f"127.0.0.1:{base}",
                                             "mine": f"127.0.0.1:{base + 1}"}
        assert reply_to(f"127.0.0.1:{base}", ["QUIT"]).startswith("554 ")
        helo = reply_to(f"127.0.0.1:{base + 1}", ["HELO c.example", "QUIT"])
        assert "\r\n554 5.7.1 no\r\n" in helo, helo
    finally:
        m.stop()


def test_a_ports_file_gives_each_port_its_scenario(tmp_path):
    (tmp_path / "faults").mkdir()
    (tmp_path / "faults" / "mine.yaml").write_text(
        "name: mine\nrules:\n  - when: {phase: helo}\n    do: {reply: 554 5.7.1 no}\n")
    ports = tmp_path / "ports.yaml"
    for attempt in range(3):
        base = free_port_pair()
        # A scenario file relative to the ports file's folder, not to the mock's.
        ports.write_text(f"{base + 1}: banner-554\n"
                         "0: [faults/mine.yaml, connect-refused]\n"
                         f"{base}: healthy\n")
        try:
            m = MockProcess(["--scenario-ports-file", str(ports)])
            break
        except RuntimeError as e:
            if "in use" not in str(e) or attempt == 2:
                raise
    try:
        named = m.ready["scenario_ports"]
        assert list(named) == ["banner-554", "mine", "connect-refused", "healthy"]
        assert named["banner-554"] == f"127.0.0.1:{base + 1}"
        assert named["healthy"] == f"127.0.0.1:{base}"
        assert len(set(named.values())) == 4
        listed = m.api_json("GET", "/api/v1/ports")["ports"]
        assert [(p["scenario"], p["address"]) for p in listed] == list(named.items())
        assert reply_to(named["banner-554"], ["QUIT"]).startswith("554 ")
        helo = reply_to(named["mine"], ["HELO c.example", "QUIT"])
        assert "\r\n554 5.7.1 no\r\n" in helo, helo
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(split_address(named["connect-refused"]), timeout=2).close()
        assert reply_to(named["healthy"], ["QUIT"]).startswith("220 ")
    finally:
        m.stop()


def test_a_bad_ports_file_is_refused_with_where_and_what(tmp_path):
    ports = tmp_path / "ports.yaml"
    ports.write_text("2601: healthy\nsmtp: banner-554\n")
    bad_key = run_mock("--scenario-ports-file", str(ports))
    assert bad_key.returncode == 1
    assert (f"{ports}:2:1: smtp: expected a whole number from 0 to 65535, got 'smtp'"
            in bad_key.stderr), bad_key.stderr
    ports.write_text("0: [healthy, no-such-scenario]\n")
    unknown = run_mock("--scenario-ports-file", str(ports))
    assert unknown.returncode == 1
    assert (f"{ports}:1:14: 0[1]: no-such-scenario: neither a catalog scenario nor a scenario "
            "file" in unknown.stderr), unknown.stderr
    both = run_mock("--scenario-ports-file", str(ports), "--scenario-ports", "0")
    assert both.returncode != 0 and "excludes" in both.stderr, both.stderr
    missing = run_mock("--scenario-ports-file", str(tmp_path / "nowhere.yaml"))
    assert missing.returncode == 1 and "nowhere.yaml" in missing.stderr, missing.stderr


def run_mock(*args):
    return subprocess.run([program("SMTP_MOCK"), "--listen", "127.0.0.1:0", "--control", "",
                           *args], capture_output=True, text=True, timeout=30)


def test_bad_scenario_port_options_are_refused_with_what_was_wrong(tmp_path):
    unknown = run_mock("--scenario-ports", "0", "--port-scenario", "no-such-scenario")
    assert unknown.returncode == 1
    assert ("--port-scenario no-such-scenario: neither a catalog scenario nor a scenario file"
            in unknown.stderr)
    twice = run_mock("--scenario-ports", "0", "--port-scenario", "healthy",
                     "--port-scenario", "healthy")
    assert twice.returncode == 1 and "healthy: given twice" in twice.stderr
    alone = run_mock("--port-scenario", "healthy")
    assert alone.returncode != 0 and "--scenario-ports" in alone.stderr
    high = run_mock("--scenario-ports", "65535")
    assert high.returncode == 1 and "do not fit below port 65536" in high.stderr


def test_the_example_of_the_docs_is_what_the_mock_answers():
    doc = open(os.path.join(os.environ["SMTPH_SOURCE_DIR"], "docs", "api.md"),
               encoding="utf-8").read()
    section = doc.split("## GET /api/v1/ports: scenario ports", 1)[1].split("\n## ", 1)[0]
    lines = section.split("```\n$ smtp-mock", 1)[1].split("\n```", 1)[0].splitlines()
    command = " ".join(line.strip(" \\") for line in lines if not line.startswith("{"))
    ready_doc, ports_doc = [json.loads(line) for line in lines if line.startswith("{")]
    names = command.split("--port-scenario ")[1:]
    m = MockProcess(["--scenario-ports", "0"] +
                    [a for n in names for a in ("--port-scenario", n.split()[0])])
    try:
        port_of = {a: split_address(doc_a)[1] for a, doc_a in
                   zip(m.ready["scenario_ports"].values(), ready_doc["scenario_ports"].values())}
        ready = {name: f"127.0.0.1:{port_of[a]}" for name, a in m.ready["scenario_ports"].items()}
        assert ready == ready_doc["scenario_ports"]
        ports = m.api_json("GET", "/api/v1/ports")["ports"]
        for p in ports:
            p["port"] = port_of[p["address"]]
            p["address"] = f"127.0.0.1:{p['port']}"
        assert ports == ports_doc["ports"]
    finally:
        m.stop()


def test_the_ports_file_example_of_the_docs_is_what_the_mock_answers(tmp_path):
    doc = open(os.path.join(os.environ["SMTPH_SOURCE_DIR"], "docs", "api.md"),
               encoding="utf-8").read()
    section = doc.split("## GET /api/v1/ports: scenario ports", 1)[1].split("\n## ", 1)[0]
    example = section.split("```\n$ cat ports.yaml\n", 1)[1].split("\n```", 1)[0]
    text, rest = example.split("\n$ smtp-mock ", 1)
    ready_doc = json.loads(rest.splitlines()[1])
    # The fixed ports of the example, moved to free ones.
    fixed = [int(line.split(":")[0]) for line in text.splitlines() if not line.startswith("0:")]
    base = free_port_pair()
    moved = {port: base + k for k, port in enumerate(fixed)}
    assert len(fixed) == 2
    for port, new in moved.items():
        text = text.replace(f"{port}:", f"{new}:")
    (tmp_path / "ports.yaml").write_text(text + "\n")
    m = MockProcess(["--scenario-ports-file", str(tmp_path / "ports.yaml")])
    try:
        named = m.ready["scenario_ports"]
        assert list(named) == list(ready_doc["scenario_ports"])
        for name, address in ready_doc["scenario_ports"].items():
            port = split_address(address)[1]
            if port in moved:
                assert named[name] == f"127.0.0.1:{moved[port]}"
    finally:
        m.stop()
