"""pytest plugin of smtp-harness (registered through the `pytest11` entry point).

Fixtures:
  smtp_mock_session  one smtp-mock per test session (per worker under pytest-xdist), as is
  smtp_mock          the same mock, reset before each test (healthy, no rules, no messages,
                     no sessions), with the test's `smtp_fault` marker in force

Marker:
  @pytest.mark.smtp_fault("banner-missing")   a catalog name, a YAML text or a dict

When a test that used `smtp_mock` fails, the transcripts of the sessions it caused are added to
its report ("smtp-mock sessions").
"""

import pytest

from .mock import SmtpMock

_mock_key = pytest.StashKey()


def pytest_addoption(parser):
    group = parser.getgroup("smtp-mock")
    group.addoption("--smtp-mock", metavar="PATH", default=None,
                    help="the smtp-mock program (default: $SMTP_MOCK, then PATH, then "
                         "the one shipped with this package)")
    group.addoption("--smtp-mock-seed", metavar="N", type=int, default=None,
                    help="seed of the mock's random fault draws (default: the mock picks one)")
    parser.addini("smtp_mock_args", type="args", default=[],
                  help="extra smtp-mock arguments, e.g. --hostname mx.test --pop3 127.0.0.1:0")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "smtp_fault(scenario): put a fault scenario in force for this test "
        "(catalog name, YAML text or dict); the smtp_mock fixture applies it")


@pytest.fixture(scope="session")
def smtp_mock_session(request):
    """One smtp-mock on ephemeral loopback ports for the whole session (each pytest-xdist
    worker gets its own)."""
    config = request.config
    mock = SmtpMock(config.getoption("smtp_mock"), seed=config.getoption("smtp_mock_seed"),
                    args=config.getini("smtp_mock_args"))
    with mock:
        yield mock


@pytest.fixture
def smtp_mock(smtp_mock_session, request):
    """The session's smtp-mock, reset for this test, with its `smtp_fault` marker in force."""
    mock = smtp_mock_session
    mock.reset()
    request.node.stash[_mock_key] = mock
    marker = request.node.get_closest_marker("smtp_fault")
    if marker:
        mock.set_scenario(marker.args[0])
    yield mock


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    mock = item.stash.get(_mock_key, None)
    if mock is None or not report.failed or report.when != "call":
        return
    try:
        text = mock.transcripts() or "(no SMTP session)"
    except Exception as e:  # the mock may be what broke; the report must still be written
        text = f"(the sessions could not be read: {e})"
    report.sections.append(("smtp-mock sessions", text))
