from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from armorpt import staff_sessions, views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/lock/", staff_sessions.lock, name="admin_lock"),
    path("admin/", admin.site.urls),
    path("", include("appointments.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("", include("selfcheck.urls")),
    path("", include("practice.urls")),
    path("", include("content.urls")),
]

# A database that is away answers 503 "try again in a few seconds"; any other error, the 500 page.
handler500 = "armorpt.unavailable.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

if settings.BENCHMARK_BASELINE_BYTES:
    # Only for `make bench`: the same server answering with no database or template work.
    urlpatterns.insert(0, path("bench/baseline", views.benchmark_baseline))
