"""The same page in the other language: the paths the language switch and hreflang links name.

A Spanish page is its English path under /es/ (armorpt.urls), so the twin of a path is found by
adding or removing that prefix, without resolving the URL (cheap, and right for every page).
"""

from django.conf import settings
from django.utils.translation import get_language_from_path


def without_prefix(path):
    """'/es/guides/' -> '/guides/'; an English path is returned as it is."""
    code = get_language_from_path(path)
    if not code or code == settings.LANGUAGE_CODE:
        return path
    return path[len(code) + 1 :] or "/"


def in_language(path, code):
    """The path of the same page in `code`: '/guides/' -> '/es/guides/'."""
    base = without_prefix(path)
    return base if code == settings.LANGUAGE_CODE else f"/{code}{base}"


def alternates(request):
    """Every language's version of this page, the current one included: its code, its name in its
    own language, its path (for hreflang) and the same with this request's query (for the switch,
    so a patient half-way through choosing a time stays on that time)."""
    query = request.META.get("QUERY_STRING", "")
    suffix = f"?{query}" if query and request.method == "GET" else ""
    pages = []
    for code, name in settings.LANGUAGES:
        path = in_language(request.path, code)
        pages.append({"code": code, "name": name, "path": path, "switch": path + suffix})
    return pages
