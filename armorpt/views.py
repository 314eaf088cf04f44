from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from armorpt.celery import app as celery_app
from armorpt.i18n import without_prefix
from armorpt.outages import Outage

BROKER_TIMEOUT_SECONDS = 2


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _check_cache():
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise ConnectionError("the cache did not keep a value")
    return "ok"


def _check_broker():
    if celery_app.conf.task_always_eager:
        return "ok: no broker configured, tasks run in-process"
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS)
    return "ok"


CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}
# A load balancer asks every few seconds: say when each service goes down and comes back, once.
OUTAGES = {
    "database": Outage("database (health check)", "/healthz answers 503"),
    "cache": Outage("cache (health check)", "/healthz answers 503"),
    "broker": Outage("Celery broker (health check)", "/healthz answers 503"),
}


def _run(name):
    try:
        result = CHECKS[name]()
    except Exception as exc:  # noqa: BLE001 -- any failure means "down"; report it, never raise.
        OUTAGES[name].failed(exc)
        return False, f"down: {type(exc).__name__}"
    OUTAGES[name].answered()
    return True, result


@never_cache
def healthz(request):
    results = {name: _run(name) for name in CHECKS}
    healthy = all(ok for ok, _ in results.values())
    body = {"status": "ok" if healthy else "unavailable", "checks": {k: v for k, (_, v) in results.items()}}
    return JsonResponse(body, status=200 if healthy else 503)


def rate_limited(request, exception=None):
    if without_prefix(request.path_info).startswith("/api/"):
        return JsonResponse({"error": _("Too many requests. Please wait a few minutes and try again.")}, status=429)
    return render(request, "429.html", status=429)


def benchmark_baseline(request):
    """A fixed page of the size of a real one, for benchmarks to compare against."""
    return HttpResponse(b"x" * settings.BENCHMARK_BASELINE_BYTES, content_type="text/html; charset=utf-8")
