"""Check PEP-draft.rst against the code it specifies.

Run with the fork's interpreter, from the repository root:

    ./python Tools/atomics/check_pep.py [PEP-draft.rst]

1. Every function, data item and macro declared in
   Include/cpython/atomicref.h appears in the PEP with the same signature
   (compared with whitespace removed), and every PyAtomicRef* or
   PyUnstable_AtomicRef* name the PEP mentions exists in the header.
2. Every public class of Lib/atomics appears as ``Class(signature)`` (the
   signature that inspect.signature() reports), and has one method table
   (``.. table:: ``Class(...)``...``) whose first column lists every public
   method and attribute of the class, and nothing else; a ``name(params)``
   entry must have the runtime's parameter names.  Every
   ``AtomicX.method`` the PEP mentions exists.  (Full signatures are
   checked on the library page, check 5.)
3. Every ``>>>`` example in the PEP runs and prints what the PEP shows
   (doctest, in one namespace, in document order).
4. The PEP parses without warnings with docutils (run with an interpreter
   that has docutils: this one, or the system python3).
5. The reference entries of Doc/c-api/atomicref.rst (``.. c:function::``
   and the like) have the header's signatures and cover it; those of
   Doc/library/atomics.rst (``.. class::``, ``.. method::``) have the
   runtime's parameters and cover every public method.
6. Every count or list of names the PEP states about the code matches it:
   the list given as ``atomics.__all__``; "N classes (``A``, ...)" about
   the module; "a series of N patches" (Tools/fork/patches/series); "N
   lines to ``path``" (the non-blank lines the collector patch adds to
   that file).  Any other "N classes/functions/patches/..." phrase is
   reported as a count this script cannot verify: state a list instead,
   or teach this script to check it.
7. The header's Python-Version is the feature release after the newest
   CPython release the fork knows of (NEWEST_KNOWN_RELEASE below, or a
   newer one named in Tools/fork/upstream.conf or Tools/atomics/PORTING.md),
   and the header has Discussions-To and Post-History (PEP 12).

Exit status 0 if all checks pass; every problem is printed.
"""

import doctest
import inspect
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HEADER = os.path.join(ROOT, "Include", "cpython", "atomicref.h")


def squash(text):
    return re.sub(r"\s+", "", text)


def header_declarations():
    """Yield (name, squashed signature) for the header's public API
    (underscore-prefixed private functions are skipped)."""
    with open(HEADER) as f:
        text = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
    for m in re.finditer(r"PyAPI_FUNC\(([^)]*)\)\s*(\w+)\s*\(([^)]*)\)\s*;", text):
        ret, name, args = m.groups()
        if name.startswith("_"):
            continue        # private: not part of the proposed API
        yield name, squash(f"{ret} {name}({args})")
    for m in re.finditer(r"PyAPI_DATA\(([^)]*)\)\s*(\w+)\s*;", text):
        typ, name = m.groups()
        yield name, squash(f"{typ} {name}")
    for m in re.finditer(r"^#\s*define\s+(Py\w+)(\([^)]*\))?", text, re.M):
        name, args = m.groups()
        if name.startswith("Py_") or name.endswith("_H"):
            continue
        yield name, squash(name + (args or ""))
    for m in re.finditer(r"typedef\s+struct\s*\{.*?\}\s*(\w+)\s*;", text, re.S):
        yield m.group(1), m.group(1)


def check_c_api(pep, problems):
    flat = squash(pep)
    declared = set()
    for name, sig in header_declarations():
        declared.add(name)
        if sig not in flat:
            problems.append(f"C API: {name} is not specified as `{sig}`")
    for name in sorted(set(re.findall(r"\b(Py(?:Unstable_)?AtomicRef\w*)", pep))):
        if name not in declared:
            problems.append(f"C API: the PEP names {name}, "
                            f"which the header does not declare")
    return len(declared)


def public_members(cls):
    """The public methods and attributes a class defines itself."""
    return sorted(name for name in vars(cls) if not name.startswith("_"))


def method_tables(pep):
    """Yield (class name, [(name, params or None)], line number) for each
    ``.. table:: ``Class(...)`` block of the PEP: the entries of its first
    column (``name(params)`` or ``name``), as delimited by the table's
    border line."""
    lines = pep.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^\.\. table:: ``(\w+)\(", line)
        if not m:
            continue
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        border = re.match(r"^(\s+)(=+)\s+=+\s*$", lines[j]) if j < len(lines) else None
        if border is None:
            yield m.group(1), None, i + 1
            continue
        start, width = len(border.group(1)), len(border.group(2))
        entries = []
        borders = 0
        for row in lines[j:]:
            if not row.startswith(" " * start) or not row.strip():
                break
            if re.match(r"^\s+=+\s+=+\s*$", row):
                borders += 1
                if borders == 3:
                    break
                continue
            first = row[start:start + width + 1]
            for e in re.finditer(r"``(\w+)(\([^`]*\))?``", first):
                entries.append((e.group(1), e.group(2)))
        yield m.group(1), entries, i + 1


def check_python_api(pep, problems):
    import atomics
    flat = squash(pep)
    n = 0
    tables = {}
    for cname, entries, lineno in method_tables(pep):
        if entries is None:
            problems.append(f"atomics: the table of {cname} (line {lineno}) "
                            f"is not a simple table")
        elif cname in tables:
            problems.append(f"atomics: {cname} has more than one table")
        else:
            tables[cname] = entries
    for cname in atomics.__all__:
        cls = getattr(atomics, cname)
        if not isinstance(cls, type):
            n += 1
            if f"``{cname}``" not in pep:
                problems.append(f"atomics: {cname} is not named in the PEP")
            continue
        n += 1
        sig = f"{cname}{inspect.signature(cls)}"
        if squash(sig) not in flat:
            problems.append(f"atomics: {cname} is not specified as `{sig}`")
        if cname not in tables:
            problems.append(f"atomics: {cname} has no method table "
                            f"(.. table:: ``{sig}``: ...)")
            continue
        listed = {}
        for name, params in tables[cname]:
            listed.setdefault(name, params)
        members = public_members(cls)
        for mname in members:
            n += 1
            if mname not in listed:
                problems.append(f"atomics: the table of {cname} does not "
                                f"list {mname}")
        for name, params in listed.items():
            member = getattr(cls, name, None)
            if name not in members:
                problems.append(f"atomics: the table of {cname} lists "
                                f"{name}, which {cname} does not define")
            elif params is not None and callable(member):
                try:
                    expected = runtime_params(member)
                except ValueError:
                    continue
                if param_names(params) != expected:
                    problems.append(f"atomics: the table of {cname} gives "
                                    f"{name}{params}, the runtime has "
                                    f"{expected}")
            elif params is None and callable(member):
                problems.append(f"atomics: the table of {cname} lists the "
                                f"method {name} without its parameters")
    for cname, mname in sorted(set(re.findall(
            r"\b(Atomic(?:Ref|Int|Bool|Counter|Dict))\.([a-z_]\w*)", pep))):
        cls = getattr(atomics, cname, None)
        if cls is None or not hasattr(cls, mname):
            problems.append(f"atomics: the PEP names {cname}.{mname}, "
                            f"which does not exist")
    return n


def check_examples(pep, problems):
    parser = doctest.DocTestParser()
    test = parser.get_doctest(pep, {}, "PEP-draft.rst", "PEP-draft.rst", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    out = []
    runner.run(test, out=out.append)
    if runner.failures:
        problems.append("examples: %d of %d failed:\n%s"
                        % (runner.failures, runner.tries, "".join(out)))
    return runner.tries


DOCUTILS_CHECK = r"""
import sys, docutils.core, docutils.utils
messages = []
class Stream:
    def write(self, s): messages.append(s)
src = open(sys.argv[1]).read()
docutils.core.publish_doctree(
    src, source_path=sys.argv[1], reader_name="pep",
    settings_overrides={"report_level": 2, "halt_level": 5,
                        "warning_stream": Stream()})
sys.stdout.write("".join(messages))
"""


def check_docutils(path, problems):
    candidates = [sys.executable, "/usr/bin/python3", shutil.which("python3")]
    for py in filter(None, candidates):
        if subprocess.run([py, "-c", "import docutils"],
                          capture_output=True).returncode != 0:
            continue
        r = subprocess.run([py, "-c", DOCUTILS_CHECK, path],
                           capture_output=True, text=True)
        if r.returncode != 0 or r.stdout.strip():
            problems.append(f"docutils ({py}):\n{r.stdout}{r.stderr}")
        return py
    problems.append("docutils: no interpreter with docutils found "
                    "(apt-get install python3-docutils)")
    return None


# --- the reference entries of the documentation pages ---------------------

C_DOC = os.path.join(ROOT, "Doc", "c-api", "atomicref.rst")
PY_DOC = os.path.join(ROOT, "Doc", "library", "atomics.rst")


def check_c_doc(problems):
    """Every declaration of the header has a ``.. c:`` entry with the same
    signature, and every entry is declared."""
    with open(C_DOC) as f:
        text = f.read()
    entries = {}
    for m in re.finditer(r"^\.\. c:(function|var|type|macro):: (.+)$", text,
                         re.M):
        sig = m.group(2)
        name = re.search(r"(\w+)\s*(\(|$)", sig).group(1)
        entries[name] = squash(sig)
    declared = {}
    for name, sig in header_declarations():
        declared.setdefault(name, sig)     # a function before its macro
    for name, sig in declared.items():
        if name.endswith("_CheckExact") or name.endswith("_Check"):
            sig = squash(f"int {name}(PyObject *op)")  # macros in the header
        if name not in entries:
            problems.append(f"{C_DOC}: no entry for {name}")
        elif entries[name] != sig and entries[name] != squash(name):
            problems.append(f"{C_DOC}: {name} is documented as "
                            f"`{entries[name]}`, declared as `{sig}`")
    for name in entries:
        if name not in declared:
            problems.append(f"{C_DOC}: {name} is documented but not declared")
    return len(entries)


def param_names(sig):
    """The parameter names of a signature text, without self, with "*" for
    the keyword-only marker; optional-bracket notation is unwrapped."""
    sig = sig.strip()[1:-1].replace("[", "").replace("]", "")
    names = []
    for part in sig.split(","):
        part = part.strip()
        if not part or part == "/":
            continue
        name = re.match(r"\*{0,2}\$?\w*", part).group(0).lstrip("$")
        if name in ("self", "type", "module"):
            continue
        names.append(name)
    return names


def runtime_params(obj):
    text = getattr(obj, "__text_signature__", None)
    if text is None:
        return param_names(str(inspect.signature(obj)))
    return param_names(text)


def check_py_doc(problems):
    """Every class and method entry of the library page has the runtime's
    parameters, and every public method of every class is documented."""
    import atomics
    with open(PY_DOC) as f:
        text = f.read()
    n = 0
    documented = set()
    current = None
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^\.\. class:: (\w+)(\(.*\))$", line)
        if m:
            current = getattr(atomics, m.group(1), None)
            n += 1
            if current is None:
                problems.append(f"{PY_DOC}: class {m.group(1)} does not exist")
            elif param_names(m.group(2)) != runtime_params(current):
                problems.append(f"{PY_DOC}: {m.group(1)}{m.group(2)} does not "
                                f"match {runtime_params(current)}")
            continue
        m = re.match(r"^   \.\. (?:class)?method:: (\w+)(\(.*\))$", line)
        sigs = []
        if m:
            sigs.append(m.groups())
            j = i + 1
            indent = " " * line.index("::") + "   "
            cont = re.compile(r"^" + indent + r"(\w+)(\(.*\))$")
            while j < len(lines) and cont.match(lines[j]):
                sigs.append(cont.match(lines[j]).groups())
                j += 1
        for name, sig in sigs:
            n += 1
            meth = getattr(current, name, None)
            documented.add((current, name))
            if meth is None:
                problems.append(f"{PY_DOC}: {current.__name__}.{name} "
                                f"does not exist")
            elif param_names(sig) != runtime_params(meth):
                problems.append(f"{PY_DOC}: {current.__name__}.{name}{sig} "
                                f"does not match {runtime_params(meth)}")
    for cname in atomics.__all__:
        cls = getattr(atomics, cname)
        if not isinstance(cls, type):
            continue
        for mname, member in vars(cls).items():
            if not mname.startswith("_") and callable(member) \
                    and (cls, mname) not in documented:
                problems.append(f"{PY_DOC}: {cname}.{mname} is not documented")
    return n


# --- counts and lists of names the PEP states about the code --------------

PATCHES = os.path.join(ROOT, "Tools", "fork", "patches")
COLLECTOR_PATCH = "gc-releases-retired-atomics"

NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve "
    "thirteen fourteen fifteen sixteen seventeen eighteen nineteen "
    "twenty".split())}
NUMBER = r"(?<![\w.])(\d+|" + "|".join(NUMBERS) + r")"
# Nouns whose counts are about the code.  A count of one of these that no
# check below verifies is reported.
COUNTED = r"(classes|functions|macros|methods|types|modules|patches|lines|declarations)"


def number(word):
    word = word.lower()
    return int(word) if word.isdigit() else NUMBERS[word]


def text_of(pep):
    """The PEP with runs of whitespace made single spaces, so that a
    statement wrapped over lines reads as one."""
    return re.sub(r"\s+", " ", pep)


def patch_series():
    with open(os.path.join(PATCHES, "series")) as f:
        return [line.strip() for line in f
                if line.strip() and not line.startswith("#")]


def patch_added_lines(name_part):
    """{path: number of non-blank lines added} of the one patch of the
    series whose name contains name_part."""
    names = [p for p in patch_series() if name_part in p]
    if len(names) != 1:
        return None
    added = {}
    path = None
    with open(os.path.join(PATCHES, names[0])) as f:
        for line in f:
            if line.startswith("+++ "):
                path = re.sub(r"^b/", "", line[4:].split()[0])
            elif line.startswith("+") and path and line[1:].strip():
                added[path] = added.get(path, 0) + 1
    return added


def check_statements(pep, problems):
    """Check 6: each statement of a count or list about the code."""
    import ast
    import atomics
    text = text_of(pep)
    checked = set()         # spans of the count phrases verified below
    n = 0

    # atomics.__all__, given as a list literal.
    stated = re.findall(r"``atomics\.__all__`` is ``(\[[^`]*\])``", text)
    if not stated:
        problems.append("statements: the PEP does not give atomics.__all__ "
                        "as ``atomics.__all__`` is ``[...]``")
    for literal in stated:
        n += 1
        try:
            names = ast.literal_eval(literal)
        except (ValueError, SyntaxError):
            problems.append(f"statements: cannot read {literal}")
            continue
        if list(names) != list(atomics.__all__):
            problems.append(f"statements: the PEP says atomics.__all__ is "
                            f"{names}; it is {atomics.__all__}")

    # "N classes (``A``, ``B``, ...)": the classes of the module.
    classes = sorted(c for c in atomics.__all__
                     if isinstance(getattr(atomics, c), type))
    for m in re.finditer(NUMBER + r" classes \(([^)]*)\)", text, re.I):
        n += 1
        checked.add(m.span())
        names = re.findall(r"``(\w+)``", m.group(2))
        if number(m.group(1)) != len(classes) or sorted(names) != classes:
            problems.append(f"statements: the PEP says "
                            f"'{m.group(0)}'; the classes of atomics.__all__ "
                            f"are {classes}")

    # "a series of N patches": Tools/fork/patches/series.
    series = patch_series()
    for m in re.finditer(r"series of " + NUMBER + r" patches", text, re.I):
        n += 1
        checked.add((m.start(1), m.end()))
        if number(m.group(1)) != len(series):
            problems.append(f"statements: the PEP says '{m.group(0)}'; "
                            f"Tools/fork/patches/series has {len(series)}")

    # "N lines to ``path``": the lines the collector patch adds there.
    added = patch_added_lines(COLLECTOR_PATCH)
    for m in re.finditer(NUMBER + r" lines to ``([\w/.]+)``", text, re.I):
        n += 1
        checked.add((m.start(), m.start(2) - 3))
        if added is None:
            problems.append(f"statements: the PEP says '{m.group(0)}', but "
                            f"the series has no one patch named "
                            f"*{COLLECTOR_PATCH}*")
        elif number(m.group(1)) != added.get(m.group(2), 0):
            problems.append(f"statements: the PEP says '{m.group(0)}'; the "
                            f"{COLLECTOR_PATCH} patch adds "
                            f"{added.get(m.group(2), 0)} non-blank lines "
                            f"to {m.group(2)}")
    if added is not None and re.search(r"\d+ lines to ``", text) \
            and COLLECTOR_PATCH not in text:
        problems.append(f"statements: the PEP counts lines of a patch but "
                        f"does not name {COLLECTOR_PATCH}")

    # Any other count of code things is a statement nobody checks.
    for m in re.finditer(NUMBER + r" ((?:[\w-]+ ){0,2}?)" + COUNTED
                         + r"\b", text, re.I):
        if m.group(1).lower() in ("zero", "one") and m.group(2):
            continue        # "one or more", "one of the ..."
        inside = any(s <= m.start() and m.end() <= e + 1
                     or (s <= m.start() < e)
                     for s, e in checked)
        if not inside:
            problems.append(f"statements: '{m.group(0)}' is a count about "
                            f"the code that check_pep.py does not verify")
    return n


# --- the release the PEP targets --------------------------------------------

# The newest CPython release the fork knows of: 3.15.2 has shipped (Debian
# sid), and Tools/atomics/PORTING.md's port check targets 3.14.10 and
# 3.15.2.  Raise this when a newer feature release ships; a newer final
# release named in upstream.conf or PORTING.md raises it by itself.
NEWEST_KNOWN_RELEASE = "3.15"


def newest_known_release():
    versions = [tuple(map(int, NEWEST_KNOWN_RELEASE.split(".")))]
    for name in (os.path.join(ROOT, "Tools", "fork", "upstream.conf"),
                 os.path.join(ROOT, "Tools", "atomics", "PORTING.md")):
        try:
            with open(name) as f:
                text = f.read()
        except OSError:
            continue
        # Final releases only (3.15.2, not 3.16.0a1 or a bare "3.16").
        for major, minor in re.findall(r"\b(3)\.(\d+)\.\d+(?![\w.])", text):
            versions.append((int(major), int(minor)))
    return max(versions)


def check_python_version(pep, problems):
    """Check 7: Python-Version is the next feature release."""
    major, minor = newest_known_release()
    want = f"{major}.{minor + 1}"
    header = pep.split("\n\n", 1)[0]
    m = re.search(r"^Python-Version:[ \t]*(\S*)", header, re.M)
    if m is None:
        problems.append("header: no Python-Version")
    elif m.group(1) != want:
        problems.append(f"header: Python-Version is {m.group(1)}; the "
                        f"newest release the fork knows of is "
                        f"{major}.{minor}, so the next is {want}")
    for field in ("Discussions-To", "Post-History"):
        if not re.search(rf"^{field}:", header, re.M):
            problems.append(f"header: no {field} (PEP 12: "
                            f"'Discussions-To: Pending' and an empty "
                            f"'Post-History:' before the PEP is posted)")
    return want


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "PEP-draft.rst")
    with open(path) as f:
        pep = f.read()
    problems = []
    n_c = check_c_api(pep, problems)
    n_py = check_python_api(pep, problems)
    n_ex = check_examples(pep, problems)
    py = check_docutils(path, problems)
    n_cdoc = check_c_doc(problems)
    n_pydoc = check_py_doc(problems)
    n_stmt = check_statements(pep, problems)
    version = check_python_version(pep, problems)
    for p in problems:
        print(p)
    print(f"{path}: {n_c} C declarations, {n_py} Python names, "
          f"{n_ex} examples checked; docutils: {py or 'not run'}; "
          f"doc pages: {n_cdoc} C entries, {n_pydoc} Python entries; "
          f"{n_stmt} statements about the code; Python-Version {version}; "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
