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


def running_mock(*args):
    """For a module-scoped fixture (`yield from running_mock(...)`): one smtp-mock with these
    arguments for the whole module, which must stop cleanly at its end."""
    m = MockProcess(args)
    yield m
    assert m.stop() == 0, m.stderr


@pytest.fixture
def mock(start_mock):
    """A healthy smtp-mock on ephemeral ports."""
    return start_mock()
