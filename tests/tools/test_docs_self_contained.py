"""The user documentation stands on its own: no page, scenario description or shipped example
sends a reader to a file that is not part of this repository."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTSIDE = re.compile(r"DESIGN\.md|STYLE\.md|shared/")


def documents():
    yield ROOT / "README.md"
    yield from sorted((ROOT / "docs").rglob("*.md"))
    yield from sorted((ROOT / "docs" / "examples").glob("*.y*ml"))
    yield from sorted((ROOT / "faults" / "catalog").glob("*.yaml"))


def test_no_document_cites_a_file_outside_the_repository():
    found = []
    for path in documents():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if OUTSIDE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)


def test_the_scan_sees_the_documents():
    names = {p.name for p in documents()}
    assert {"README.md", "harness.md", "faults.md", "quit-drop.yaml"} <= names
