"""Check PEP-draft.rst against the code it specifies.

Run with the fork's interpreter, from the repository root:

    ./python Tools/atomics/check_pep.py [PEP-draft.rst]

1. Every function, data item and macro declared in
   Include/cpython/atomicref.h appears in the PEP with the same signature
   (compared with whitespace removed), and every PyAtomicRef* or
   PyUnstable_AtomicRef* name the PEP mentions exists in the header.
2. Every public class of Lib/atomics appears as ``Class(signature)`` and
   every public method as ``Class.method(signature)`` (the signature that
   inspect.signature() reports, without self), and every
   ``AtomicX.method(`` the PEP mentions exists.
3. Every ``>>>`` example in the PEP runs and prints what the PEP shows
   (doctest, in one namespace, in document order).
4. The PEP parses without warnings with docutils (run with an interpreter
   that has docutils: this one, or the system python3).
5. The reference entries of Doc/c-api/atomicref.rst (``.. c:function::``
   and the like) have the header's signatures and cover it; those of
   Doc/library/atomics.rst (``.. class::``, ``.. method::``) have the
   runtime's parameters and cover every public method.

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


def python_api():
    import atomics
    for cname in atomics.__all__:
        cls = getattr(atomics, cname)
        if not isinstance(cls, type):
            yield cname, cname          # a constant (NOT_FOUND)
            continue
        yield cname, f"{cname}{inspect.signature(cls)}"
        for mname, member in sorted(vars(cls).items()):
            if mname.startswith("_"):
                continue
            if callable(member):
                try:
                    sig = str(inspect.signature(getattr(cls, mname)))
                except ValueError:
                    # No signature inspect can parse (optional arguments
                    # without a default, as dict.pop): the name only.
                    yield f"{cname}.{mname}", f"{cname}.{mname}("
                    continue
                sig = re.sub(r"^\(self,?\s*", "(", sig)
                yield f"{cname}.{mname}", f"{cname}.{mname}{sig}"
            else:
                yield f"{cname}.{mname}", f"{cname}.{mname}"


def check_python_api(pep, problems):
    import atomics
    flat = squash(pep)
    n = 0
    for name, sig in python_api():
        n += 1
        if squash(sig) not in flat:
            problems.append(f"atomics: {name} is not specified as `{sig}`")
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
    for p in problems:
        print(p)
    print(f"{path}: {n_c} C declarations, {n_py} Python names, "
          f"{n_ex} examples checked; docutils: {py or 'not run'}; "
          f"doc pages: {n_cdoc} C entries, {n_pydoc} Python entries; "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
