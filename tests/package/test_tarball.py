"""`cpack -G TGZ` gives smtp-harness-<version>-linux-x86_64.tar.gz, whose programs need nothing
beyond the C and C++ runtime: ldd finds every other library inside the tarball, and the programs
run in a root directory that holds only that runtime (copied from this machine) and the unpacked
tarball; its Python package finds the smtp-mock it is shipped with."""

import os
import re
import shutil
import subprocess
import sys
import textwrap

import pytest

from packages import BUILD, PROGRAMS, cpack, run, version

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))

from mock_process import MockProcess  # noqa: E402

# The C and C++ runtime, which every Linux system with a C++ compiler's runtime has.
RUNTIME = re.compile(r"(ld-linux-x86-64|libc|libm|libstdc\+\+|libgcc_s|libpthread|"
                     r"libdl|librt)\.so")
INSIDE = "/opt/smtp-harness"


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    # The portable programs are built on request; from a built tree that is three links.
    run(["cmake", "--build", BUILD, "--target", "portable"], timeout=900)
    return cpack("TGZ", tmp_path_factory.mktemp("tgz"), "smtp-harness-*-linux-x86_64.tar.gz")


@pytest.fixture(scope="module")
def tree(tarball, tmp_path_factory):
    where = tmp_path_factory.mktemp("unpacked")
    run(["tar", "-xzf", tarball, "-C", str(where)])
    [top] = where.iterdir()
    return top


def libraries(program):
    """(name, resolved path or None) of each shared library ldd says `program` loads."""
    found = []
    for line in run(["ldd", str(program)]).splitlines():
        m = re.match(r"\s*(\S+)(?: => (\S+))?", line)
        name, path = m.group(1), m.group(2)
        if name.startswith("linux-vdso"):
            continue  # provided by the kernel, no file
        if path is None and name.startswith("/"):
            path = name
        found.append((os.path.basename(name), None if path == "not" else path))
    return found


def test_its_name_and_the_files_a_user_needs(tarball, tree):
    assert os.path.basename(tarball) == f"smtp-harness-{version()}-linux-x86_64.tar.gz"
    assert tree.name == f"smtp-harness-{version()}-linux-x86_64"
    for path in (["bin/" + p for p in PROGRAMS] + [f"share/man/man1/{p}.1" for p in PROGRAMS] +
                 ["share/smtp-harness/catalog/ehlo-switches.yaml",
                  "share/doc/smtp-harness/python.md",
                  "share/doc/smtp-harness/examples/pytest/test_mailer.py",
                  "lib/python3/dist-packages/smtp_harness/pytest_plugin.py"]):
        assert (tree / path).is_file(), path
    # systemd units name /usr/bin: they belong to the Debian package only.
    assert not (tree / "lib/systemd").exists()


def test_ldd_finds_nothing_but_the_c_and_cxx_runtime_outside_the_tarball(tree):
    bundled = set()
    for program in PROGRAMS:
        for name, path in libraries(tree / "bin" / program):
            assert path, f"{program}: {name} not found"
            if path.startswith(str(tree) + "/"):
                bundled.add(name)
            else:
                assert RUNTIME.match(name), f"{program} needs {name} from {path}"
    # What Debian ships no static archive of is beside the programs, found through the rpath.
    assert "libfmt.so.9" in bundled
    # And nothing else is: every library file in lib/ is one of those.
    assert ({os.path.realpath(tree / "lib" / name) for name in bundled} ==
            {str(p) for p in (tree / "lib").glob("*.so*") if not p.is_symlink()})


@pytest.fixture(scope="module")
def root(tree, tmp_path_factory):
    """A root directory holding the unpacked tarball in /opt/smtp-harness and nothing else but
    the C and C++ runtime the programs load, copied from this machine."""
    if os.geteuid() != 0:
        pytest.skip("running the tarball in a chroot needs root (CI runs as root)")
    where = tmp_path_factory.mktemp("root")
    shutil.copytree(tree, str(where) + INSIDE, symlinks=True)
    for directory in ("proc", "tmp"):
        (where / directory).mkdir()
    for program in PROGRAMS:
        for name, path in libraries(tree / "bin" / program):
            if path and not path.startswith(str(tree) + "/"):
                target = str(where) + path
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copy(path, target)
    return where


def in_root(root):
    """A command prefix that runs the rest of its arguments chrooted into `root`, with /proc
    mounted there in a mount namespace of its own (so nothing is left mounted afterwards)."""
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c",
            'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"', str(root)]


def test_the_programs_run_where_only_the_c_and_cxx_runtime_is(root):
    env = {k: v for k, v in os.environ.items() if k != "SMTPH_CATALOG_DIR"}
    libs = {p.name for p in root.rglob("*.so*") if not str(p).startswith(str(root) + INSIDE)}
    assert "libyaml-cpp.so.0.7" not in libs and "libfmt.so.9" not in libs
    mock = MockProcess(binary=f"{INSIDE}/bin/smtp-mock", launcher=in_root(root))
    try:
        probe = subprocess.run(
            in_root(root) + [f"{INSIDE}/bin/smtp-probe", "--starttls", "--insecure",
                             f"{mock.host}:{mock.port}"],
            capture_output=True, text=True, timeout=60, env=env)
        assert probe.returncode == 0 and re.match(r"\S+: OK in ", probe.stdout), probe
        assert mock.api_json("GET", "/api/v1/stats")["connections"]["accepted"] >= 1
    finally:
        assert mock.stop() == 0, mock.stderr
    # The harness reads the catalog shipped beside it, as the installed one does.
    listing = run(in_root(root) + [f"{INSIDE}/bin/smtp-harness", "list"], env=env)
    assert re.search(r"^ *ehlo-switches ", listing, re.M), listing


def test_the_python_package_finds_the_smtp_mock_it_is_shipped_with(tree, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("SMTP_MOCK", "SMTPH_CATALOG_DIR")}
    env["PATH"] = str(tmp_path)  # nothing named smtp-mock on it
    env["PYTHONPATH"] = str(tree / "lib/python3/dist-packages")
    script = textwrap.dedent("""\
        import smtplib
        from smtp_harness import SmtpMock
        with SmtpMock() as mock:
            print(mock.binary)
            with smtplib.SMTP(*mock.smtp_address, timeout=10) as s:
                s.sendmail("app@example.com", ["ann@example.org"], "Subject: hi\\r\\n\\r\\nhi\\r\\n")
            [mail] = mock.wait_for_messages(1)
            print(mail.subject)
        """)
    out = run(["/usr/bin/python3", "-c", script], env=env, cwd=tmp_path)
    assert out.split("\n")[:2] == [str(tree / "bin/smtp-mock"), "hi"], out
