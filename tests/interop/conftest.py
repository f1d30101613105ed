"""Fixtures of this suite. Shared ones live in tests/support; add suite-specific ones below."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))

from mock_fixtures import mock, start_mock  # noqa: E402,F401

# Round-trip verification (verify): a private Dovecot, see tests/interop/dovecot/rig.py.
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "dovecot"))

from dovecot_fixture import dovecot  # noqa: E402,F401
