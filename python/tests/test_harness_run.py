"""smtp_harness.run(): the harness matrix from Python, verdicts as objects."""

import pytest

from smtp_harness import HarnessError, run


def test_run_returns_the_verdicts_of_the_built_in_probe():
    report = run(scenarios=["healthy", "banner-421"], jobs=2, seed=1)
    assert report.ok and report.unexpected == 0
    assert sorted(v.scenario for v in report.verdicts) == ["banner-421", "healthy"]
    assert report.verdict("healthy").verdict == "passed"
    banner = report.verdict("banner-421")
    assert (banner.verdict, banner.as_expected) == ("caught", True)
    assert banner.observed["status"] == "CRITICAL" and banner.observed["phase"] == "banner"
    assert report.summary["caught"] == 1 and report.summary["passed"] == 1


def test_a_run_that_cannot_start_raises_with_the_reason():
    with pytest.raises(HarnessError, match="no-such-scenario") as e:
        run(scenarios=["no-such-scenario"])
    assert e.value.exit_code == 2
