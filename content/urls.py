from django.urls import path

from armorpt.pagecache import cache_public_page
from content import views
from content.cache import content_version

# Whole pages for a minute: saving content changes the version (so the page) at once; the
# minute bounds how stale "next available" times, "today" and scheduled guides can be.
page = cache_public_page(content_version, timeout=60)

urlpatterns = [
    path("", page(views.home), name="home"),
    path("guides/", page(views.guide_list), name="guide_list"),
    path("guides/<slug:slug>/", page(views.guide_detail), name="guide_detail"),
    path("team/", page(views.team), name="team"),
    path("team/<slug:slug>/", page(views.team_member), name="team_member"),
    path("locations/", page(views.location_list), name="location_list"),
    path("locations/<slug:slug>/", page(views.location_detail), name="location_detail"),
]
