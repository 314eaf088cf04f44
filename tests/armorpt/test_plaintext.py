"""Staff-written Markdown as the plain-text part of an email (armorpt.plaintext)."""

from armorpt.markdown import render_markdown
from armorpt.plaintext import html_to_text


def as_text(markdown):
    return html_to_text(render_markdown(markdown))


def test_lists_keep_their_markers_numbers_and_nesting():
    text = as_text("- Walk\n- Stretch\n    - hamstrings\n    - calves\n\n3. Third\n4. Fourth\n\nDone.")

    assert text == "- Walk\n- Stretch\n  - hamstrings\n  - calves\n\n3. Third\n4. Fourth\n\nDone."


def test_links_say_where_they_go_once():
    text = as_text(
        "Mail [the desk](mailto:desk@armorpt.test), call [(269) 555-0101](tel:+12695550101), "
        "or see <https://armorpt.test/guides/>."
    )

    assert text == ("Mail the desk (desk@armorpt.test), call (269) 555-0101, or see\nhttps://armorpt.test/guides/.")


def test_line_breaks_quotes_and_code_stay_where_the_writer_put_them():
    text = as_text("Line one  \nline two\n\n> Quoted\n\n    code  indented\n\n---\n\nAfter")

    assert text == "Line one\nline two\n\n    Quoted\n\n    code  indented\n\n" + "-" * 24 + "\n\nAfter"


def test_nothing_in_nothing_out():
    assert html_to_text("") == "" and as_text("<script>alert(1)</script>") == ""
