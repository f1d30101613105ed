"""What the package tests share: the build tree they package, and cpack run in it."""

import glob
import os
import re
import subprocess

BUILD = os.environ["SMTPH_BUILD_DIR"]
SOURCE = os.environ["SMTPH_SOURCE_DIR"]
PROGRAMS = ["smtp-mock", "smtp-probe", "smtp-harness"]


def run(argv, timeout=300, **kw):
    """Runs `argv`; returns its output, failing the test with its output when it fails."""
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, **kw)
    assert done.returncode == 0, f"{argv}: {done.stdout}{done.stderr}"
    return done.stdout


def version():
    """The project's version, as CMakeLists.txt declares it."""
    project = open(os.path.join(SOURCE, "CMakeLists.txt")).read()
    return re.search(r"project\(\w+ VERSION ([0-9.]+)", project).group(1)


def cpack(generator, out, pattern):
    """Packages the build tree with cpack's `generator` into the folder `out`; returns the path
    of the one file there matching `pattern`."""
    run(["cpack", "-G", generator, "--config", os.path.join(BUILD, "CPackConfig.cmake"),
         "-B", str(out)], cwd=BUILD)
    [path] = glob.glob(os.path.join(str(out), pattern))
    return path
