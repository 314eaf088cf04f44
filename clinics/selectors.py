from django.core.cache import cache

from clinics.models import Clinic

FOOTER_CACHE_KEY = "clinics:footer:v1"
FOOTER_CLINICS = 5  # named in the footer; templates/base.html links to the finder when there are more


def footer_clinics():
    """Name, phone and link of the first active clinics, for the footer of every page: one more than
    FOOTER_CLINICS, which tells the footer there are others to find.

    Cached, so that the footer costs no query; a clinic's save or delete clears it (connected in clinics.apps).
    Passed to templates uncalled: a page that never renders the footer pays nothing.
    """
    clinics = cache.get(FOOTER_CACHE_KEY)
    if clinics is None:
        clinics = [
            {
                "name": c.name,
                "url": c.get_absolute_url(),
                "phone": c.phone_display,
                "phone_uri": c.phone_uri,
                "city": c.city,
            }
            for c in Clinic.objects.active()[: FOOTER_CLINICS + 1]
        ]
        cache.set(FOOTER_CACHE_KEY, clinics, 60 * 60)
    return clinics


def forget_footer_clinics(**kwargs):
    cache.delete(FOOTER_CACHE_KEY)
