"""Accessibility and HTML-validity problems already reported, in templates that belong to other work.

While a problem listed here is still there, its test is marked xfail and prints every occurrence
(`-ra` shows the reason); anything not listed fails the test. Delete an entry once its template
is fixed: an entry that matches nothing is ignored.
"""

import re

import pytest

# kind -> [(regular expression matched against one reported line, where to fix it)], e.g.
#   "vnu": [(r"Bad value “” for attribute “action”.*specialist-filter", "templates/appointments/times.html: drop action=''")]
KNOWN = {
    "vnu": [],
    "axe": [],
}


def check_known(kind, lines, *, what):
    known = [(re.compile(pattern, re.S), fix) for pattern, fix in KNOWN[kind]]
    unknown = [line for line in lines if not any(pattern.search(line) for pattern, _ in known)]
    if unknown:
        others = len(lines) - len(unknown)
        pytest.fail(
            f"{what}: {len(unknown)} new problem(s)"
            + (f" (and {others} already reported)" if others else "")
            + ":\n"
            + "\n".join(unknown),
            pytrace=False,
        )
    if lines:
        fixes = sorted({fix for pattern, fix in known if any(pattern.search(line) for line in lines)})
        pytest.xfail(f"{what}: {len(lines)} known problem(s), to fix in: " + "; ".join(fixes) + "\n" + "\n".join(lines))
