from django.core.cache import cache

from clinics.models import Clinic, ClinicAccess, Specialist

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


# --- Who sees what in admin: the clinics a user works at ----------------------------------------


def staff_clinics(user):
    """The clinics whose data `user` sees in admin: every clinic for a superuser, else those they work at."""
    if user.is_superuser:
        return Clinic.objects.all()
    return Clinic.objects.filter(pk__in=ClinicAccess.objects.clinic_ids(user))


def staff_specialists(user):
    """Specialists who work at one of the user's clinics."""
    if user.is_superuser:
        return Specialist.objects.all()
    return Specialist.objects.filter(
        pk__in=Specialist.clinics.through.objects.filter(clinic__in=staff_clinics(user)).values("specialist_id")
    )


def limit_to_clinics(queryset, user, lookup):
    """`queryset` narrowed to rows whose `lookup` (a path to Clinic) is one of the user's clinics."""
    if user.is_superuser:
        return queryset
    # Through a subquery, so that a path across a many-to-many relation gives no duplicate rows.
    in_scope = queryset.model._default_manager.filter(**{f"{lookup}__in": staff_clinics(user)}).values("pk")
    return queryset.filter(pk__in=in_scope)
