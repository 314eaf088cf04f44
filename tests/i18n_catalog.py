"""Which patient-facing strings have no Spanish yet: what `makemessages` finds in the code, less
what the Spanish catalogs translate.

makemessages runs on a copy of the sources (it would otherwise write into locale/), and the admin
is left out: it stays English. Run it by hand to see what is left:

    .venv/bin/python -m tests.i18n_catalog [path fragment ...]
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("armorpt", "appointments", "clinics", "content", "newsletter", "practice", "selfcheck", "templates")
# The admin and its templates stay English; migrations hold no text a patient reads.
IGNORE = ("*/admin/*", "*/admin.py", "*/migrations/*", "*/management/*", "*/demo.py", "*/tests/*")


def catalogs():
    """Every Spanish .po of the project (locale/, and any part of it a change brings)."""
    return sorted((ROOT / "locale").glob("**/es/LC_MESSAGES/django.po"))


def translated():
    done = set()
    for path in catalogs():
        for entry in polib.pofile(str(path)):
            if entry.translated() and not entry.obsolete:
                done.add((entry.msgctxt, entry.msgid))
    return done


def extracted():
    """(context, msgid, where) of every string marked for translation outside the admin."""
    with tempfile.TemporaryDirectory() as copy:
        for name in SOURCES:
            shutil.copytree(ROOT / name, Path(copy) / name, ignore=shutil.ignore_patterns("admin", "migrations"))
        shutil.copy(ROOT / "manage.py", copy)
        env = {**os.environ, "DEBUG": "true", "PYTHONPATH": copy}
        command = [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-obsolete", "--no-wrap"]
        command += [f"--ignore={pattern}" for pattern in IGNORE]
        subprocess.run(command, cwd=copy, env=env, check=True, capture_output=True)
        po = polib.pofile(str(Path(copy) / "locale" / "es" / "LC_MESSAGES" / "django.po"))
        return [(entry.msgctxt, entry.msgid, ", ".join(f for f, _ in entry.occurrences)) for entry in po]


def missing(fragments=()):
    done = translated()
    found = [item for item in extracted() if (item[0], item[1]) not in done]
    return [item for item in found if not fragments or any(f in item[2] for f in fragments)]


if __name__ == "__main__":
    left = missing(sys.argv[1:])
    for context, msgid, where in left:
        print(f"{where}: {f'[{context}] ' if context else ''}{msgid!r}")
    print(f"{len(left)} untranslated")
