"""A real Prometheus (Debian's `prometheus`) scrapes smtp-probe exporter through the scrape
configuration of docs/examples/prometheus/prometheus.yml, unchanged but for the addresses and
intervals, against a healthy mock and mocks with catalog faults. The series are read back through
Prometheus's query API; the documented rules load and SMTPDown is pending for each failure. The
sharding of docs/examples/prometheus/prometheus-sharded.yml runs with two exporters: each target
is probed only by the exporter its hashmod shard names."""

import copy
import hashlib
import json
import os
import urllib.parse
import urllib.request

import pytest
import yaml

from daemon_process import http_daemon
from exporter_process import ExporterProcess
from mock_process import MockProcess, free_port
from waiting import wait_for

SOURCE = os.environ.get("SMTPH_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
EXAMPLES = os.path.join(SOURCE, "docs", "examples", "prometheus")
CATALOG = os.path.join(SOURCE, "faults", "catalog")

# Which mock each job of the documented configuration probes, and what it must report.
JOBS = {
    "smtp_banner": {"healthy": None, "banner-missing": ("timeout", "banner"),
                    "ehlo-421": ("temp_failure", "ehlo")},
    "smtp_send": {"rcpt-550-unknown-user": ("perm_failure", "rcpt")},
    "smtp_starttls": {"starttls-cert-expired": ("tls_error", "tls")},
}


@pytest.fixture(scope="module")
def mocks():
    names = [name for job in JOBS.values() for name in job]
    started = {n: MockProcess(["--scenario", os.path.join(CATALOG, n + ".yaml")]) for n in names}
    yield started
    for m in started.values():
        m.stop()


@pytest.fixture(scope="module")
def exporter():
    e = ExporterProcess(os.path.join(EXAMPLES, "exporter-modules.yml"))
    yield e
    assert e.stop() == 0, e.stderr


@pytest.fixture(scope="module")
def shard_exporters(tmp_path_factory):
    """Two exporters whose smtp_banner module greets as shard0 and shard1, so the mocks' sessions
    tell which exporter probed them."""
    work = tmp_path_factory.mktemp("shards")
    started = []
    for shard in (0, 1):
        modules = work / f"shard{shard}.yml"
        modules.write_text(f"modules:\n  smtp_banner: {{helo: shard{shard}, timeout: 5s}}\n")
        started.append(ExporterProcess(modules))
    yield started
    for e in started:
        assert e.stop() == 0, e.stderr


def hashmod(text, modulus):
    """Prometheus's hashmod relabel action: the low 8 bytes of the MD5 sum, mod `modulus`."""
    return int.from_bytes(hashlib.md5(text.encode()).digest()[8:], "big") % modulus


def sharded_job(mocks, shard_exporters):
    """The job of docs/examples/prometheus/prometheus-sharded.yml over every mock, its shards'
    replacements pointed at the two exporters; renamed so the rules' job=~"smtp_.*" skips it."""
    with open(os.path.join(EXAMPLES, "prometheus-sharded.yml")) as f:
        job = yaml.safe_load(f)["scrape_configs"][0]
    job["job_name"] = "sharded_smtp"
    job["static_configs"] = [{"targets": [f"{m.host}:{m.port}" for m in mocks.values()]}]
    shards = [r for r in job["relabel_configs"] if r.get("target_label") == "__address__"]
    assert [r["regex"] for r in shards] == ["0", "1"]
    for rule, e in zip(shards, shard_exporters):
        rule["replacement"] = e.address
    return job


def scrape_config(mocks, exporter, shard_exporters):
    """docs/examples/prometheus/prometheus.yml with the mocks as targets, the exporter's address
    and short intervals; the relabelling is left as documented."""
    with open(os.path.join(EXAMPLES, "prometheus.yml")) as f:
        config = yaml.safe_load(f)
    config["global"] = {"scrape_interval": "2s", "scrape_timeout": "2s",
                        "evaluation_interval": "1s"}
    config["rule_files"] = [os.path.join(EXAMPLES, "rules.yml")]
    for job in config["scrape_configs"]:
        name = job["job_name"]
        if name in JOBS:
            job["static_configs"] = [{"targets": [f"{mocks[m].host}:{mocks[m].port}"
                                                  for m in JOBS[name]]}]
            relabel = copy.deepcopy(job["relabel_configs"])
            assert relabel[-1]["target_label"] == "__address__"
            relabel[-1]["replacement"] = exporter.address
            job["relabel_configs"] = relabel
        else:
            job["static_configs"] = [{"targets": [exporter.address]}]
    config["scrape_configs"].append(sharded_job(mocks, shard_exporters))
    return config


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory, mocks, exporter, shard_exporters):
    work = tmp_path_factory.mktemp("prometheus")
    (work / "prometheus.yml").write_text(yaml.safe_dump(scrape_config(mocks, exporter, shard_exporters)))
    base = f"http://127.0.0.1:{free_port()}"
    with http_daemon("prometheus", ["--config.file", str(work / "prometheus.yml"),
                                    "--storage.tsdb.path", str(work / "data"),
                                    "--web.listen-address", base.removeprefix("http://")],
                     base + "/-/ready", work / "prometheus.log", package="prometheus",
                     timeout=30, grace=15, cwd=work):
        yield base


def query(base, expr):
    url = base + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=10) as r:
        answer = json.load(r)
    assert answer["status"] == "success", answer
    return answer["data"]["result"]


def by_instance(result):
    return {s["metric"]["instance"]: s for s in result}


def test_prometheus_sees_success_and_the_failure_labels(prometheus, mocks):
    instance = {name: f"{m.host}:{m.port}" for name, m in mocks.items()}
    ours = '{job=~"smtp_.*"}'
    assert wait_for(lambda: len(query(prometheus, "probe_success" + ours)) == len(mocks), 60), \
        query(prometheus, "up")
    success = by_instance(query(prometheus, "probe_success" + ours))
    failures = by_instance(query(prometheus, "probe_smtp_failure" + ours))
    for job, scenarios in JOBS.items():
        for name, expected in scenarios.items():
            series = success[instance[name]]
            assert series["metric"]["job"] == job
            assert series["value"][1] == ("1" if expected is None else "0"), (name, series)
            if expected is None:
                assert instance[name] not in failures
            else:
                labels = failures[instance[name]]["metric"]
                assert (labels["kind"], labels["phase"]) == expected, (name, labels)
    # Every scrape came back: a failing SMTP service is not a failing scrape.
    up = query(prometheus, 'up{job=~"smtp_.*"}')
    assert {s["value"][1] for s in up} == {"1"}, up


def test_the_documented_rules_turn_each_failure_into_a_pending_smtpdown(prometheus, mocks):
    failing = {f"{m.host}:{m.port}" for name, m in mocks.items() if name != "healthy"}

    def pending():
        url = prometheus + "/api/v1/alerts"
        with urllib.request.urlopen(url, timeout=10) as r:
            alerts = json.load(r)["data"]["alerts"]
        return {a["labels"]["instance"] for a in alerts
                if a["labels"]["alertname"] == "SMTPDown" and a["state"] == "pending"}

    assert wait_for(lambda: pending() == failing, 60), (pending(), failing)


def greeted_as(mock):
    """The EHLO names the mock's sessions were greeted with."""
    sessions = mock.api_json("GET", "/api/v1/sessions?since=0&limit=1000")["sessions"]
    names = set()
    for s in sessions:
        for line in s.get("transcript", []):
            words = line.get("text", "").split()
            if line.get("dir") == "C" and len(words) == 2 and words[0].upper() == "EHLO" \
                    and words[1].startswith("shard"):
                names.add(words[1])
    return names


def test_hashmod_shards_each_target_onto_one_exporter(prometheus, mocks):
    expected = {name: f"shard{hashmod(f'{m.host}:{m.port}', 2)}" for name, m in mocks.items()}
    assert wait_for(lambda: len(query(prometheus, 'probe_success{job="sharded_smtp"}'))
                    == len(mocks), 60), query(prometheus, 'up{job="sharded_smtp"}')
    instances = {s["metric"]["instance"]
                 for s in query(prometheus, 'probe_success{job="sharded_smtp"}')}
    assert instances == {f"{m.host}:{m.port}" for m in mocks.values()}
    for name, m in mocks.items():
        if name == "banner-missing":
            continue  # never greeted: no banner came
        assert wait_for(lambda m=m: expected[name] in greeted_as(m), 30), (name, greeted_as(m))
        assert greeted_as(m) == {expected[name]}, (name, greeted_as(m), expected[name])
