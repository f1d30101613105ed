"""SmtpMock: one smtp-mock process on ephemeral loopback ports, driven through its control API."""

import contextlib
import json
import os
import selectors
import shutil
import subprocess
import tempfile
import time

from .api import ApiClient
from .records import Message, Session

__all__ = ["SmtpMock", "find_binary", "find_catalog", "find_program"]


# PREFIX/lib/python3/dist-packages/smtp_harness, as the Debian package and the portable tarball
# lay the package out beside PREFIX/bin.
_SHIPPED_BIN = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            os.pardir, os.pardir, os.pardir, os.pardir, "bin")


def find_program(name, variable, binary=None):
    """The program `name`: `binary`, else $`variable`, else `name` on PATH, else the program
    shipped with this package (PREFIX/bin beside PREFIX/lib/python3/dist-packages, as in the
    portable tarball)."""
    shipped = os.path.normpath(os.path.join(_SHIPPED_BIN, name))
    candidate = (binary or os.environ.get(variable) or shutil.which(name)
                 or (shipped if os.path.isfile(shipped) else None))
    if not candidate or not os.access(candidate, os.X_OK):
        raise FileNotFoundError(
            f"{name} not found: give binary=..., set {variable}, or put it on PATH"
            + (f" ({candidate} is not an executable)" if candidate else ""))
    return candidate


def find_binary(binary=None):
    """The smtp-mock program: `binary`, else $SMTP_MOCK, else `smtp-mock` on PATH, else the
    one shipped with this package."""
    return find_program("smtp-mock", "SMTP_MOCK", binary)


def find_catalog(binary):
    """The scenario catalog: $SMTPH_CATALOG_DIR, else beside an installed program
    (PREFIX/share/smtp-harness/catalog), else the source tree above a build directory."""
    env = os.environ.get("SMTPH_CATALOG_DIR")
    if env:
        return env
    here = os.path.dirname(os.path.realpath(binary))
    installed = os.path.join(here, os.pardir, "share", "smtp-harness", "catalog")
    if os.path.isdir(installed):
        return os.path.normpath(installed)
    for _ in range(6):
        tree = os.path.join(here, "faults", "catalog")
        if os.path.isdir(tree):
            return tree
        here = os.path.dirname(here)
    return None


def _address(text):
    host, port = text.rsplit(":", 1)
    return host.strip("[]"), int(port)


class SmtpMock:
    """An smtp-mock process on 127.0.0.1 with ephemeral ports (read from its ready line).

        with SmtpMock() as mock:
            send_mail(*mock.smtp_address)
            with mock.fault("rcpt-550-unknown-user"):
                ...
            assert mock.wait_for_messages(1)[0].subject == "hello"
    """

    def __init__(self, binary=None, *, pop3=False, imap=False, seed=None, scenario=None,
                 scenario_ports=None, args=(), startup_timeout=10.0):
        self.binary = find_binary(binary)
        self._argv = [self.binary, "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0"]
        if pop3:
            self._argv += ["--pop3", "127.0.0.1:0"]
        if imap:
            self._argv += ["--imap", "127.0.0.1:0", "--imaps", "127.0.0.1:0"]
        if seed is not None:
            self._argv += ["--seed", str(seed)]
        if scenario is not None:
            self._argv += ["--scenario", str(scenario)]
        if scenario_ports is not None:
            # True: the whole catalog; else catalog names or scenario files, in port order.
            self._argv += ["--scenario-ports", "0"]
            if scenario_ports is not True:
                for name in scenario_ports:
                    self._argv += ["--port-scenario", str(name)]
        self._argv += list(args)
        self._startup_timeout = startup_timeout
        self._process = None
        self._stderr = None
        self.ready = None
        self.api = None
        self._client = None

    # --- process -------------------------------------------------------------------------

    def start(self):
        """Starts the program and waits for its ready line; returns self."""
        if self._process:
            return self
        self._stderr = tempfile.TemporaryFile()
        self._process = subprocess.Popen(self._argv, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.PIPE, stderr=self._stderr)
        try:
            line = self._read_ready_line()
            self.ready = json.loads(line)
        except BaseException:
            self.stop()
            raise
        self.api = "http://" + self.ready["control"]
        self._client = ApiClient(*_address(self.ready["control"]))
        return self

    def _read_ready_line(self):
        deadline = time.monotonic() + self._startup_timeout
        with selectors.DefaultSelector() as sel:
            sel.register(self._process.stdout, selectors.EVENT_READ)
            line = b""
            while not line.endswith(b"\n"):
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    raise TimeoutError(f"smtp-mock printed no ready line within "
                                       f"{self._startup_timeout}s: {self.stderr_text()}")
                chunk = os.read(self._process.stdout.fileno(), 4096)
                if not chunk:
                    raise RuntimeError(f"smtp-mock exited with {self._process.wait()} before "
                                       f"it was ready: {self.stderr_text()}")
                line += chunk
        return line.decode()

    def stop(self, timeout=10.0):
        """Stops the program (SIGTERM, then SIGKILL after `timeout`); returns its exit code."""
        if not self._process:
            return None
        process, self._process = self._process, None
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout)
        process.stdout.close()
        if self._client:
            self._client.close()
        return process.returncode

    def stderr_text(self):
        """What the program wrote on stderr so far (its log)."""
        if not self._stderr:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- addresses -----------------------------------------------------------------------

    @property
    def smtp_address(self):
        """(host, port) of the SMTP listener."""
        return _address(self.ready["smtp"][0])

    @property
    def smtp_host(self):
        return self.smtp_address[0]

    @property
    def smtp_port(self):
        return self.smtp_address[1]

    @property
    def pop3_address(self):
        """(host, port) of the POP3 listener (SmtpMock(pop3=True)), or None."""
        return _address(self.ready["pop3"]) if "pop3" in self.ready else None

    @property
    def imap_address(self):
        """(host, port) of the IMAP listener (SmtpMock(imap=True)), or None."""
        return _address(self.ready["imap"]) if "imap" in self.ready else None

    @property
    def imaps_address(self):
        """(host, port) of the implicit-TLS IMAP listener (SmtpMock(imap=True)), or None."""
        return _address(self.ready["imaps"]) if "imaps" in self.ready else None

    @property
    def scenario_ports(self):
        """{scenario name: (host, port)} of the scenario listeners (SmtpMock(scenario_ports=...)),
        in port order: whoever connects to one meets that scenario, whatever the API sets."""
        return {name: _address(a) for name, a in self.ready.get("scenario_ports", {}).items()}

    def scenario_port(self, name):
        """(host, port) of the listener serving scenario `name`; KeyError naming those there are."""
        ports = self.scenario_ports
        if name not in ports:
            raise KeyError(f"no scenario port for '{name}'; there are: {', '.join(ports) or 'none'}")
        return ports[name]

    # --- faults --------------------------------------------------------------------------

    def scenario(self):
        """The scenario in force, as the API returns it (a dict)."""
        return self._client.call("GET", "/api/v1/scenario")

    def set_scenario(self, scenario):
        """Puts a scenario in force: a catalog name, a YAML text, or a dict; returns it."""
        if isinstance(scenario, dict):
            return self._client.call("PUT", "/api/v1/scenario", json_body=scenario)
        return self._client.call("PUT", "/api/v1/scenario", yaml_body=self._scenario_text(scenario))

    def _scenario_text(self, text):
        if "\n" in text or ":" in text:
            return text
        catalog = find_catalog(self.binary)
        path = os.path.join(catalog, text + ".yaml") if catalog else None
        if not path or not os.path.isfile(path):
            raise ValueError(f"no catalog scenario '{text}'"
                             + (f" in {catalog}" if catalog else " (catalog not found; set "
                                                                 "SMTPH_CATALOG_DIR)"))
        with open(path, encoding="utf-8") as f:
            return f.read()

    @contextlib.contextmanager
    def fault(self, scenario):
        """Puts `scenario` (catalog name, YAML text or dict) in force for a `with` block and
        then restores the scenario that was in force before."""
        before = self.scenario()
        applied = self.set_scenario(scenario)
        try:
            yield applied
        finally:
            self._client.call("PUT", "/api/v1/scenario", json_body=before)

    @contextlib.contextmanager
    def rule(self, rule):
        """Adds one rule (dict with `when` and `do`, optional `id`) for a `with` block, then
        removes it."""
        added = self._client.call("POST", "/api/v1/rules", json_body=rule)
        try:
            yield added
        finally:
            self._client.call("DELETE", "/api/v1/rules/" + added["id"])

    @contextlib.contextmanager
    def listener(self, state):
        """Sets the listener state (`open`, `closed`, `blackhole`) for a `with` block, then
        restores the one before."""
        before = self._client.call("GET", "/api/v1/listener")["state"]
        self._client.call("PUT", "/api/v1/listener", json_body={"state": state})
        try:
            yield
        finally:
            self._client.call("PUT", "/api/v1/listener", json_body={"state": before})

    @contextlib.contextmanager
    def address_faults(self):
        """For a `with` block, lets the sender or recipient address pick the fault at MAIL and
        RCPT (`fail-550@...`, `delay-2s@...`, see fault_address); yields fault_address."""
        with self.rule({"when": {"phase": ["mail", "rcpt"]}, "do": {"address_faults": True}}):
            yield fault_address

    @contextlib.contextmanager
    def ehlo_switches(self):
        """For a `with` block, lets the name a client greets with (EHLO or HELO) pick the fault:
        `nostarttls.example` gets no STARTTLS, `noauth.example` no AUTH, and the address-fault
        tokens work too (`fail-421-4.3.2.example`, `delay-2s.example`, `drop.example`)."""
        with self.rule({"when": {"phase": ["ehlo", "helo"]}, "do": {"ehlo_switches": True}}):
            yield

    def rules(self):
        """The rules in force with their fire counts, and for rules with memory (greylist,
        rate_limit, fail_first) what they remember under `state` (list of dicts)."""
        return self._client.call("GET", "/api/v1/rules")["rules"]

    # --- records -------------------------------------------------------------------------

    def messages(self, to=None, sender=None):
        """The stored messages (oldest first), optionally only those to `to` / from `sender`."""
        return self._message_list(to=to, sender=sender)

    def _message_list(self, to=None, sender=None, wait=None, count=None):
        query = {"to": to, "from": sender}
        if wait is not None:
            query.update(wait=f"{max(wait, 0):.3f}", count=count)
        answer = self._client.call("GET", "/api/v1/messages", query=query, timeout_extra=wait)
        return [Message(m, self._client) for m in answer["messages"]]

    def message(self, message_id):
        """One message by id."""
        return Message(self._client.call("GET", f"/api/v1/messages/{message_id}"), self._client)

    def sessions(self, since=0, wait=None):
        """Every recorded session after id `since` (oldest first), following the API's pages.
        With `wait` (seconds), waits that long at most for a first session after `since`."""
        out = []
        query = {"since": since, "limit": 1000}
        if wait is not None:
            query["wait"] = f"{max(wait, 0):.3f}"
        while True:
            page = self._client.call("GET", "/api/v1/sessions", query=query, timeout_extra=wait)
            wait = None
            out += [Session(s) for s in page["sessions"]]
            if not page.get("next"):
                return out
            query = {"since": page["next_since"], "limit": 1000}

    def session(self, session_id):
        """One session by id."""
        return Session(self._client.call("GET", f"/api/v1/sessions/{session_id}"))

    def wait_for_messages(self, count=1, timeout=10.0, to=None, sender=None):
        """Waits until at least `count` messages (to `to` / from `sender`, when given) are
        stored and returns them; raises AssertionError naming what came when `timeout` passes.
        The mock answers as soon as they are there: no polling loop."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            got = self._message_list(to=to, sender=sender, wait=max(left, 0), count=count)
            if len(got) >= count:
                return got
            if left <= 0:
                raise AssertionError(
                    f"expected {count} message(s){_filters(to, sender)} within {timeout}s, "
                    f"got {len(got)}: {[m.summary() for m in got]}")

    def assert_no_message(self, within=1.0, to=None, sender=None):
        """Asserts that no new message (to `to` / from `sender`) is stored within `within`
        seconds; returns early with AssertionError as soon as one is."""
        before = len(self._message_list(to=to, sender=sender))
        got = self._message_list(to=to, sender=sender, wait=within, count=before + 1)
        if len(got) > before:
            raise AssertionError(f"expected no message{_filters(to, sender)} within {within}s, "
                                 f"got {[m.summary() for m in got[before:]]}")

    def clear_messages(self):
        """Deletes every stored message; returns how many there were."""
        return self._client.call("DELETE", "/api/v1/messages")["deleted"]

    def reset(self):
        """Back to a fresh start: healthy scenario, no rules, listener open, no messages, no
        sessions."""
        return self._client.call("POST", "/api/v1/reset")

    def stats(self):
        """The counters of /api/v1/stats (a dict)."""
        return self._client.call("GET", "/api/v1/stats")

    def transcripts(self, since=0):
        """Every session after `since` as text, one block per session."""
        return "\n".join(s.transcript_text() for s in self.sessions(since=since))


def fault_address(*tokens, domain="example.com"):
    """The address whose local part asks for `tokens` while address faults are on (the catalog
    scenario address-encoded, or SmtpMock.address_faults): fault_address("fail-550-5.1.1") is
    "fail-550-5.1.1@example.com"; fault_address("delay-2s", "fail-451") delays, then 451.
    Tokens: fail-CODE[-X.Y.Z] (4xx/5xx), delay-DURATION (250ms, 5s), hang, drop, reset."""
    if not tokens:
        raise ValueError("fault_address needs at least one token, e.g. 'fail-550'")
    return "+".join(tokens) + "@" + domain


def _filters(to, sender):
    return (f" to {to}" if to else "") + (f" from {sender}" if sender else "")
