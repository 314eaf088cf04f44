from django import template

from practice import selectors

register = template.Library()


@register.filter
def kinds_taken(plans):
    """The kinds of cover `plans` give, in words: "employer and private plans", "Medicare", …"""
    return selectors.kinds_taken(plans)
