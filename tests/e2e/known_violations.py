"""Accessibility and HTML-validity problems already reported, in templates that belong to other work.

While a problem listed here is still there, its test is marked xfail and prints every occurrence
(`-ra` shows the reason); anything not listed fails the test. Delete an entry once its template
is fixed: an entry that matches nothing is ignored.
"""

import re

import pytest

# kind -> [(regular expression matched against one reported line, where to fix it)]
KNOWN = {
    "vnu": [
        (
            r"Bad value “” for attribute “action” on element “form”.*specialist-filter",
            'templates/appointments/times.html: drop action="" from the specialist filter form',
        ),
        (
            r"Bad value “” for attribute “action” on element “form”.*novalidate",
            'templates/appointments/details.html: drop action="" from the booking form',
        ),
        (
            r"/cancel/: .*Bad value “” for attribute “action” on element “form”",
            'templates/appointments/cancel.html: drop action="" from the cancel form',
        ),
        (
            r"Bad value “L\nopez” for attribute “value”.*Line feed not allowed",
            "appointments/forms.py: a re-shown name keeps its line break in value=; render the single-line "
            "fields with a widget whose format_value() replaces control characters with spaces",
        ),
    ],
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
