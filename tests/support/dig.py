"""Debian's dig (bind9-dnsutils) asking the mock's DNS server (smtp-mock --dns): the one way the
tests read what it answers."""

import subprocess
import time
from dataclasses import dataclass, field


@dataclass
class DigAnswer:
    status: str | None  # NOERROR, NXDOMAIN, SERVFAIL...; None when nothing came back
    flags: list[str] = field(default_factory=list)  # the header's flags: qr, aa, tc...
    records: list[tuple[str, str, str]] = field(default_factory=list)  # (name, type, data)
    seconds: float = 0.0


def dig(server, *args, tcp=False, ignore_tc=False, timeout=3, check=False) -> DigAnswer:
    """Asks `server` ((host, port), as MockProcess.dns) once, with one try of `timeout` seconds;
    `args` are dig's (a name, a type). `check`: a dig that fails (no answer) fails the test."""
    host, port = server
    cmd = ["dig", f"@{host}", "-p", str(port), f"+time={timeout}", "+tries=1", "+noall",
           "+comments", "+answer", "+tcp" if tcp else "+notcp", *args]
    if ignore_tc:
        cmd.append("+ignore")
    started = time.monotonic()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout + 10,
                         check=check).stdout
    answer = DigAnswer(None, seconds=time.monotonic() - started)
    for line in out.splitlines():
        if "status:" in line:
            answer.status = line.split("status:")[1].split(",")[0].strip()
        elif ";; flags:" in line:
            answer.flags = line.split(";; flags:")[1].split(";")[0].split()
        elif line and not line.startswith(";"):
            fields = line.split(None, 4)
            answer.records.append((fields[0], fields[3], fields[4]))
    return answer
