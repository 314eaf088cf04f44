import pytest

from armorpt.markdown import render_markdown
from tests.content.pages import Page


def test_staff_markdown_becomes_html():
    html = render_markdown(
        "# Title\n\n## Part\n\nSome *soft* and **strong** text.\n\n* one\n* two\n\n1. first\n2. second\n\n"
        "> A quote\n\n`code`\n\n[Our clinics](/locations/) and [a study](https://example.org/study)\n\n"
        "![A yoga mat](/media/guides/mat.jpg)"
    )

    page = Page(html)
    # The page title is the only <h1>; a "#" heading written by staff comes out one level down.
    assert [(e.tag, e.text) for e in page.find_all() if e.tag[0] == "h"] == [("h2", "Title"), ("h2", "Part")]
    assert page.find("em").text == "soft" and page.find("strong").text == "strong"
    assert len(page.find_all("ul")) == 1 and len(page.find_all("ol")) == 1
    assert page.find("blockquote").text == "A quote"
    assert page.find("code").text == "code"
    assert page.find("a", href="/locations/").attrs["rel"] == "noopener"
    assert page.find("a", href="https://example.org/study").attrs["rel"] == "noopener"
    assert page.find("img").attrs == {"src": "/media/guides/mat.jpg", "alt": "A yoga mat"}


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert('x')</script>",
        "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
        '<img src="/media/x.png" onerror="alert(1)">',
        "<svg onload=alert(1)></svg>",
        '<a href="#" onclick="alert(1)">x</a>',
        "[x](javascript:alert(1))",
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<a href="java&#x09;script:alert(1)">x</a>',
        '<a href="  javascript:alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        '<p style="background:url(javascript:alert(1))">x</p>',
        "<form action=https://evil.example><button>x</button></form>",
        '<object data="x.swf"></object><embed src="x.swf">',
        '<a href="data:text/html,<script>alert(1)</script>">x</a>',
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    ],
)
def test_markdown_cannot_carry_script(markdown):
    html = render_markdown(markdown)

    page = Page(html)
    for element in page.find_all():
        assert element.tag not in {"script", "iframe", "svg", "form", "object", "embed", "style", "math", "button"}
        assert not any(name.startswith("on") or name == "style" for name in element.attrs), element
        for name in ("href", "src"):
            value = element.attrs.get(name, "").replace(" ", "").lower()
            assert not value.startswith(("javascript:", "data:")), element


def test_images_from_other_sites_lose_their_source(settings):
    settings.SITE_URL = "https://armorpt.example"

    html = render_markdown(
        "![tracker](https://tracker.example/pixel.gif) ![ours](https://armorpt.example/media/a.png) "
        "![sneaky](//tracker.example/pixel.gif)"
    )

    sources = [img.attrs.get("src") for img in Page(html).find_all("img")]
    assert sources == [None, "https://armorpt.example/media/a.png", None]


def test_empty_body_is_empty():
    assert render_markdown("") == ""
