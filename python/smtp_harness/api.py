"""The control API over HTTP/1.1 (http.client, one kept-alive connection), and its errors."""

import http.client
import json
import threading
import urllib.parse

__all__ = ["ApiClient", "ApiError"]


class ApiError(Exception):
    """An error answer of the control API: `status` (HTTP), `code` (e.g. "invalid_scenario"),
    `message`, and `path` (the field, parameter or header at fault; "" for the whole request)."""

    def __init__(self, status, code, message, path="", method="", target=""):
        super().__init__(f"{method} {target}: {status} {code}: {message}"
                         + (f" (at {path})" if path else ""))
        self.status = status
        self.code = code
        self.message = message
        self.path = path


class ApiClient:
    """Calls the API at host:port; thread-safe (one request at a time)."""

    def __init__(self, host, port, timeout=10.0):
        self.host = host
        self.port = port
        self.timeout = timeout
        self._lock = threading.Lock()
        self._conn = None

    def close(self):
        with self._lock:
            if self._conn:
                self._conn.close()
                self._conn = None

    def call(self, method, path, query=None, json_body=None, yaml_body=None, timeout_extra=None):
        """The decoded JSON answer; raises ApiError for an error answer. `timeout_extra` adds to
        the socket timeout (for long polls)."""
        target = path
        if query:
            pairs = [(k, str(v)) for k, v in query.items() if v is not None]
            target += "?" + urllib.parse.urlencode(pairs)
        headers = {"Content-Type": "application/json"} if method != "GET" else {}
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
        elif yaml_body is not None:
            body = yaml_body.encode()
            headers["Content-Type"] = "application/yaml"
        timeout = self.timeout + (timeout_extra or 0)
        with self._lock:
            status, data = self._exchange(method, target, body, headers, timeout)
        answer = json.loads(data) if data else {}
        if status >= 400:
            error = answer.get("error", {}) if isinstance(answer, dict) else {}
            raise ApiError(status, error.get("code", "http_" + str(status)),
                           error.get("message", data.decode(errors="replace")),
                           error.get("path", ""), method, target)
        return answer

    def raw(self, path):
        """The body of a GET, as bytes; raises ApiError for an error answer."""
        with self._lock:
            status, data = self._exchange("GET", path, None, {}, self.timeout)
        if status >= 400:
            error = json.loads(data).get("error", {})
            raise ApiError(status, error.get("code", ""), error.get("message", ""),
                           error.get("path", ""), "GET", path)
        return data

    def _exchange(self, method, target, body, headers, timeout):
        # A kept-alive connection the server closed in between is retried once on a new one.
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
            self._conn.timeout = timeout
            if self._conn.sock:
                self._conn.sock.settimeout(timeout)
            try:
                self._conn.request(method, target, body=body, headers=headers)
                response = self._conn.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self._conn.close()
                    self._conn = None
                return response.status, data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self._conn.close()
                self._conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")
