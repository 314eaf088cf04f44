from django.conf import settings
from django.http import HttpResponseBadRequest
from django.urls import reverse


class PermissionsPolicyMiddleware:
    """Deny browser features no page of ours needs (camera, location and the like)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class RejectNulInAdminMiddleware:
    """A NUL byte in an admin query (a filter, the search box, an autocomplete term) answers 400.

    PostgreSQL cannot store or compare text holding one, so the query it lands in would fail
    with a 500. Nobody types one; refusing it here covers every filter at once.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = reverse("admin:index")

    def __call__(self, request):
        if request.path.startswith(self.prefix) and _has_nul(request.GET):
            return HttpResponseBadRequest("Bad request: the address holds a NUL character.", content_type="text/plain")
        return self.get_response(request)


def _has_nul(query):
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())
