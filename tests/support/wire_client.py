"""A raw-socket SMTP client for wire-level tests.

It sends exact bytes and reads exact bytes, with no SMTP library in between, and it tells apart
every way a connection can end: a reply, silence, an orderly close (FIN: recv() returns b""), a
reset (RST: ConnectionResetError), a refused connect (ConnectionRefusedError at once) and a
connect that times out. Every wait is bounded by a timeout given by the caller.
"""

import select
import socket
import ssl
import time

FIN = "fin"
RST = "rst"
OPEN = "open"


class WireError(AssertionError):
    """The peer did something other than what the test waited for."""


class WireClient:
    """One TCP connection to an SMTP server, read and written byte by byte."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""
        self.ending = None  # FIN or RST once the peer has closed
        self.connect_started_at = None  # time.monotonic() just before connect()
        self.last_sent_at = None  # time.monotonic() just before the last send

    @classmethod
    def connect(cls, host, port, timeout=5.0):
        """Connects; `connect_started_at` is the moment just before connect() was called and
        `connected_at` the moment it returned. The server can accept (and start a banner timer)
        before connect() returns to the caller, so a lower bound on a banner delay is measured
        from `connect_started_at`, never from `connected_at`. A server that resets
        the connection as soon as it accepts it can make connect() itself fail with
        ECONNRESET (the handshake completed, the RST came before connect() returned): that
        is a connection ended by RST, not a refused one, and reads as such."""
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        sock.settimeout(timeout)
        client = cls(sock)
        client.connect_started_at = time.monotonic()
        try:
            sock.connect((host, port))
        except ConnectionResetError:
            client.ending = RST
        client.connected_at = time.monotonic()
        client.last_sent_at = client.connected_at
        return client

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data):
        """Sends bytes verbatim; returns the monotonic time just before they were handed over.
        The server cannot read them earlier, so a delay it applies on reading them never looks
        shorter than it is (a time taken after sendall() can be later than the server's read)."""
        self.last_sent_at = time.monotonic()
        self.sock.sendall(data)
        return self.last_sent_at

    def _receive(self, timeout):
        """One recv() bounded by `timeout`; returns False when nothing came in time."""
        if self.ending is not None:
            return False
        readable, _, _ = select.select([self.sock], [], [], max(timeout, 0))
        if not readable:
            return False
        try:
            chunk = self.sock.recv(65536)
        except ConnectionResetError:
            self.ending = RST
            return True
        if not chunk:
            self.ending = FIN
        self.buffer += chunk
        return True

    def read_exact(self, count, timeout=5.0):
        """Exactly `count` bytes; raises WireError if the peer closes or stays silent first."""
        deadline = time.monotonic() + timeout
        while len(self.buffer) < count:
            if self.ending is not None:
                raise WireError(f"connection ended ({self.ending}) after {self.buffer!r}")
            if not self._receive(deadline - time.monotonic()):
                raise WireError(f"timed out after {timeout}s waiting for {count} bytes, "
                                f"got {self.buffer!r}")
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def expect_bytes(self, expected, timeout=5.0):
        """Reads exactly the bytes `expected`; raises WireError as soon as what arrives differs,
        or if the peer closes or stays silent first."""
        deadline = time.monotonic() + timeout
        while len(self.buffer) < len(expected):
            if not expected.startswith(self.buffer):
                break
            if self.ending is not None:
                raise WireError(f"connection ended ({self.ending}) after {self.buffer!r}, "
                                f"expected {expected!r}")
            if not self._receive(deadline - time.monotonic()):
                raise WireError(f"timed out after {timeout}s: got {self.buffer!r}, "
                                f"expected {expected!r}")
        if not self.buffer.startswith(expected):
            raise WireError(f"got {self.buffer!r}, expected {expected!r}")
        self.buffer = self.buffer[len(expected):]
        return expected

    def read_reply(self, timeout=5.0):
        """One complete reply, multi-line included (RFC 5321 §4.2.1: the last line has a space
        or nothing after the code), as the exact bytes received."""
        deadline = time.monotonic() + timeout
        end = 0
        while True:
            newline = self.buffer.find(b"\r\n", end)
            if newline >= 0:
                line = self.buffer[end:newline]
                end = newline + 2
                if len(line) < 4 or line[3:4] != b"-":
                    data, self.buffer = self.buffer[:end], self.buffer[end:]
                    return data
                continue
            if self.ending is not None:
                raise WireError(f"connection ended ({self.ending}) inside a reply: "
                                f"{self.buffer!r}")
            if not self._receive(deadline - time.monotonic()):
                raise WireError(f"timed out after {timeout}s waiting for a reply, "
                                f"got {self.buffer!r}")

    def command(self, line, timeout=5.0):
        """Sends one command line (CRLF added) and returns its reply."""
        self.send(line + b"\r\n")
        return self.read_reply(timeout)

    def wait_end(self, timeout=5.0):
        """Reads until the peer closes: returns (FIN or RST, bytes that came first); raises
        WireError if the connection is still open after `timeout`."""
        deadline = time.monotonic() + timeout
        while self.ending is None:
            if not self._receive(deadline - time.monotonic()):
                raise WireError(f"connection still open after {timeout}s, got {self.buffer!r}")
        data, self.buffer = self.buffer, b""
        return self.ending, data

    def observe_silence(self, seconds):
        """Watches the connection for `seconds`: returns (OPEN, FIN or RST, bytes received).
        A hang shows as (OPEN, b"")."""
        deadline = time.monotonic() + seconds
        while self.ending is None:
            left = deadline - time.monotonic()
            if left <= 0 or not self._receive(left):
                break
        data, self.buffer = self.buffer, b""
        return (self.ending or OPEN), data

    def arrivals(self, count, timeout):
        """Reads `count` bytes, recording when each chunk came: a list of (monotonic time,
        bytes). For observing a trickle."""
        deadline = time.monotonic() + timeout
        got = []
        total = len(self.buffer)
        if self.buffer:
            got.append((time.monotonic(), self.buffer))
            self.buffer = b""
        while total < count:
            if self.ending is not None:
                raise WireError(f"connection ended ({self.ending}) after {got!r}")
            if not self._receive(deadline - time.monotonic()):
                raise WireError(f"timed out after {timeout}s with {total} of {count} bytes")
            if self.buffer:
                got.append((time.monotonic(), self.buffer))
                total += len(self.buffer)
                self.buffer = b""
        return got

    def start_tls(self, context, server_hostname="localhost", timeout=5.0):
        """Runs the TLS handshake on the connection (after a 220 to STARTTLS, RFC 3207 §4);
        returns the ssl.SSLSocket. Raises what the handshake raises (ssl.SSLError and its
        subclasses)."""
        assert not self.buffer, f"bytes left over before TLS: {self.buffer!r}"
        self.sock.settimeout(timeout)
        self.sock = context.wrap_socket(self.sock, server_hostname=server_hostname)
        return self.sock


def connect_outcome(host, port, timeout):
    """Tries one TCP connect: returns ("connected" | "refused" | "reset" | "timeout", seconds
    taken)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.settimeout(timeout)
    started = time.monotonic()
    try:
        sock.connect((host, port))
        outcome = "connected"
    except ConnectionRefusedError:
        outcome = "refused"
    except ConnectionResetError:
        outcome = "reset"
    except socket.timeout:
        outcome = "timeout"
    finally:
        sock.close()
    return outcome, time.monotonic() - started


def no_verification_context():
    """A TLS client context that accepts any certificate, to look at what the server presents."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def verifying_context(cafile):
    """A TLS client context that trusts only `cafile` and checks the host name."""
    ctx = ssl.create_default_context(cafile=str(cafile))
    ctx.check_hostname = True
    return ctx
