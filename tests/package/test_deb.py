"""`cpack -G DEB` gives smtp-harness_<version>_amd64.deb with the three programs, their man
pages, the catalog, the docs and examples, the Python package with its pytest plugin, and
systemd units; unpacked, its programs run and the example pytest suite passes against them,
finding everything through PATH and the package's own layout."""

import os

import pytest

from packages import PROGRAMS, cpack, run, version


@pytest.fixture(scope="module")
def deb(tmp_path_factory):
    return cpack("DEB", tmp_path_factory.mktemp("deb"), "smtp-harness_*_amd64.deb")


@pytest.fixture(scope="module")
def root(deb, tmp_path_factory):
    where = tmp_path_factory.mktemp("root")
    run(["dpkg-deb", "-x", deb, str(where)])
    return where


def test_name_version_and_dependencies_from_the_linked_libraries(deb):
    assert os.path.basename(deb) == f"smtp-harness_{version()}_amd64.deb"
    depends = run(["dpkg-deb", "-f", deb, "Depends"])
    for library in ("libc6", "libstdc++6", "libssl3", "libyaml-cpp0.7", "libfmt9"):
        assert library in depends, depends


def test_the_files_a_user_needs(deb):
    files = run(["dpkg-deb", "-c", deb])
    for path in (["./usr/bin/" + p for p in PROGRAMS] +
                 [f"./usr/share/man/man1/{p}.1" for p in PROGRAMS] +
                 ["./usr/share/smtp-harness/catalog/banner-missing.yaml",
                  "./usr/share/doc/smtp-harness/api.md",
                  "./usr/share/doc/smtp-harness/examples/pytest/test_mailer.py",
                  "./usr/lib/python3/dist-packages/smtp_harness/pytest_plugin.py",
                  "./usr/lib/python3/dist-packages/smtp_harness-",
                  "./usr/lib/systemd/system/smtp-mock.service",
                  "./usr/lib/systemd/system/smtp-probe-watch.service"]):
        assert path in files, path
    # The units are shipped, never enabled: no maintainer script links them.
    assert "postinst" not in run(["dpkg-deb", "-I", deb])


def test_the_programs_run_and_have_man_pages(root):
    for program in PROGRAMS:
        assert "Usage" in run([str(root / "usr/bin" / program), "--help"])
        page = (root / "usr/share/man/man1" / f"{program}.1").read_text()
        assert page.startswith(".\\\" DO NOT MODIFY THIS FILE!") and ".SH DESCRIPTION" in page


def test_the_installed_harness_reads_the_installed_catalog(root, tmp_path):
    catalog = root / "usr/share/smtp-harness/catalog"
    text = (catalog / "banner-missing.yaml").read_text()
    (catalog / "only-in-the-package.yaml").write_text(
        text.replace("name: banner-missing", "name: only-in-the-package"))
    try:
        env = {k: v for k, v in os.environ.items() if k != "SMTPH_CATALOG_DIR"}
        listed = run([str(root / "usr/bin/smtp-harness"), "list"], env=env, cwd=tmp_path)
        assert "only-in-the-package" in listed
    finally:
        (catalog / "only-in-the-package.yaml").unlink()


def test_the_example_suite_passes_against_the_unpacked_package(root, tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("SMTP_MOCK", "SMTPH_CATALOG_DIR", "PYTHONPATH")}
    env["PATH"] = f"{root}/usr/bin:{env['PATH']}"
    env["PYTHONPATH"] = str(root / "usr/lib/python3/dist-packages")
    suite = root / "usr/share/doc/smtp-harness/examples/pytest"
    # No -p: the plugin registers itself through the package's entry point.
    out = run(["/usr/bin/python3", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
               str(suite)], env=env, cwd=tmp_path)
    assert "6 passed" in out
