from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils import timezone

from content import selectors


class SiteUrlSitemap(Sitemap):
    """Absolute URLs from settings.SITE_URL, never from the request's Host header."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class PagesSitemap(SiteUrlSitemap):
    def items(self):
        return ["home", "guide_list", "team", "location_list", "insurance", "questions", "selfcheck:check", "book"]

    def location(self, item):
        # The booking start page belongs to the appointments app; its URL is fixed by the design.
        return "/book/" if item == "book" else reverse(item)


class GuideSitemap(SiteUrlSitemap):
    def items(self):
        return selectors.live_guides(timezone.now())

    def lastmod(self, guide):
        return guide.updated_at


class TeamSitemap(SiteUrlSitemap):
    def items(self):
        return selectors.team()


class LocationSitemap(SiteUrlSitemap):
    def items(self):
        return selectors.clinics()


SITEMAPS = {"pages": PagesSitemap, "guides": GuideSitemap, "team": TeamSitemap, "locations": LocationSitemap}
