"""`pip install ./python` into a fresh venv gives a working package whose pytest plugin registers
itself (entry point pytest11): the example suite then runs with no `-p` option, as a user runs
it. No package index is used (the package needs none)."""

import os
import shutil
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir)


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=300, **kw)


def test_pip_install_into_a_venv_registers_the_plugin(tmp_path):
    source = tmp_path / "python"
    shutil.copytree(os.path.join(ROOT, "python"), source,
                    ignore=shutil.ignore_patterns("tests", "build", "*.egg-info", "__pycache__"))
    venv = tmp_path / "venv"
    # System site packages: pytest and pytest-xdist come from Debian, not from an index.
    made = run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)])
    assert made.returncode == 0, made.stderr
    python = str(venv / "bin" / "python")
    pip = run([python, "-m", "pip", "install", "--no-index", "--no-build-isolation",
               str(source)])
    assert pip.returncode == 0, pip.stdout + pip.stderr
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    suite = os.path.join(ROOT, "docs", "examples", "pytest")
    result = run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", suite],
                 env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 passed" in result.stdout
    where = run([python, "-c", "import smtp_harness; print(smtp_harness.__file__)"], env=env,
                cwd=tmp_path)
    assert where.stdout.startswith(str(venv)), where.stdout


def test_a_package_laid_out_beside_bin_finds_the_programs_there(tmp_path):
    """As the portable tarball and the Debian package lay it out: PREFIX/bin holds the programs,
    PREFIX/lib/python3/dist-packages the package; with neither SMTP_MOCK nor a PATH that has
    them, the package runs PREFIX/bin's."""
    packages = tmp_path / "lib" / "python3" / "dist-packages"
    shutil.copytree(os.path.join(ROOT, "python", "smtp_harness"), packages / "smtp_harness",
                    ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "bin").mkdir()
    for name, variable in (("smtp-mock", "SMTP_MOCK"), ("smtp-harness", "SMTP_HARNESS")):
        os.symlink(os.environ[variable], tmp_path / "bin" / name)
    env = {k: v for k, v in os.environ.items() if k not in ("SMTP_MOCK", "SMTP_HARNESS")}
    env.update(PATH=str(tmp_path / "empty"), PYTHONPATH=str(packages))
    script = ("from smtp_harness import SmtpMock, find_binary, harness\n"
              "print(find_binary()); print(harness.find_harness())\n"
              "with SmtpMock() as m: print(m.stats()['connections'])\n")
    found = run([sys.executable, "-c", script], env=env, cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    lines = found.stdout.splitlines()
    assert lines[:2] == [str(tmp_path / "bin" / "smtp-mock"),
                         str(tmp_path / "bin" / "smtp-harness")]
    assert lines[2], found.stdout
    os.unlink(tmp_path / "bin" / "smtp-mock")
    missing = run([sys.executable, "-c", "from smtp_harness import SmtpMock; SmtpMock()"],
                  env=env, cwd=tmp_path)
    assert "smtp-mock not found" in missing.stderr, missing.stderr
