from django import template

from content.structured_data import script_tag

register = template.Library()


@register.simple_tag
def json_ld(data):
    """The page's schema.org data as <script type="application/ld+json"> (not executed, so CSP allows it)."""
    return script_tag(data) if data else ""
