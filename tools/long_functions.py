#!/usr/bin/python3
"""List the C++ functions that are longer than a limit, longest first.

    /usr/bin/python3 tools/long_functions.py                   # functions over 80 lines
    /usr/bin/python3 tools/long_functions.py --lines 60 prober # another limit, one folder
    /usr/bin/python3 tools/long_functions.py --allow 5         # exit 1 when more than 5 are listed

A function's length runs from the first line of its declarator (the line with its name, after
any `template <...>` line) to its closing brace, both included, the way an editor shows it.
Lambdas and local classes count as part of the function they are written in. By default the
project's sources are scanned and tests/ (including the fuzz targets) and build trees are left
out.

The scanner reads C++ as tokens: comments, string and character literals (raw strings
included) and preprocessor lines are skipped, so braces inside them do not count. A `{` opens a
function body when the text before it at namespace or class scope is a declarator: a name, a
parameter list, then qualifiers, a trailing return type or a constructor's member initialisers.
"""

import argparse
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCE_SUFFIXES = {".cpp", ".hpp", ".cc", ".h", ".ipp"}
SKIPPED_DIRS = {"tests", "build", ".git"}

TOKEN = re.compile(
    r"""
    (?P<newline>\n)
  | (?P<space>[ \t\r\f\v]+)
  | (?P<line_comment>//[^\n]*)
  | (?P<block_comment>/\*.*?\*/)
  | (?P<raw_string>(?:u8|[uUL])?R"(?P<delim>[^()\\ \t\n]{0,16})\(.*?\)(?P=delim)")
  | (?P<string>(?:u8|[uUL])?"(?:[^"\\\n]|\\.)*")
  | (?P<char>(?:u8|[uUL])?'(?:[^'\\\n]|\\.)*')
  | (?P<number>\.?\d(?:[\w.']|[eEpP][+-])*)
  | (?P<word>[A-Za-z_]\w*)
  | (?P<punct>::|->|<=>|<<=|>>=|<<|==|!=|<=|>=|&&|\|\||[{}()\[\];,<>=:~!%^&*|+\-/.?\#@$\\])
    """,
    re.VERBOSE | re.DOTALL,
)

QUALIFIERS = {"const", "noexcept", "override", "final", "mutable", "volatile", "&", "&&",
              "constexpr", "try", "requires"}
TYPE_KEYWORDS = {"class", "struct", "union", "enum"}


def tokens(text):
    """Yields (kind, text, line) for the tokens that matter, skipping preprocessor lines."""
    line = 1
    at_line_start = True
    in_directive = False
    pos = 0
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if m is None:  # a stray byte: step over it
            pos += 1
            continue
        kind = m.lastgroup
        value = m.group(kind)
        pos = m.end()
        if kind == "newline":
            # A directive ends at a newline not escaped by a backslash.
            if not (in_directive and text[m.start() - 1:m.start()] == "\\"):
                in_directive = False
            line += 1
            at_line_start = True
            continue
        newlines = value.count("\n")
        if kind in ("space", "line_comment", "block_comment"):
            line += newlines
            continue
        if at_line_start and value == "#":
            in_directive = True
        at_line_start = False
        if not in_directive:
            yield kind, value, line
        line += newlines


def strip_templates(head):
    """The head without leading `template <...>` parameter lists."""
    while head and head[0][1] == "template":
        depth = 0
        for i, (_, text, _) in enumerate(head[1:], start=1):
            if text == "<":
                depth += 1
            elif text == ">":
                depth -= 1
            elif text == ">>":
                depth -= 2
            if depth <= 0 and text in (">", ">>"):
                head = head[i + 1:]
                break
        else:
            return head
    return head


def top_level_positions(head, wanted):
    """Indexes of tokens in `wanted` that are outside any parentheses or brackets."""
    depth = 0
    found = []
    for i, (_, text, _) in enumerate(head):
        if text in ("(", "["):
            depth += 1
        elif text in (")", "]"):
            depth -= 1
        elif depth == 0 and text in wanted:
            found.append(i)
    return found


def declarator_close(head):
    """Index of the `)` closing the parameter list of a function declarator, or None."""
    depth = 0
    i = 0
    while i < len(head):
        text = head[i][1]
        if text == "(" and depth == 0 and i > 0 and head[i - 1][1] == "operator":
            i += 2  # `operator()`: the name's parentheses, not the parameters
            continue
        if text == "(":
            if depth == 0 and (i == 0 or head[i - 1][0] not in ("word", "punct")):
                return None
            depth += 1
        elif text == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def classify(head):
    """What a `{` after `head` opens: 'scope' (namespace, class, enum), 'function', 'init' (a
    member initialiser's braces in a constructor's head) or 'other' (a brace initialiser)."""
    head = strip_templates(head)
    words = [text for _, text, _ in head]
    if not words:
        return "other"
    if words[0] in ("namespace", "extern"):
        return "scope"
    close = declarator_close(head)
    if close is None:
        if any(w in TYPE_KEYWORDS for w in words) and "=" not in words:
            return "scope"
        return "other"
    rest = words[close + 1:]
    if not rest or "->" in rest or all(w in QUALIFIERS or w in ("=", "0") for w in rest):
        return "function"
    if rest[0] == ":":
        # A constructor: `: a_(x), b_{y}`; a brace right after a name starts an initialiser.
        return "init" if head[-1][0] == "word" or head[-1][1] == ">" else "function"
    if rest[0] in QUALIFIERS:
        return "function"
    if any(w in TYPE_KEYWORDS for w in words[:close]) and "=" not in words:
        return "scope"
    return "other"


def function_name(head):
    """The declarator's name, e.g. `parse_cli`, `client_session::on_reply` or `(lambda)`."""
    head = strip_templates(head)
    close = declarator_close(head)
    if close is None:
        return "(unnamed)"
    depth = 0
    for open_at in range(close, -1, -1):  # the `(` that matches `close`
        depth += {")": 1, "(": -1}.get(head[open_at][1], 0)
        if depth == 0:
            break
    texts = [text for _, text, _ in head[:open_at]]
    name = []
    if "operator" in texts[-4:]:
        at = len(texts) - 1 - texts[::-1].index("operator")
        name = texts[at:]
        texts = texts[:at]
        if texts and texts[-1] == "::":
            name.insert(0, texts.pop())
        else:
            return "".join(name)
    while texts:
        if name and name[0] != "::":
            if texts[-1] in ("::", "~"):
                name.insert(0, texts.pop())
                continue
            break
        if re.fullmatch(r"[A-Za-z_]\w*", texts[-1]) is None:
            break
        name.insert(0, texts.pop())
    if name and name[0] == "::":
        name.pop(0)
    return "".join(name) or "(lambda)"


def scan(text):
    """Yields (name, first_line, last_line) for each function defined in `text`."""
    stack = []  # one entry per open brace: (what classify() said, first line, name)
    head = []  # the tokens since the last `;`, `{` or `}` outside any function
    for kind, value, line in tokens(text):
        kinds = [entry[0] for entry in stack]
        nested = "function" in kinds or "init" in kinds
        if value == "{":
            if nested:
                stack.append(("other", line, None))
                continue
            what = classify(head)
            if what == "function":
                first = strip_templates(head)
                stack.append(("function", first[0][2] if first else line, function_name(head)))
                head = []
            elif what == "init":
                stack.append(("init", line, None))
            else:
                stack.append((what, line, None))
                head = []
            continue
        if value == "}":
            if not stack:
                continue
            what, start, name = stack.pop()
            if what == "function":
                yield name, start, line
                head = []
            elif what == "init":
                head.append((kind, value, line))  # the constructor's head goes on
            elif not nested:
                head = []
            continue
        if nested:
            continue
        if value == ";" or (value == ":" and head and head[-1][1] in ("public", "private",
                                                                       "protected")):
            head = []
            continue
        head.append((kind, value, line))


def source_files(paths):
    for path in paths:
        path = pathlib.Path(path)
        if path.is_file():
            yield path
            continue
        for file in sorted(path.rglob("*")):
            if file.suffix not in SOURCE_SUFFIXES or not file.is_file():
                continue
            parts = file.relative_to(path).parts
            if any(part in SKIPPED_DIRS or part.startswith("build") for part in parts[:-1]):
                continue
            yield file


def long_functions(paths, limit):
    found = []
    for file in source_files(paths):
        text = file.read_text(encoding="utf-8", errors="replace")
        for name, first, last in scan(text):
            length = last - first + 1
            if length > limit:
                found.append((length, file, first, name))
    found.sort(key=lambda f: (-f[0], str(f[1]), f[2]))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="files or folders (default: the project)")
    parser.add_argument("--lines", type=int, default=80,
                        help="list functions longer than this (default 80)")
    parser.add_argument("--allow", type=int, default=None,
                        help="exit 1 when more functions than this are listed")
    args = parser.parse_args()
    paths = args.paths or [ROOT]
    found = long_functions(paths, args.lines)
    for length, file, first, name in found:
        try:
            shown = file.resolve().relative_to(ROOT)
        except ValueError:
            shown = file
        print(f"{shown}:{first}: {name} {length} lines")
    print(f"{len(found)} function(s) longer than {args.lines} lines")
    if args.allow is not None and len(found) > args.allow:
        print(f"more than {args.allow} allowed: split the longest ones", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
