from django.conf import settings

from clinics.selectors import footer_clinics


def site(request):
    return {
        "PRACTICE": settings.PRACTICE,
        "SITE_URL": settings.SITE_URL,
        "canonical_url": settings.SITE_URL + request.path,
        "footer_clinics": footer_clinics,
    }
