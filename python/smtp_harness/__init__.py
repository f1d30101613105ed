"""Drive smtp-mock from Python tests.

    from smtp_harness import SmtpMock

    with SmtpMock() as mock:
        with mock.fault("rcpt-550-unknown-user"):
            ...  # your code sends to mock.smtp_address and sees 550
        mock.assert_no_message(within=0.5)

The pytest plugin (`smtp_mock` fixture, `@pytest.mark.smtp_fault`) is in
smtp_harness.pytest_plugin and registers itself when the package is installed.
"""

from .api import ApiError
from .harness import HarnessError, Report, Verdict, run
from .mock import SmtpMock, fault_address, find_binary, find_catalog
from .records import Message, Session, TranscriptLine

__all__ = ["ApiError", "HarnessError", "Message", "Report", "Session", "SmtpMock",
           "TranscriptLine", "Verdict", "fault_address", "find_binary", "find_catalog", "run"]
