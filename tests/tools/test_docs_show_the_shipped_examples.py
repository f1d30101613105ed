"""Where a page of docs/ shows a file of docs/examples/ ("`docs/examples/NAME`:" and then a
YAML block), the block says what the shipped file says (comments aside), so the two cannot drift."""

import pathlib
import re

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHOWN = re.compile(r"`(docs/examples/[\w./-]+\.ya?ml)`:\s*\n+```ya?ml\n(.*?)```", re.S)


def shown_examples():
    for page in sorted((ROOT / "docs").glob("*.md")):
        for m in SHOWN.finditer(page.read_text()):
            yield pytest.param(m.group(1), m.group(2), id=f"{page.name}:{m.group(1)}")


@pytest.mark.parametrize("path,block", list(shown_examples()))
def test_the_page_shows_the_shipped_file(path, block):
    shipped = yaml.safe_load((ROOT / path).read_text())
    assert yaml.safe_load(block) == shipped, f"{path} differs from what the page shows"


def test_the_pages_show_examples():
    assert len(list(shown_examples())) >= 2
