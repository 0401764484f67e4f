"""The list page's frame rendered once per process (articles.stored.list_page), each request's title and content
put in."""

import pytest
from django.test.signals import template_rendered

from articles import stored
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_frame(settings):
    settings.ROOT_URLCONF = "config.urls"
    settings.READER_CACHE_SECONDS = 0  # every request renders: the frame's memo is what is measured
    stored.list_frame.cache_clear()
    yield
    stored.list_frame.cache_clear()


@pytest.fixture
def rendered_templates():
    names = []

    def record(sender, template, **kwargs):
        names.append(template.name)

    template_rendered.connect(record)
    yield names
    template_rendered.disconnect(record)


def test_the_frame_is_rendered_once_and_each_request_gets_its_own_title_and_content(
    client, article, rendered_templates
):
    published = factories.publish(article)

    first = client.get("/articles/", {"q": "tremor"}).content.decode()
    second = client.get("/articles/").content.decode()

    assert rendered_templates.count("articles/base.html") == 1
    assert "<title>Search: tremor – Articles – Medically reviewed answers</title>" in first
    assert "for “tremor”" in first
    assert "<title>Articles – Medically reviewed answers</title>" in second
    assert published.approved_revision.title in second
    for page in (first, second):
        assert page.count("<header") == 1 and page.count("<footer") == 1 and page.count("<main") == 1
        assert 'href="/articles/" aria-current="page">Articles</a>' in page


def test_a_query_holding_the_slots_and_markup_stays_text(client, article):
    factories.publish(article)
    query = f"{stored.LIST_CONTENT_SLOT}{stored.LIST_TITLE_SLOT}<script>alert(1)</script>"

    page = client.get("/articles/", {"q": query}).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert stored.LIST_CONTENT_SLOT not in page and stored.LIST_TITLE_SLOT not in page
    assert page.count("<main") == 1 and page.count("<title>") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_signed_in_reader_gets_the_list_with_their_own_account_links(client, article):
    factories.publish(article)
    member = type(client)()
    member.force_login(factories.AuthorFactory())

    own = member.get("/articles/").content.decode()
    anonymous = client.get("/articles/").content.decode()

    assert "Your workspace" in own and "Sign in" not in own
    assert "Sign in" in anonymous and "Your workspace" not in anonymous
