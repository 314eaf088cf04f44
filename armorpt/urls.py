from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from armorpt import staff_sessions, views
from content import sitemaps
from content import views as content_views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/lock/", staff_sessions.lock, name="admin_lock"),
    path("admin/", admin.site.urls),
    # One sitemap for both languages (each page names its Spanish twin), one robots.txt.
    path("sitemap.xml", sitemaps.index, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemaps.section, name="sitemap_section"),
    path("robots.txt", content_views.robots_txt, name="robots_txt"),
]

# Every page a patient reads: English at the first URLs, Spanish under /es/.
urlpatterns += i18n_patterns(
    path("", include("appointments.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("", include("selfcheck.urls")),
    path("", include("practice.urls")),
    path("", include("content.urls")),
    prefix_default_language=False,
)

# A database that is away answers 503 "try again in a few seconds"; any other error, the 500 page.
handler500 = "armorpt.unavailable.server_error"

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

if settings.BENCHMARK_BASELINE_BYTES:
    # Only for `make bench`: the same server answering with no database or template work.
    urlpatterns.insert(0, path("bench/baseline", views.benchmark_baseline))
