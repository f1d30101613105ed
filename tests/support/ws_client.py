"""A small WebSocket client (RFC 6455) on the standard library, for tests of the live events of
smtp-mock (GET /api/v1/events): Debian has no WebSocket module for /usr/bin/python3 here, and the
tests also need to send what a browser would not (a foreign Origin) and to stop reading."""

import base64
import hashlib
import json
import os
import socket
import struct
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class HandshakeRefused(Exception):
    """The server answered the upgrade with something other than 101."""

    def __init__(self, status, head):
        super().__init__(f"upgrade refused with {status}: {head!r}")
        self.status = status
        self.head = head


class WebSocket:
    """One client connection. `recv_buffer` shrinks the socket's receive buffer before it
    connects (a client that reads slowly fills it quickly)."""

    def __init__(self, address, path, headers=None, timeout=5.0, recv_buffer=None):
        host, _, port = address.rpartition(":")
        self.sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        if recv_buffer:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, recv_buffer)
        self.sock.settimeout(timeout)
        self.sock.connect((host.strip("[]"), int(port)))
        key = base64.b64encode(os.urandom(16))
        fields = {"Host": address, "Upgrade": "websocket", "Connection": "Upgrade",
                  "Sec-WebSocket-Key": key.decode(), "Sec-WebSocket-Version": "13"}
        fields.update(headers or {})
        head = f"GET {path} HTTP/1.1\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in fields.items() if v is not None) + "\r\n"
        self.sock.sendall(head.encode())
        self.buffer = b""
        self.pongs = []  # the payloads of the pongs received, in order
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            self.buffer += chunk
        answer, _, rest = self.buffer.partition(b"\r\n\r\n")
        self.buffer, self.offset = bytearray(rest), 0
        self.head = answer.decode(errors="replace")
        status = int(self.head.split(" ", 2)[1]) if " " in self.head else 0
        if status != 101:
            self.sock.close()
            raise HandshakeRefused(status, self.head)
        accept = base64.b64encode(hashlib.sha1(key + GUID).digest()).decode()
        assert f"\nsec-websocket-accept: {accept.lower()}" in self.head.lower(), self.head

    def _read(self, n):
        # What has arrived is read from an offset, and dropped only when more arrives: a client
        # that reads thousands of small frames a second (bench/event_subscribers.py) does not
        # copy the rest of a 64 KiB chunk for each.
        while len(self.buffer) - self.offset < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("the server closed the connection")
            del self.buffer[:self.offset]
            self.offset = 0
            self.buffer += chunk
        data = bytes(self.buffer[self.offset:self.offset + n])
        self.offset += n
        return data

    def _send(self, opcode, payload=b""):
        mask = os.urandom(4)
        head = bytes([0x80 | opcode])
        if len(payload) < 126:
            head += bytes([0x80 | len(payload)])
        else:
            head += bytes([0x80 | 126]) + struct.pack("!H", len(payload))
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + masked)

    def message(self):
        """The next text message; answers pings and keeps the payloads of pongs; raises EOFError
        when the server closes."""
        text = b""
        while True:
            b0, b1 = self._read(2)
            length = b1 & 0x7F
            if length == 126:
                length = struct.unpack("!H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", self._read(8))[0]
            assert not b1 & 0x80, "a server must not mask its frames (RFC 6455 section 5.1)"
            payload = self._read(length)
            opcode = b0 & 0x0F
            if opcode == 0x9:
                self._send(0xA, payload)
            elif opcode == 0xA:
                self.pongs.append(payload)
            elif opcode == 0x8:
                raise EOFError("the server sent a close frame")
            elif opcode in (0x0, 0x1):
                text += payload
                if b0 & 0x80:
                    return text.decode()

    def ping(self, payload):
        """Sends a ping; its pong is seen by a later message() (in `pongs`)."""
        self._send(0x9, payload)

    def event(self):
        """The next message, parsed as JSON."""
        return json.loads(self.message())

    def until(self, predicate, timeout=5.0):
        """The events up to and including the first one `predicate` accepts; raises
        TimeoutError (with what came) when none does within `timeout` seconds."""
        seen = []
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no matching event in {timeout}s; got {seen[-20:]}")
            self.sock.settimeout(left)
            try:
                seen.append(self.event())
            except socket.timeout:
                continue
            if predicate(seen[-1]):
                return seen

    def close(self):
        try:
            self._send(0x8, struct.pack("!H", 1000))
        except OSError:
            pass
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
