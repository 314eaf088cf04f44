"""Staff-written Markdown to HTML that is safe to show on the site.

Markdown passes raw HTML through, so its output is only trusted after nh3 (an allow-list
sanitizer) has removed scripts, event handlers, styles and `javascript:` URLs.
"""

import re
from urllib.parse import urlsplit

import markdown as markdown_lib
import nh3
from django.conf import settings

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def _is_own_url(url):
    """True for a link to this site: a path (`/media/a.jpg`) or an absolute SITE_URL address."""
    if url.startswith("/") and not url.startswith("//"):
        return True
    site, target = urlsplit(settings.SITE_URL), urlsplit(url)
    return (target.scheme, target.netloc) == (site.scheme, site.netloc)


def _filter_attribute(tag, attribute, value):
    # Images load without a click, so an off-site image would be a third-party request
    # from our page (and CSP blocks it anyway): keep only our own.
    if tag == "img" and attribute == "src" and not _is_own_url(value):
        return None
    return value


def render_markdown(text):
    """Markdown to sanitized HTML, ready to mark safe in a template."""
    html = markdown_lib.markdown(text or "", extensions=["sane_lists", "fenced_code"], output_format="html")
    # The page's title is its only <h1>: a "# Heading" written by staff becomes an <h2>.
    html = re.sub(r"<(/?)h1\b", r"<\1h2", html, flags=re.IGNORECASE)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener",
        strip_comments=True,
    )
