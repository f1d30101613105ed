"""The `dovecot` pytest fixture: a private Dovecot (see rig.py) per test, stopped afterwards."""

import os
import shutil

import pytest

from rig import DovecotRig


@pytest.fixture
def dovecot():
    """A started DovecotRig: .url(scheme), .deliver(bytes), .messages(), .ports, .maildir."""
    if os.geteuid() != 0:
        pytest.fail("the Dovecot rig needs root (Dovecot drops privileges itself)")
    if not shutil.which("dovecot", path="/usr/sbin:/usr/bin"):
        pytest.fail("dovecot is not installed (Debian: dovecot-imapd dovecot-pop3d)")
    rig = DovecotRig().start()
    try:
        yield rig
    finally:
        log = rig.log()
        rig.cleanup()
        if "Panic" in log or "Fatal" in log:
            print(log)
