"""On a phone, a phone number stands on one line: "(269)" at the end of a line and "555-0101" on the
next reads as two numbers. The footer lists every clinic's, so every page has some."""

import pytest

pytestmark = pytest.mark.e2e(needs=("chromium",))

PHONE = {"width": 375, "height": 812}
SMALLEST_PHONE = {"width": 320, "height": 640}

# Each number's text and how many lines it takes, for every tel: link on the page.
LINES_PER_NUMBER = """() => [...document.querySelectorAll('a[href^="tel:"]')].map(link => {
  const range = document.createRange();
  range.selectNodeContents(link.querySelector(".nowrap") || link);
  const tops = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
  return [link.textContent.trim(), tops.size];
})"""


@pytest.mark.parametrize("viewport", [PHONE, SMALLEST_PHONE], ids=["375px", "320px"])
@pytest.mark.parametrize("path", ["/", "/locations/battle-creek/", "/book/"])
def test_phone_numbers_never_break_across_lines_on_a_phone(demo, journey, path, viewport):
    page = journey.new_page(viewport=viewport)
    page.goto(path)
    journey.step(page, f"{path} at {viewport['width']} px")  # also checks nothing scrolls sideways

    numbers = page.evaluate(LINES_PER_NUMBER)
    assert len(numbers) >= 5  # the footer's, at least
    assert [text for text, lines in numbers if lines != 1] == []
