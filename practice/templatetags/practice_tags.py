from django import template
from django.utils.translation import gettext

from practice import selectors

register = template.Library()


@register.filter
def kinds_taken(plans):
    """The kinds of cover `plans` give, in words: "employer and private plans", "Medicare", …"""
    return [gettext(words) for words in selectors.kinds_taken(plans)]
