"""What the mock recorded, as objects: messages and sessions with their transcripts."""

import email
import email.policy
from dataclasses import dataclass

__all__ = ["Message", "Session", "TranscriptLine"]


class Message:
    """A stored message: envelope (`sender`, `recipients`), `subject`, `headers` (list of
    (name, value)), `size`, `session` id, `tls`, `auth`; `raw` and `email` fetch the bytes."""

    def __init__(self, data, client):
        self.data = data
        self._client = client
        self._raw = None
        self.id = data["id"]
        self.sender = data["from"]
        self.recipients = list(data["to"])
        self.subject = data.get("subject")
        self.headers = [(h["name"], h["value"]) for h in data.get("headers", [])]
        self.size = data["size"]
        self.session = data["session"]
        self.tls = data["tls"]
        self.auth = data["auth"]
        self.received_at = data["received_at"]

    def header(self, name):
        """The first value of header field `name` (case-insensitive), or None."""
        return next((v for n, v in self.headers if n.lower() == name.lower()), None)

    @property
    def raw(self):
        """The message's bytes exactly as received."""
        if self._raw is None:
            self._raw = self._client.raw("/api/v1/messages/" + self.id + "/raw")
        return self._raw

    @property
    def email(self):
        """The message parsed by the standard library (email.message.EmailMessage)."""
        return email.message_from_bytes(self.raw, policy=email.policy.default)

    def summary(self):
        return f"#{self.id} {self.sender or '<>'} -> {','.join(self.recipients)} {self.subject!r}"

    def __repr__(self):
        return f"Message({self.summary()})"


@dataclass(frozen=True)
class TranscriptLine:
    """One line of a session: milliseconds since connect, "C" (client), "S" (server) or "event"
    (an event), and the text."""
    t_ms: float
    dir: str
    text: str


class Session:
    """A recorded SMTP session: `id`, `peer`, `outcome` ("active" while its connection is open),
    `closed_by` ("client", "server", "fault" or None while open), `started_at`, `ended_at`,
    `transcript`
    (TranscriptLine list), `fired` (rule ids), `messages` (ids)."""

    def __init__(self, data):
        self.data = data
        self.id = data["id"]
        self.peer = data["peer"]
        self.outcome = data["outcome"]
        self.closed_by = data.get("closed_by")
        self.started_at = data["started_at"]
        self.ended_at = data["ended_at"]
        self.transcript = [TranscriptLine(t["t_ms"], t["dir"], t["text"])
                           for t in data["transcript"]]
        self.fired = [f["rule"] for f in data["fired"]]
        self.messages = list(data["messages"])

    def lines(self, direction):
        """The texts of the lines in `direction` ("C", "S" or "event")."""
        return [t.text for t in self.transcript if t.dir == direction]

    def transcript_text(self):
        """The session as readable text."""
        head = f"session {self.id} from {self.peer}: {self.outcome}"
        if self.fired:
            head += f" (fired: {', '.join(self.fired)})"
        return "\n".join([head] + [f"  {t.t_ms:9.3f} {t.dir} {t.text}" for t in self.transcript])

    def __repr__(self):
        return f"Session({self.id}, {self.outcome}, {len(self.transcript)} lines)"
