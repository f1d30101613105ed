#!/usr/bin/python3
"""Generate docs/faults.md from the scenario catalog faults/catalog/*.yaml.

    /usr/bin/python3 tools/faults_doc.py            # rewrite docs/faults.md
    /usr/bin/python3 tools/faults_doc.py --check    # fail (exit 1) when docs/faults.md is stale

The catalog is the source of truth; the page is never edited by hand. Each scenario's rules are
copied verbatim from its file, so comments and layout survive. The C++ loader validates the
catalog (tests/unit/faults/catalog_test.cpp); this script only reads the keys it shows.
"""

import argparse
import difflib
import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
REGENERATE = "/usr/bin/python3 tools/faults_doc.py"

# Sections of the page, in conversation order; a scenario joins the first whose prefix it has.
GROUPS = [
    ("healthy", "Healthy servers (controls)"),
    ("connect-", "Connection"),
    ("banner-", "Greeting (banner)"),
    ("ehlo-", "EHLO and HELO"),
    ("starttls-", "STARTTLS and TLS"),
    ("auth-", "AUTH"),
    ("mail-", "MAIL FROM"),
    ("rcpt-", "RCPT TO"),
    ("data-", "DATA, message body and end of data"),
    ("quit-", "QUIT"),
    ("address-", "Chosen by the address"),
    ("delivery-", "Delivery: the message after the 250 (the mail loop)"),
    ("mailbox-", "Mailbox services: POP3 and IMAP (the mail loop)"),
    ("dnsbl-", "DNS blocklists: the mock's DNS server (--dns)"),
    ("mx-", "The mail domain's MX: the mock's DNS server (--dns)"),
    ("", "Over time and over many connections"),
]

INTRO = """\
# Fault catalog

Every scenario in `faults/catalog/` describes one way a real SMTP server fails: what smtp-mock
does, why servers do it in the wild, what the RFCs say, and what a good monitor should report.
This page is generated from those files by `tools/faults_doc.py`; edit the YAML, then run
`{regenerate}` (a unit test fails while this page is stale).

Use a scenario:

- `smtp-mock --scenario faults/catalog/banner-missing.yaml` starts a mock that has the fault.
- `curl -X PUT -H 'Content-Type: application/yaml' --data-binary @faults/catalog/banner-missing.yaml http://127.0.0.1:8025/api/v1/scenario`
  swaps it into a running mock; sessions already in flight keep the scenario they started with.
- `smtp-harness run --scenarios banner-missing --monitor builtin` checks that a monitor catches it;
  `smtp-harness explain banner-missing` explains it and shows the probe against it, live.

The **expected** column is what the built-in probe (`smtp-probe`: banner, EHLO with HELO
fallback on 500/502, QUIT, plus whatever the probe hints ask for) should report, as
status, failure kind and phase. The **probe** column lists the hints the harness
turns into probe options: `send` (MAIL, RCPT, DATA), `starttls`, `auth`, `insecure`, and the
thresholds `warning`/`critical` (`-w`/`-c`), `timeout` (`-t`), `connect_timeout`,
`command_timeout` and `cert_days` that keep every scenario to a few seconds; `verify: pop3` or
`verify: imap` sends the message and fetches it back from the mock's mailbox over that protocol
(`--verify`, the harness serves it), with `verify_timeout` and `max_delivery_time` for
`--verify-timeout` and `--max-delivery-time`. `dnsbl: true` looks the server's address up on the
blocklist `dnsbl.mock.test` (`--dnsbl`), asking the mock's DNS server (`--dns-server`; the harness
starts the mock with `--dns`). `mx: true` probes the mail domain `mock.test` rather than the
server's address (`--mx`): its MX records, asking the mock's DNS server, lead to the mock (MX 10
`mx.mock.test`, whose address is the mock's); a `cmd:` monitor gets the domain as `{{domain}}` and
the DNS server's port as `{{dns_port}}`. `helo: NAME` is the name the probe greets with (`--helo`),
for the scenarios where the client's name picks the fault (`ehlo_switches`).

## Scenario format

```yaml
name: banner-missing          # kebab-case, equal to the file name
summary: One sentence.
description: |
  What it simulates, real-world causes, what the RFC says, what a monitor should report.
listener: open                # open | closed (connection refused) | blackhole (connect timeout)
mailbox_listener: open        # POP3 and IMAP: open | closed (connection refused); SMTP keeps `listener`
probe: {{command_timeout: 2s}}  # hints for the built-in probe
expect: {{status: CRITICAL, kind: timeout, phase: banner}}   # status may be a list
rules:                        # in order; the first rule whose `when` holds fires
  - id: no-greeting           # optional; r1, r2, ... otherwise
    when: {{phase: banner}}
    do: {{hang: true}}
```

| `when` key | matches |
|---|---|
| `phase` | one phase or a list: `connect tls banner ehlo helo starttls auth mail rcpt data body data_end rset noop vrfy quit verify` (`verify`: the mock's POP3 and IMAP sessions, see below); or `dns`, alone, for the queries of the mock's DNS server (`--dns`), where `command` is the query type (`A`, `MX`, `TXT`) and `argument` the name asked (`\\.dnsbl\\.mock\\.test$`); a rule without `phase` never touches DNS |
| `command` | regular expression matching the whole command verb, case-insensitive (`MAIL`, `RCPT\\|DATA`) |
| `argument` | regular expression searched in the command argument, case-insensitive (`@example\\.com>`) |
| `connections` | connection ordinals since the scenario was loaded (for a rule added with `POST /api/v1/rules`: since it was added): `1`, `2-5`, `3-`, `every 2`, `every 3 from 2`, or a list |
| `probability` | 0 to 1 (default 1); drawn from a generator seeded with `--seed` and the connection ordinal |
| `after` / `until` | time since the scenario was loaded, e.g. `30s`, `2m` |
| `times` | fire at most this many times in total |
| `client` | CIDR block or list of them, IPv4 or IPv6 (`127.0.0.0/8`, `::1/128`) |

| `do` key | effect |
|---|---|
| `delay` | wait before sending anything (`250ms`, `1.5s`; a bare number is an error) |
| `reply` | a reply, one line or a list of lines each starting with the code; lines get `NNN-`/`NNN ` and CRLF; `{{hostname}}` stands for the mock's name (below) |
| `raw` | bytes sent verbatim (YAML escapes such as `"\\r\\n"`, or `{{hex: "ff00"}}`), but for `{{hostname}}`; for malformed replies |
| `trickle` | send at this many bytes per second (`10`, `"10B/s"`, `"2kB/s"`, `"1MB/s"`), in slices of about 50 ms |
| `hang` | `true`: send nothing more and keep the connection open |
| `close` | `fin` (orderly close) or `rst` (reset) |
| `after_bytes` | with phase `body`: the hang or close happens after this many octets of content |
| `tls` | with phase `tls`: `certificate: expired\\|not_yet_valid\\|self_signed\\|wrong_host`, `expires_in_days: N`, `handshake: fail\\|hang` |
| `command` | `apply` or `skip`: whether the command the rule answers takes effect (see below) |
| `deliver` | with phase `data_end`: what becomes of the accepted message on its way to the mailboxes POP3 and IMAP serve: `to: inbox\\|junk\\|nowhere` (never delivered), `after: 30s` (late), `copies: 2` (twice), `subject: TEXT`, `body: TEXT` (changed); the store and the API keep it as sent |
| `greylist` | with phase `rcpt`: `{{delay: 300s, window: 24h}}` — fire on the first attempt of each (client address, sender, recipient) triplet and on retries sooner than `delay`; a retry after `delay` and within `window` of the first attempt passes, and that triplet passes from then on (RFC 6647) |
| `rate_limit` | `{{max: 3, per: 60s}}` — fire when the client address already had `max` events within the last `per`; each time the rule applies is an event (a connection at `banner`, a message at `data_end`), refused ones do not count |
| `fail_first` | `N`: fire the first N times the rule applies to each client address, then never again for it |
| `address_faults` | `true`, with phase `mail` and/or `rcpt`, and no effect that says what to do (`expires`, `fail_first`, `rate_limit` may limit it): the local part of the sender or recipient picks the fault (`fail-550@`, `fail-450-4.7.1@`, `delay-5s@`, `hang@`, `drop@`, `reset@`, combined with `+`: `delay-2s+fail-451@`); an ordinary address leaves the rule unfired |
| `ehlo_switches` | `true`, with phase `ehlo` and/or `helo`, and no effect that says what to do: the leading part of the client's name picks the fault: `nostarttls.` and `noauth.` leave STARTTLS or AUTH out of the EHLO reply (and refuse the command with 502), and the `address_faults` tokens work too (`fail-421-4.3.2.`, `delay-5s.`, `hang.`, `drop.`, `reset.`, combined with `+`: `noauth+nostarttls.example`); an ordinary name leaves the rule unfired |
| `dns` | with phase `dns` (with `delay`: a slow answer, `hang`: none at all, `expires` and `when.times`): how the mock's DNS server answers: `rcode: servfail\\|refused` with no records; `truncate: true` (over UDP TC=1 and no records, so the client asks again over TCP); `mx: nxdomain\\|a_only\\|null_mx` (the mail domain gone; without MX but with an A record, RFC 5321 §5.1; or with the null MX `0 .` of a domain that accepts no mail, RFC 7505); `listed: {{code: 127.0.0.2, reason: TEXT}}` (the mock's SMTP addresses listed on every blocklist zone, codes in 127.0.0.0/8); `dnsbl_error: 254` (every blocklist name answers 127.255.255.N, an error about the query: 252 typing error, 254 public resolver, 255 too many queries); `dnsbl_wildcard: ADDRESS` (every blocklist name has this A record and no TXT: a lapsed zone parked with a wildcard, or a list that lists everything) |
| `expires` | stop firing this long after the rule was put in force (its scenario loaded, or the rule added with `POST /api/v1/rules`), so a forgotten fault ends by itself; to end after N firings use `when.times` |

**The mock's name in replies.** `{{hostname}}` in a `reply` or `raw` is replaced, when the rule
fires, by the name the mock gives in its banner: `--hostname` (`localhost` unless set). Write
`421 4.3.2 {{hostname}} Service not available` and the reply names the same server as the
greeting `220 localhost ESMTP smtp-mock ready`. The catalog does so wherever a reply names the
server. Limits such as the 512 octets of a reply line are checked on the text as written.

The server carries the effects out in this order: the delay, then what is sent (the reply, the
raw bytes or the normal reply, trickled if asked), then the command's effect, then the ending
(hang or close).

**What becomes of the command.** When a rule answers a command, the command itself (recording
the sender or a recipient, storing the message at `data_end`, starting TLS after STARTTLS,
ending the session at QUIT) takes effect by this rule unless `command` says otherwise: it does
when the normal reply is sent (a rule with only a `delay` or a `trickle`), or when the rule's
`reply` or `raw` starts with the same digit as the normal reply (a different 2xx text still
accepts the command, a 4xx or 5xx refuses it); a `hang` or `close` with nothing sent skips it.
`command: skip` refuses the command whatever is sent, `command: apply` carries it out whatever
is sent:

```yaml
  - when: {{phase: data_end}}
    do: {{command: skip}}                  # "250 Ok: queued", and the message is never stored
  - when: {{phase: data_end}}
    do: {{hang: true, command: apply}}     # the message is stored, its 250 never comes
```

**Faults of the mailbox services (phase `verify`).** The mock's POP3 and IMAP sessions ask the
same rules, at phase `verify`: once when a connection opens, before the greeting (no command),
then before each command, with the mailbox command as the verb (`USER`, `PASS`, `STAT`, `UIDL`,
`TOP`, `RETR`, `DELE`, `QUIT`; `LOGIN`, `AUTHENTICATE`, `SELECT`, `EXAMINE`, `SEARCH`, `FETCH`,
`STORE`, `EXPUNGE`, `LOGOUT`, and `UID FETCH` for a UID command) and the rest of the line as
the argument. A rule without `command` fires at the connection. There a rule may `reply` (a
4xx or 5xx, which refuses the command: POP3 `-ERR [SYS/TEMP] text` for 4xx, `-ERR [AUTH] text`
for 5xx at USER or PASS, otherwise `-ERR text`; IMAP `NO [UNAVAILABLE] text` for 4xx,
`NO [AUTHENTICATIONFAILED] text` for 5xx at LOGIN or AUTHENTICATE, otherwise `NO text`; at the
connection a POP3 `-ERR` greeting or an IMAP `* BYE`, then a close), send `raw` bytes, `hang`
(answer nothing more until the client goes), or `close` (`fin`, or `rst` to reset);
other effects are refused at phase `verify`. `connections` counts mailbox connections, apart
from SMTP's. The fire counts of `GET /api/v1/rules` include these firings:

```yaml
  - when: {{phase: verify, command: "LOGIN|AUTHENTICATE"}}
    do: {{reply: "535 5.7.8 Authentication failed"}}    # a NO [AUTHENTICATIONFAILED]
  - when: {{phase: verify, command: "(UID )?FETCH"}}
    do: {{hang: true}}
  - when: {{phase: verify}}
    do: {{close: rst}}                                  # every mailbox connection reset
```

**A mailbox service that is down.** A reset is not the same as nothing listening. With
`mailbox_listener: closed` the mock closes its POP3 and IMAP listeners, so every connect to them
is refused (ECONNREFUSED), while SMTP keeps `listener` and goes on accepting mail; the ports
stay what the ready line named, and `mailbox_listener: open` (or `PUT /api/v1/listener` with
`{{"mailbox": "open"}}`) listens on them again. There is no black hole for the mailbox:
`closed` is the service that is down, `mailbox-reset` the one that accepts and resets.

**Faults with memory.** `greylist`, `rate_limit` and `fail_first` decide, from what they
remember, whether their rule fires; the rule's other effects say what happens when it does
(`greylist` alone would defer nothing, so a `reply` or a `close` is required). What they
remember is per client address (the triplet for `greylist`), at most 10,000 keys per rule
(beyond that the key seen longest ago is forgotten), and shown by `GET /api/v1/rules` under each
rule's `state`. Loading a scenario (`PUT /api/v1/scenario`, `POST /api/v1/reset`) forgets it;
adding or removing other rules does not. Nothing is random, so a run is the same every time:

```yaml
  - id: greylisted
    when: {{phase: rcpt}}
    do:
      reply: "450 4.7.1 Recipient address rejected: Greylisted, try again in 2 seconds"
      greylist: {{delay: 2s}}
  - id: per-client-limit
    when: {{phase: banner}}
    do: {{reply: "421 4.7.0 Too many connections, slow down", close: fin, rate_limit: {{max: 5, per: 1m}}}}
```

Mistakes are reported with file, line, column and key path, e.g.
`bad.yaml:4:17: rules[0].do.close: unknown value 'fn'; did you mean 'fin'? expected one of: fin, rst`.
Indent with spaces: a tab in the indentation is an error (YAML does not allow it).

## Limits

Whatever a scenario does stays inside the sessions it is meant for; values outside these bounds
are refused when the scenario is loaded, with their position:

| what | limit |
|---|---|
| a scenario document (a `--scenario` file or an API body) | at most 1 MiB (1,048,576 octets); `--scenario` reads regular files only, so a FIFO or a device such as `/dev/zero` is refused before anything is read |
| every duration (`delay`, `after`, `until`, `expires`, `greylist`, `rate_limit`, the probe hints) | from `0ms` to `24h` |
| `fail_first` | 1 to 1,000,000; `rate_limit.max` 0 to 10,000 |
| `trickle` | from 1 B/s to 1 GB/s (`inf`, `nan` and out-of-range numbers such as `1e-300` are refused) |
| `probability` | a number from 0 to 1 (`nan` is refused) |
| `expires_in_days` | 0 to 36500 |
| a `reply` line | 512 octets with its CRLF (RFC 5321 §4.5.3.1.5); use `raw` for longer |

Thousands of rules load in well under a second, with or without ids.

**Regular expressions** (`when.command`, `when.argument`) are matched by
[RE2](https://github.com/google/re2/wiki/Syntax), whose time is linear in the length of the
text, so no pattern can stall the server, whatever a client sends. RE2's syntax is the familiar
Perl/ECMAScript one, except for what needs backtracking: backreferences (`(a)\\1`), lookahead and
lookbehind (`(?=...)`, `(?!...)`, `(?<=...)`, `(?<!...)`), atomic groups and possessive
quantifiers (`(?>...)`, `a*+`) are not supported, and a counted repetition is at most `{{1000}}`.
Such a pattern is refused when the rule is loaded, e.g.
`rules[0].when.argument: bad regular expression '(a)\\1': invalid escape sequence: \\1
(backreferences are not supported); patterns use RE2 syntax, which runs in linear time`.
"""


def group_of(name):
    for index, (prefix, _) in enumerate(GROUPS):
        if name.startswith(prefix):
            return index
    return len(GROUPS) - 1


def rules_source(text):
    """The `rules:` block of a scenario file, verbatim."""
    lines = text.splitlines()
    out = []
    inside = False
    for line in lines:
        top_level = line[:1] not in ("", " ", "#", "-")
        if line.startswith("rules:"):
            inside = True
        elif inside and top_level:
            break
        if inside:
            out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out)


def format_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def format_probe(probe):
    if not probe:
        return "default"
    parts = []
    for key, value in probe.items():
        parts.append(key if value is True else f"{key} {format_value(value)}")
    return ", ".join(parts)


def format_expect(expect):
    if not expect:
        return "not stated"
    status = expect.get("status")
    statuses = status if isinstance(status, list) else [status]
    text = " or ".join(statuses)
    if expect.get("kind"):
        text += f", `{expect['kind']}`"
        if expect.get("phase"):
            text += f" at `{expect['phase']}`"
    if "OK" in statuses and len(statuses) > 1 and expect.get("kind"):
        text += " when it fails"
    return text


def cell(text):
    return " ".join(str(text).split()).replace("|", "\\|")


def load(catalog):
    scenarios = []
    for path in sorted(catalog.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        data["_file"] = path.name
        data["_rules"] = rules_source(text)
        scenarios.append(data)
    scenarios.sort(key=lambda s: (group_of(s["name"]), s["name"]))
    return scenarios


def listeners(s):
    """The listener states of a scenario: SMTP's, and the mailbox's when it is not open."""
    text = s.get("listener", "open")
    mailbox = s.get("mailbox_listener", "open")
    return text if mailbox == "open" else f"{text}; mailbox {mailbox}"


def render(scenarios):
    out = [INTRO.format(regenerate=REGENERATE)]
    out.append(f"## All scenarios ({len(scenarios)})\n")
    out.append("| scenario | what happens | listener | probe | expected |")
    out.append("|---|---|---|---|---|")
    for s in scenarios:
        out.append(
            f"| [{s['name']}](#{s['name']}) | {cell(s.get('summary', ''))} "
            f"| {cell(listeners(s))} | {cell(format_probe(s.get('probe')))} "
            f"| {cell(format_expect(s.get('expect')))} |"
        )
    out.append("")
    current_group = None
    for s in scenarios:
        group = group_of(s["name"])
        if group != current_group:
            current_group = group
            out.append(f"## {GROUPS[group][1]}\n")
        out.append(f"### {s['name']}\n")
        out.append(f"*{s.get('summary', '').strip()}*\n")
        description = s.get("description", "").strip()
        if description:
            out.append(description + "\n")
        out.append(f"- **Listener:** {listeners(s)}")
        out.append(f"- **Probe:** {format_probe(s.get('probe'))}")
        out.append(f"- **Expected from the built-in probe:** {format_expect(s.get('expect'))}")
        out.append(f"- **File:** [`faults/catalog/{s['_file']}`](../faults/catalog/{s['_file']})\n")
        out.append("```yaml")
        out.append(s["_rules"])
        out.append("```\n")
    return "\n".join(out).rstrip("\n") + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=pathlib.Path, default=ROOT / "faults" / "catalog")
    parser.add_argument("--output", type=pathlib.Path, default=ROOT / "docs" / "faults.md")
    parser.add_argument("--check", action="store_true",
                        help="compare instead of writing; exit 1 when the output is stale")
    args = parser.parse_args()

    scenarios = load(args.catalog)
    if not scenarios:
        print(f"no scenarios in {args.catalog}", file=sys.stderr)
        return 1
    page = render(scenarios)
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current == page:
            print(f"{args.output} is up to date ({len(scenarios)} scenarios)")
            return 0
        print(f"{args.output} is stale: it does not match faults/catalog/.", file=sys.stderr)
        print(f"Regenerate it with:\n    cd {ROOT} && {REGENERATE}\n", file=sys.stderr)
        diff = difflib.unified_diff(current.splitlines(), page.splitlines(),
                                    str(args.output), "generated", lineterm="", n=1)
        for count, line in enumerate(diff):
            if count == 40:
                print("...", file=sys.stderr)
                break
            print(line, file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(page, encoding="utf-8")
    print(f"wrote {args.output} ({len(scenarios)} scenarios)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
