from django.conf import settings

from armorpt import i18n
from armorpt.forms import signed_now
from clinics.selectors import footer_clinics


def site(request):
    return {
        "PRACTICE": settings.PRACTICE,
        "SITE_URL": settings.SITE_URL,
        "canonical_url": settings.SITE_URL + request.path,
        # The page in each language (hreflang links, the language switch) and its path in English,
        # which says which section of the menu is open whatever the language.
        "language_alternates": i18n.alternates(request),
        "english_path": i18n.without_prefix(request.path),
        "footer_clinics": footer_clinics,
        # For the footer's newsletter form, which is plain HTML (see armorpt.forms.BotTrapMixin).
        "form_rendered_at": signed_now,
    }
