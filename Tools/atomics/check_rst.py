"""Check reStructuredText documentation pages with plain docutils.

Usage: python3 Tools/atomics/check_rst.py FILE...

Parses each FILE with docutils and reports every warning or error (level 2
and above), with its file and line.  Sphinx-only directives and roles used
by CPython's documentation (the C domain, versionadded, index, ...) are
registered as stand-ins: their arguments are accepted unchecked and, where
it is reStructuredText, their content is parsed.  Cross-references are not
resolved: this catches markup errors, not broken links.

Exits with status 0 if every file parsed cleanly, 1 otherwise, and 2 on a
usage error.  Requires docutils (``pip install docutils`` or the
python3-docutils package).
"""

import io
import re
import sys

import docutils.core
import docutils.utils
from docutils import nodes
from docutils.parsers.rst import Directive, directives, roles


# Sphinx-only directives (including CPython's extensions) whose content is
# reStructuredText: it is parsed, so markup errors inside are reported.  The
# Python domain ones are also registered with their explicit "py:" prefix.
PY_DIRECTIVES = (
    "function", "class", "method", "attribute", "data", "exception",
    "decorator", "decoratormethod", "classmethod", "staticmethod", "module",
    "property", "type", "awaitablefunction", "awaitablemethod",
    "abstractmethod", "coroutinefunction", "coroutinemethod",
)
SPHINX_DIRECTIVES = PY_DIRECTIVES + tuple(
    "py:" + name for name in PY_DIRECTIVES) + (
    "c:function", "c:type", "c:var", "c:macro", "c:member", "c:struct",
    "c:union", "c:enum", "c:enumerator",
    "versionadded", "versionchanged", "deprecated", "deprecated-removed",
    "versionremoved", "seealso", "glossary", "only", "impl-detail",
    "availability", "audit-event", "describe", "object", "option",
    "program", "envvar", "pdbcommand", "monitoring-event",
)

# Sphinx-only directives whose content is not reStructuredText (or that
# have none): accepted and skipped.
OPAQUE_DIRECTIVES = (
    "c:namespace", "currentmodule", "index", "highlight", "sectionauthor",
    "moduleauthor", "toctree", "productionlist", "testsetup", "testcleanup",
    "testcode", "testoutput", "doctest", "literalinclude", "limited-api-list",
    "opcode", "tabularcolumns", "audit-event-table",
)

# Code blocks: kept as literal text (Sphinx languages such as "none" or
# "pycon" need no Pygments lexer here).
CODE_DIRECTIVES = ("code-block", "sourcecode", "code")

# Sphinx-only roles: rendered as literal text, not resolved.  The Python
# domain ones are also registered with their explicit "py:" prefix.
PY_ROLES = (
    "mod", "class", "func", "meth", "attr", "data", "exc", "const", "obj",
    "type",
)
SPHINX_ROLES = PY_ROLES + tuple("py:" + name for name in PY_ROLES) + (
    "c:func", "c:type", "c:macro", "c:data", "c:var", "c:member",
    "c:struct", "c:expr", "c:texpr", "c:enum", "c:enumerator",
    "ref", "doc", "term", "keyword", "option", "envvar", "pep", "rfc",
    "file", "program", "samp", "kbd", "source", "issue", "gh", "cve", "cwe",
    "opcode", "token", "abbr", "dfn", "menuselection", "guilabel",
    "manpage", "makevar", "monitoring-event", "mailheader", "mimetype",
    "pypi", "pdbcmd", "command", "download",
)

PROBLEM_TAG = re.compile(r"\((?:WARNING|ERROR|SEVERE)/[234]\)")


class _AnyOptions(dict):
    """An option_spec that accepts every option, with or without a value."""

    def __contains__(self, key):
        return True

    def __getitem__(self, key):
        return directives.unchanged


class OpaqueDirective(Directive):
    """Accept any arguments, options and content; produce nothing."""

    optional_arguments = 100
    final_argument_whitespace = True
    has_content = True
    option_spec = _AnyOptions()

    def run(self):
        return []


class ParsedDirective(OpaqueDirective):
    """Like OpaqueDirective, but parse the content as reStructuredText."""

    def run(self):
        node = nodes.container()
        self.state.nested_parse(self.content, self.content_offset, node)
        return [node]


class CodeDirective(OpaqueDirective):
    """A literal block, whatever the language argument."""

    def run(self):
        text = "\n".join(self.content)
        return [nodes.literal_block(text, text)]


def noop_role(name, rawtext, text, lineno, inliner, options=None,
              content=None):
    """Render a Sphinx role as literal text."""
    return [nodes.literal(rawtext, text)], []


def register_sphinx_stubs():
    for name in SPHINX_DIRECTIVES:
        directives.register_directive(name, ParsedDirective)
    for name in OPAQUE_DIRECTIVES:
        directives.register_directive(name, OpaqueDirective)
    for name in CODE_DIRECTIVES:
        directives.register_directive(name, CodeDirective)
    for name in SPHINX_ROLES:
        roles.register_local_role(name, noop_role)


def check_file(path):
    """Parse path; print its problems; return how many there were."""
    with open(path, encoding="utf-8") as f:
        source = f.read()
    stream = io.StringIO()
    docutils.core.publish_doctree(
        source,
        source_path=path,
        settings_overrides={
            "report_level": docutils.utils.Reporter.WARNING_LEVEL,
            "halt_level": docutils.utils.Reporter.SEVERE_LEVEL + 1,
            "warning_stream": stream,
            "file_insertion_enabled": True,
            "raw_enabled": True,
            "docinfo_xform": False,
        },
    )
    problems = stream.getvalue()
    sys.stdout.write(problems)
    # One "(LEVEL/n)" tag per system message; any other output (there
    # should be none) still counts as a problem.
    return len(PROBLEM_TAG.findall(problems)) or int(bool(problems))


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 2 if not argv else 0
    register_sphinx_stubs()
    failed = 0
    for path in argv:
        try:
            count = check_file(path)
        except (OSError, UnicodeDecodeError) as exc:
            print(f"{path}: cannot read: {exc}")
            failed += 1
            continue
        print(f"{path}: {'OK' if count == 0 else f'{count} problem(s)'}")
        failed += count != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
