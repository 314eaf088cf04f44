"""The sitemap: an index at /sitemap.xml naming one part per section, each part at most LIMIT URLs.

Each part reads one page of slugs (a count and a slice), never the whole practice, and the
rendered XML is cached under the content version for a minute, as the pages are: a save shows
at once, and a guide scheduled for later appears within the minute.
"""

from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem
from django.contrib.sitemaps.views import sitemap as django_sitemap
from django.core.cache import cache
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from armorpt.i18n import in_language
from clinics.models import Clinic, Specialist
from content.cache import content_version
from content.models import Guide

# A part of 1,000 URLs is about 100 kB of XML: quick to build and to fetch, and 500 clinics or
# 5,000 specialists are a handful of parts. (Search engines accept up to 50,000.)
LIMIT = 1000
CACHE_SECONDS = 60
ROBOTS = {"X-Robots-Tag": "noindex, noodp, noarchive"}


class SiteUrlSitemap(Sitemap):
    """Absolute URLs from settings.SITE_URL, never from the request's Host header."""

    limit = LIMIT

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc

    def get_urls(self, page=1, site=None, protocol=None):
        """Each page once per language, each naming all its versions (hreflang), English as the default.

        Not Django's `i18n = True`, which lists every item once per language before paginating
        (the whole table read for each part); here a part reads its page of items once.
        """
        urls = []
        for url in super().get_urls(page=page, site=site, protocol=protocol):
            origin = f"{self.get_protocol()}://{self.get_domain()}"
            path = url["location"].removeprefix(origin)
            versions = [
                {"location": origin + in_language(path, code), "lang_code": code} for code, _ in settings.LANGUAGES
            ]
            versions.append({"location": origin + in_language(path, settings.LANGUAGE_CODE), "lang_code": "x-default"})
            for version in versions[:-1]:
                urls.append({**url, "location": version["location"], "alternates": versions})
        return urls


class PagesSitemap(SiteUrlSitemap):
    def items(self):
        return ["home", "guide_list", "team", "location_list", "insurance", "questions", "selfcheck:check", "book"]

    def location(self, item):
        return reverse("booking:start" if item == "book" else item)


class GuideSitemap(SiteUrlSitemap):
    """Live guides; their exercises are on the guide's page, so they need no URLs of their own."""

    def items(self):
        return Guide.objects.live(timezone.now()).only("slug", "updated_at").order_by("pk")

    def lastmod(self, guide):
        return guide.updated_at

    def get_latest_lastmod(self):
        # One aggregate, instead of Django's default of reading every guide.
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class TeamSitemap(SiteUrlSitemap):
    def items(self):
        return Specialist.objects.active().only("slug").order_by("pk")


class LocationSitemap(SiteUrlSitemap):
    def items(self):
        return Clinic.objects.active().only("slug").order_by("pk")


SITEMAPS = {"pages": PagesSitemap, "guides": GuideSitemap, "locations": LocationSitemap, "team": TeamSitemap}


def _cached_xml(view):
    """The view's XML from cache for CACHE_SECONDS, under the content version; errors are not cached."""

    @wraps(view)
    def wrapped(request, section=None):
        page = request.GET.get("p", "1") if section else "1"
        if not (page.isdigit() and len(page) < 6):
            raise Http404("No such page of the sitemap.")
        key = f"sitemap:{content_version()}:{section}:{page}"
        xml = cache.get(key)
        if xml is None:
            xml = view(request, section)
            cache.set(key, xml, CACHE_SECONDS)
        return HttpResponse(xml, content_type="application/xml", headers=ROBOTS)

    return wrapped


@_cached_xml
def index(request, section=None):
    """The parts, as absolute URLs from SITE_URL: one query per section with items in the database."""
    items = []
    for section_name, sitemap_class in SITEMAPS.items():
        part = sitemap_class()
        url = settings.SITE_URL + reverse("sitemap_section", kwargs={"section": section_name})
        lastmod = part.get_latest_lastmod()
        items.append(SitemapIndexItem(url, lastmod))
        items += [SitemapIndexItem(f"{url}?p={n}", lastmod) for n in range(2, part.paginator.num_pages + 1)]
    return render_to_string("sitemap_index.xml", {"sitemaps": items})


@_cached_xml
def section(request, section):
    if section not in SITEMAPS:
        raise Http404("No such sitemap.")
    response = django_sitemap(request, {section: SITEMAPS[section]}, section=section)
    return response.render().content
