"""The reader templates' tags: addresses reversed once, and the same as ``{% url %}`` gives."""

import pytest
from django.template import Context, Template
from django.urls import set_script_prefix

READER_PAGES = ("articles:list", "articles:feed", "articles:editorial_policy")


def render(source: str) -> str:
    return Template("{% load reader %}" + source).render(Context())


@pytest.fixture
def _script_prefix():
    yield
    set_script_prefix("/")


@pytest.mark.parametrize("urlconf", ["articles.urls", "config.urls"])
def test_page_url_gives_what_the_url_tag_gives(settings, urlconf):
    settings.ROOT_URLCONF = urlconf
    for name in READER_PAGES:
        assert render(f"{{% page_url '{name}' %}}") == render(f"{{% url '{name}' %}}")


@pytest.mark.usefixtures("_script_prefix")
def test_page_url_follows_the_script_prefix_of_each_request():
    set_script_prefix("/site/")
    mounted = render("{% page_url 'articles:list' %}")
    set_script_prefix("/")
    at_root = render("{% page_url 'articles:list' %}")

    assert (mounted, at_root) == ("/site/articles/", "/articles/")
