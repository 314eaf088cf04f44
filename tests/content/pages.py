"""Reading rendered pages the way a browser or a crawler would, with the standard library only."""

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict
    parent: "Element | None" = None
    text_parts: list = field(default_factory=list)

    def is_inside(self, other):
        node = self.parent
        while node is not None:
            if node is other:
                return True
            node = node.parent
        return False

    @property
    def text(self):
        return " ".join("".join(self.text_parts).split())


class Page(HTMLParser):
    """Every element with its attributes and text, plus the page's JSON-LD."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self._open = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        parent = self._open[-1] if self._open else None
        element = Element(tag, {name: (value if value is not None else "") for name, value in attrs}, parent)
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self._open.pop()

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                return

    def handle_data(self, data):
        for element in self._open:
            element.text_parts.append(data)

    def find_all(self, tag=None, *, inside=None, cls=None, **attrs):
        """Elements by tag, one of their classes, and exact attribute values (aria_label= for aria-label)."""
        attrs = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
        return [
            e
            for e in self.elements
            if (tag is None or e.tag == tag)
            and (cls is None or cls in e.attrs.get("class", "").split())
            and all(e.attrs.get(k) == v for k, v in attrs.items())
            and (inside is None or e.is_inside(inside))
        ]

    def find(self, tag=None, *, inside=None, cls=None, **attrs):
        found = self.find_all(tag, inside=inside, cls=cls, **attrs)
        assert found, f"no <{tag}> with {attrs}"
        return found[0]

    @property
    def title(self):
        return self.find("title").text

    def meta(self, key):
        for element in self.find_all("meta"):
            if key in (element.attrs.get("name"), element.attrs.get("property")):
                return element.attrs.get("content")
        return None

    @property
    def headings(self):
        return [(int(e.tag[1]), e.text) for e in self.elements if e.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}]

    @property
    def json_ld(self):
        return [json.loads(e.text) for e in self.find_all("script", type="application/ld+json")]

    def links(self):
        return [e.attrs["href"] for e in self.find_all("a") if "href" in e.attrs]


def ld_nodes(page):
    """Every node of every JSON-LD block, @graph unpacked."""
    nodes = []
    for block in page.json_ld:
        nodes.extend(block.get("@graph", [block]))
    return nodes


def ld_types(page):
    types = set()
    for node in ld_nodes(page):
        kind = node.get("@type")
        types.update(kind if isinstance(kind, list) else [kind])
    return types


class FormReader(HTMLParser):
    """The values a browser would submit from the first <form> with the given id."""

    def __init__(self, html, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data = []
        self._textarea = None
        self._select = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside or "disabled" in attrs:
            return
        if tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            if kind not in {"submit", "button", "file", "image", "reset"}:
                self.data.append([attrs["name"], attrs.get("value", "on" if kind == "checkbox" else "")])
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = [attrs["name"], ""]
            self.data.append(self._textarea)
        elif tag == "select" and attrs.get("name"):
            self._select = {"name": attrs["name"], "first": None, "chosen": [], "multiple": "multiple" in attrs}
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attrs:
                self._select["chosen"].append(value)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None:
            select = self._select
            chosen = select["chosen"] or ([] if select["multiple"] else [select["first"] or ""])
            self.data.extend([select["name"], value] for value in chosen)
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            # A browser drops the newline that directly follows <textarea>.
            self._textarea[1] += data if self._textarea[1] else data.removeprefix("\n")

    def as_dict(self):
        result = {}
        for name, value in self.data:
            result.setdefault(name, []).append(value)
        return {name: values if len(values) > 1 else values[0] for name, values in result.items()}


def form_data(html, form_id):
    return FormReader(html, form_id).as_dict()
