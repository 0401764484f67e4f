"""Feeds are text: markup an author writes never runs in a reader's feed reader."""

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


class _Tags(HTMLParser):
    """The elements and attributes a browser would build from an HTML fragment."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


ATOM = "{http://www.w3.org/2005/Atom}"
SCRIPT = "<script>alert(1)</script>"
IMAGE = '<img src="x" onerror="alert(2)">'


def test_markup_in_every_field_that_reaches_the_feed_arrives_as_text(client, author):
    specialty = factories.SpecialtyFactory(name=f"Neuro{SCRIPT}", slug="neuro")
    article = factories.ArticleFactory(authors=[author], specialty=specialty, revision=False)
    factories.RevisionFactory(
        article=article,
        created_by=author,
        title=f"What is {SCRIPT}{IMAGE}?",
        summary_patient=f'**Plain** words {SCRIPT} and {IMAGE} and <a href="javascript:alert(3)">a link</a>.',
    )
    factories.publish(article)

    response = client.get("/articles/feed/")

    assert response.status_code == 200
    [entry] = ET.fromstring(response.content).findall(f"{ATOM}entry")  # noqa: S314  (our own feed)
    title = entry.find(f"{ATOM}title")
    assert title.get("type") in (None, "text")  # Atom text: the reader shows the characters
    assert title.text == f"What is {SCRIPT}{IMAGE}?"
    summary = entry.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    html = summary.text  # what a feed reader renders as HTML
    assert "<strong>Plain</strong>" in html  # the page's Markdown, through the page's allow-list
    assert [tag for tag, _ in _Tags(html).tags] == ["p", "strong"]  # no script, image or link element
    assert not any(attrs for _, attrs in _Tags(html).tags)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text
    [category] = entry.findall(f"{ATOM}category")
    assert category.get("term") == f"Neuro{SCRIPT}"  # an attribute: text by definition
