from django.urls import path

from armorpt.pagecache import cache_public_page
from content.cache import content_version
from practice import views

# Whole pages, dropped by any save of a plan, price, question or clinic (content.cache).
page = cache_public_page(content_version, timeout=60)

urlpatterns = [
    path("insurance/", page(views.insurance), name="insurance"),
    path("questions/", page(views.questions), name="questions"),
]
