"""docs/api.md's access-rule examples are real: every `$ curl` of that section is sent to a live
mock (the port of the docs replaced by the mock's), and the answer must be the one printed."""

import http.client
import os
import re
import shlex

import pytest

DOC = os.path.join(os.environ.get("SMTPH_SOURCE_DIR", "."), "docs", "api.md")


def access_rule_examples():
    text = open(DOC, encoding="utf-8").read()
    section = text.split("## Access rules", 1)[1].split("\n## ", 1)[0]
    block = section.split("```\n$ curl", 1)[1].split("\n```", 1)[0]
    lines = ("$ curl" + block).replace("\\\n", " ").splitlines()
    examples = []
    for i, line in enumerate(lines):
        if not line.startswith("$ curl"):
            continue
        answer = []
        for follow in lines[i + 1:]:
            if follow.startswith("$ "):
                break
            answer.append(follow)
        examples.append((line[2:], [a for a in answer if a.strip()]))
    return examples


def parse_curl(command):
    """The method, path, headers and body of one of the doc's curl commands."""
    words = shlex.split(command.split("  #")[0])
    method, headers, body, url = "GET", {}, None, None
    it = iter(words[1:])
    for w in it:
        if w == "-X":
            method = next(it)
        elif w == "-H":
            name, value = next(it).split(":", 1)
            headers[name.strip()] = value.strip()
        elif w == "--data-binary":
            body = next(it)
        elif not w.startswith("-"):
            url = w
    path = re.sub(r"^http://127\.0\.0\.1:8025", "", url)
    return method, path, headers, body


def send(address, method, path, body, headers):
    """The request exactly as curl sends it: nothing added but Host (unless given)."""
    host, port = address.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.putrequest(method, path, skip_host="Host" in headers, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        data = body.encode() if body is not None else None
        if data is not None:
            conn.putheader("Content-Length", str(len(data)))
        conn.endheaders(data)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


EXAMPLES = access_rule_examples()


def test_the_section_has_examples_of_every_refusal():
    codes = " ".join(" ".join(answer) for _, answer in EXAMPLES)
    for code in ("host_not_allowed", "cross_origin", "unsupported_media_type",
                 "bad_transfer_encoding", "unauthorized"):
        assert f'"code":"{code}"' in codes, code


@pytest.mark.parametrize("command,answer", EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_each_example_answers_as_documented(start_mock, command, answer):
    m = start_mock("--control-token", "s3cret") if "--control-token s3cret" in command \
        else start_mock()
    port = m.control.rsplit(":", 1)[1]
    method, path, headers, body = parse_curl(command)
    headers = {k: v.replace(":8025", ":" + port) for k, v in headers.items()}
    status, got_headers, data = send(m.control, method, path, body, headers)
    status_lines = [a for a in answer if a.startswith("HTTP/1.1 ")]
    if status_lines:
        assert status_lines[0].split()[1] == str(status)
        for a in answer[1:]:
            if ":" in a and not a.startswith("{"):
                name, value = a.split(":", 1)
                if name.lower() not in ("content-length",):
                    assert got_headers.get(name.lower()) == value.strip(), a
    printed = answer[-1]
    if '"error"' in printed:
        assert data.decode().strip().replace(":" + port, ":8025") == printed
    else:
        assert status == 200 and data.startswith(b"{")
