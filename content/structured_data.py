"""schema.org JSON-LD for search engines, built as Python data and serialized with json.dumps.

Each thing has an @id (its page's URL plus a fragment), so pages can refer to the
organization, a clinic or a person without repeating them.
"""

import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from armorpt import images
from content.hours import upcoming_closures

SCHEMA = "https://schema.org"
# Inside <script>, "</script>" or "<!--" in a value would end or confuse the element.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def script_tag(data):
    """A <script type="application/ld+json"> element holding `data`."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text.translate(_SCRIPT_ESCAPES)))


def graph(*nodes):
    return {"@context": SCHEMA, "@graph": list(nodes)}


def _datetime(value):
    return value.isoformat(timespec="seconds") if value else None


def _url(path):
    return settings.SITE_URL + path


def organization_id():
    return _url("/#organization")


def organization(clinics):
    return {
        "@type": "MedicalOrganization",
        "@id": organization_id(),
        "name": settings.PRACTICE["name"],
        "alternateName": settings.PRACTICE["short_name"],
        "url": _url("/"),
        "logo": _url(static("img/logo-mark.svg")),
        "medicalSpecialty": f"{SCHEMA}/Physiotherapy",
        "sameAs": [url for _, url in settings.PRACTICE["social_links"]],
        "subOrganization": [{"@id": clinic_id(c)} for c in clinics],
    }


def clinic_id(clinic):
    return _url(clinic.get_absolute_url() + "#clinic")


def clinic(clinic, now, team=(), plans=()):
    node = {
        "@type": "MedicalClinic",
        "@id": clinic_id(clinic),
        "name": clinic.name,
        "url": _url(clinic.get_absolute_url()),
        "telephone": clinic.phone.as_international if clinic.phone else "",
        "medicalSpecialty": f"{SCHEMA}/Physiotherapy",
        "parentOrganization": {"@id": organization_id()},
        "address": {
            "@type": "PostalAddress",
            "streetAddress": clinic.street_address,
            "addressLocality": clinic.city,
            "addressRegion": clinic.state,
            "postalCode": clinic.postal_code,
            "addressCountry": "US",
        },
        "hasMap": clinic.map_url,
        "openingHoursSpecification": [
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": f"{SCHEMA}/{hours.get_weekday_display()}",
                "opens": hours.opens.strftime("%H:%M"),
                "closes": hours.closes.strftime("%H:%M"),
            }
            for hours in clinic.opening_hours.all()
        ],
        # Google reads opens = closes = 00:00 as "closed all day".
        "specialOpeningHoursSpecification": [
            {
                "@type": "OpeningHoursSpecification",
                "validFrom": closure.date,
                "validThrough": closure.date,
                "opens": "00:00",
                "closes": "00:00",
                "description": closure.reason,
            }
            for closure in upcoming_closures(clinic, now)
        ],
    }
    if team:
        node["employee"] = [{"@id": person_id(s)} for s in team]
    if plans:
        # schema.org's word for the insurance networks a provider is in.
        node["healthPlanNetworkId"] = [plan.name for plan in plans]
        node["paymentAccepted"] = "Health insurance, Cash, Credit card"
        node["isAcceptingNewPatients"] = True
    return node


def person_id(specialist):
    return _url(specialist.get_absolute_url() + "#person")


def person(specialist):
    node = {
        "@type": "Person",
        "@id": person_id(specialist),
        "name": specialist.name,
        "jobTitle": specialist.title,
        "url": _url(specialist.get_absolute_url()),
        "worksFor": [{"@id": clinic_id(c)} for c in specialist.clinics.all()],
        "memberOf": {"@id": organization_id()},
        "hasCredential": [
            {
                "@type": "EducationalOccupationalCredential",
                "name": credential.name,
                "alternateName": credential.abbreviation,
            }
            for credential in specialist.credentials.all()
        ],
    }
    if specialist.credentials_display:
        node["honorificSuffix"] = specialist.credentials_display
    if specialist.treats:
        node["knowsAbout"] = specialist.treats
    if specialist.photo:
        # A copy made for the site, not the upload (which may carry where the photo was taken).
        node["image"] = _url(images.largest_url(specialist.photo, specialist.photo_width))
    return node


def article(guide):
    node = {
        "@type": "Article",
        "@id": _url(guide.get_absolute_url() + "#article"),
        "headline": guide.title,
        "description": guide.summary,
        "url": _url(guide.get_absolute_url()),
        "mainEntityOfPage": _url(guide.get_absolute_url()),
        "datePublished": _datetime(guide.published_at),
        "dateModified": _datetime(guide.updated_at),
        "inLanguage": "en-US",
        "publisher": {"@id": organization_id()},
        "author": {"@id": organization_id()},
        "image": _url(static("img/og-card.png")),
    }
    if guide.reviewed_by and guide.reviewed_by.is_active:
        # The therapist who checked the guide; reviewedBy belongs to WebPage, not Article.
        node["contributor"] = {"@id": person_id(guide.reviewed_by), "@type": "Person", "name": guide.reviewed_by.name}
    return node
