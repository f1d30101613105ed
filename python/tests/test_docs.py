"""docs/python.md shows the example suite as it is: every test function of its pytest example
is in docs/examples/pytest/test_mailer.py, which ctest runs."""

import os

ROOT = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir)


def read(*path):
    with open(os.path.join(ROOT, *path), encoding="utf-8") as f:
        return f.read()


def test_the_pytest_example_of_the_docs_is_the_tested_suite():
    doc = read("docs", "python.md")
    example = doc.split("## With pytest", 1)[1].split("```python\n", 1)[1].split("\n```", 1)[0]
    functions = example.split("\n\n\n")[1:]
    suite = read("docs", "examples", "pytest", "test_mailer.py")
    assert len(functions) == 3
    for function in functions:
        assert function.strip() in suite
