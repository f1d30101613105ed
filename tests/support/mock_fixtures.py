"""pytest fixtures that start smtp-mock, shared by the e2e and interop suites."""

import pytest

from mock_process import MockProcess


@pytest.fixture
def start_mock():
    """Starts smtp-mock with extra arguments; every mock started is stopped at the end."""
    started = []

    def start(*args):
        m = MockProcess(args)
        started.append(m)
        return m

    yield start
    for m in started:
        m.stop()


@pytest.fixture
def mock(start_mock):
    """A healthy smtp-mock on ephemeral ports."""
    return start_mock()
