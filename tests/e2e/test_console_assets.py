"""The web console's files and the catalog are compiled into smtp-mock (issue 16): served at /
with a strict Content-Security-Policy, the ready line names the console, and every catalog
scenario comes with its explanation and a YAML that PUT /api/v1/scenario applies."""

import os


def test_the_console_is_served_from_the_binary_with_a_strict_policy(mock):
    assert mock.ready["console"] == f"http://{mock.control}/"
    status, headers, body = mock.http("GET", "/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert b'<script type="module" src="/console/console.js">' in body
    policy = headers["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert "access-control-allow-origin" not in headers
    for name, kind in (("console.js", "text/javascript"), ("smtp_meaning.js", "text/javascript"),
                       ("dom.js", "text/javascript"), ("learn.js", "text/javascript"),
                       ("console.css", "text/css")):
        status, headers, body = mock.http("GET", f"/console/{name}")
        assert status == 200 and headers["content-type"].startswith(kind), (name, headers)
        source = os.path.join(os.environ["SMTPH_SOURCE_DIR"], "mockserver", "console", name)
        assert body == open(source, "rb").read()
    status, headers, body = mock.http("GET", "/console/smtp-primer.md")
    assert status == 200 and headers["content-type"].startswith("text/markdown")
    primer = os.path.join(os.environ["SMTPH_SOURCE_DIR"], "docs", "smtp-primer.md")
    assert body == open(primer, "rb").read()
    status, _, _ = mock.http("GET", "/console/missing.js")
    assert status == 404


def test_the_catalog_is_compiled_in_and_each_scenario_applies(mock):
    catalog = mock.api_json("GET", "/api/v1/catalog")["scenarios"]
    folder = os.path.join(os.environ["SMTPH_SOURCE_DIR"], "faults", "catalog")
    assert sorted(s["name"] + ".yaml" for s in catalog) == sorted(os.listdir(folder))
    for s in catalog:
        assert s["summary"] and s["description"], s["name"]
    chosen = next(s for s in catalog if s["name"] == "rcpt-550-unknown-user")
    applied = mock.api_json("PUT", "/api/v1/scenario", chosen["yaml"].encode(),
                            {"Content-Type": "application/yaml"})
    assert applied["name"] == "rcpt-550-unknown-user"
