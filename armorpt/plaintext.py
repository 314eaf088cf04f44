"""The plain-text part of an email, read from the HTML part that armorpt.markdown made.

Written for the tags render_markdown lets through, so the text says what the HTML says (after the
same sanitizing): headings underlined, paragraphs wrapped, list items with "- " or "1. ", links as
"text (address)", and no Markdown or HTML left. A mail program that shows only the text part
shows a letter rather than source code.
"""

import textwrap
from html.parser import HTMLParser

WIDTH = 72
HEADINGS = {"h1": "=", "h2": "=", "h3": "-", "h4": "-", "h5": "-", "h6": "-"}
BLOCKS = {"p", "ul", "ol", "li", "blockquote", "pre", "hr", *HEADINGS}


def html_to_text(html: str, *, width: int = WIDTH) -> str:
    """Readable plain text for `html`; link addresses are written out as they are in it."""
    reader = _Reader(width)
    reader.feed(html or "")
    reader.close()
    return reader.text()


class _Reader(HTMLParser):
    def __init__(self, width):
        super().__init__(convert_charrefs=True)
        self.width = width
        self.blocks = []  # (text, which list or None): finished blocks
        self.pieces = []  # the text of the block being read
        self.indents = []  # one per open list item or quote
        self.lists = []  # one per open list: the next number, or None for bullets
        self.list_count = 0  # which outermost list the blocks being read belong to
        self.marker = ""  # a list item's "- " or "3. ", until its first line is written
        self.marker_at = 0  # the item's place in self.indents, where the marker stands on that line
        self.links = []  # (href, where its text starts in self.pieces)
        self.heading = None
        self.pre = 0  # inside <pre>: lines kept as they are, indented

    # --- Tags ---------------------------------------------------------------------------------

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in BLOCKS:
            self._flush()
        if tag in ("ul", "ol"):
            self.list_count += not self.lists
            self.lists.append(_start(attrs) if tag == "ol" else None)
        elif tag == "li":
            number = self.lists[-1] if self.lists else None
            self.marker = "- " if number is None else f"{number}. "
            if number is not None:
                self.lists[-1] += 1
            self.indents.append(" " * len(self.marker))
            self.marker_at = len(self.indents) - 1
        elif tag == "blockquote":
            self.indents.append("    ")
        elif tag == "pre":
            self.pre += 1
            self.indents.append("    ")
        elif tag in HEADINGS:
            self.heading = tag
        elif tag == "hr":
            self.blocks.append(("-" * 24, None))
        elif tag == "br":
            self.pieces.append("\n")
        elif tag == "a":
            self.links.append((attrs.get("href") or "", len(self.pieces)))
        elif tag == "img" and attrs.get("alt"):
            self.pieces.append(f" {attrs['alt']} ")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "img", "hr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "a" and self.links:
            self._end_link(*self.links.pop())
            return
        if tag not in BLOCKS:
            return
        self._flush()
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag in ("li", "blockquote") and self.indents:
            self.indents.pop()
            self.marker = ""
        elif tag == "pre" and self.pre:
            self.pre -= 1
            self.indents.pop()
        elif tag in HEADINGS:
            self.heading = None

    def handle_data(self, data):
        self.pieces.append(data)

    def _end_link(self, href, start):
        label = " ".join("".join(self.pieces[start:]).split())
        address = href.removeprefix("mailto:").removeprefix("tel:")
        if not address or address == label or href.startswith("#") or _same_number(href, label):
            return
        self.pieces.append(f" ({address})" if label else address)

    # --- Blocks -------------------------------------------------------------------------------

    def _flush(self):
        raw, self.pieces = "".join(self.pieces), []
        indent = "".join(self.indents)
        first = indent
        if self.marker:
            first = "".join(self.indents[: self.marker_at]) + self.marker + "".join(self.indents[self.marker_at + 1 :])
        if self.pre:
            lines = raw.strip("\n").splitlines() or [""]
            block = "\n".join(first + lines[0] if i == 0 else indent + line for i, line in enumerate(lines))
        else:
            # A <br> starts a new line; any other run of whitespace is one space, as in a browser.
            lines = [" ".join(line.split()) for line in raw.split("\n")]
            lines = [line for line in lines if line]
            if not lines:
                return  # an item's text may come in a later block (<li><p>…): keep its marker for it
            if self.heading:
                line = " ".join(lines)
                rule = HEADINGS[self.heading] * min(len(line), self.width)
                block = f"{first}{line}\n{indent}{rule}"
            else:
                block = "\n".join(self._wrap(line, first if i == 0 else indent, indent) for i, line in enumerate(lines))
        if block.strip():
            self.blocks.append((block, self.list_count if self.lists else None))
            self.marker = ""

    def _wrap(self, line, first, rest):
        # An address is never broken: a long one gets a line of its own instead.
        return textwrap.fill(
            line,
            self.width,
            initial_indent=first,
            subsequent_indent=rest,
            break_long_words=False,
            break_on_hyphens=False,
        )

    def text(self):
        self._flush()
        out = ""
        for i, (block, in_list) in enumerate(self.blocks):
            if i:
                # The items of a list stand on consecutive lines; everything else is a paragraph apart.
                out += "\n" if in_list and in_list == self.blocks[i - 1][1] else "\n\n"
            out += block
        return out


def _same_number(href, label):
    """True for a tel: link whose text is its number written for people: "(269) 555-0101"."""
    digits = "".join(c for c in label if c.isdigit())
    return href.startswith("tel:") and len(digits) >= 7 and "".join(c for c in href if c.isdigit()).endswith(digits)


def _start(attrs):
    try:
        return int(attrs.get("start") or 1)
    except ValueError:
        return 1
