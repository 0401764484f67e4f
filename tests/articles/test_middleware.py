"""Readers' article and list pages answered early in the middleware stack: same answer, fewer layers."""

import pytest
from django.conf import settings as django_settings

from articles import cache as reader_cache
from articles.middleware import reader_view
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reader_urls(settings):
    settings.ROOT_URLCONF = "articles.urls"


def url(article):
    return f"/articles/{article.slug}/"


def went_down_the_stack(response) -> bool:
    """Return whether the request passed the authentication middleware (which the early answer skips)."""
    return hasattr(response.wsgi_request, "user")


def headers(response) -> dict:
    return {name: value for name, value in response.headers.items() if name != "X-Request-ID"}


def test_middleware_sits_below_the_security_headers_and_above_the_session():
    order = django_settings.MIDDLEWARE
    early = order.index("articles.middleware.ReaderPagesMiddleware")
    for layer in ("SecurityMiddleware", "CSPMiddleware", "XFrameOptionsMiddleware"):
        assert next(i for i, name in enumerate(order) if name.endswith(layer)) < early
    for layer in ("SessionMiddleware", "CsrfViewMiddleware", "AuthenticationMiddleware", "MessageMiddleware"):
        assert next(i for i, name in enumerate(order) if name.endswith(layer)) > early


def test_cache_hit_is_answered_early_with_the_views_headers_and_body(client, published, django_assert_num_queries):
    rendered = client.get(url(published))
    with django_assert_num_queries(0):
        hit = client.get(url(published))

    assert not went_down_the_stack(rendered) and not went_down_the_stack(hit)
    assert hit.status_code == 200
    assert hit.content == rendered.content
    assert headers(hit) == headers(rendered)
    assert hit["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in hit
    assert hit["Content-Length"] == str(len(hit.content))


def test_early_answer_keeps_the_audience_cookie_and_conditional_get(client, published):
    client.get(url(published), {"audience": "professional"})
    client.cookies.clear()

    chosen = client.get(url(published), {"audience": "professional"})
    revalidated = client.get(url(published), HTTP_IF_NONE_MATCH=chosen["ETag"])

    assert not went_down_the_stack(chosen) and not went_down_the_stack(revalidated)
    assert chosen.cookies["audience"].value == "professional"
    assert chosen["Cache-Control"] == "private, max-age=60"
    assert revalidated.status_code == 304


def test_head_is_answered_early_and_post_goes_down_the_stack(client, published):
    client.get(url(published))

    head = client.head(url(published))
    post = client.post(url(published))

    assert (head.status_code, went_down_the_stack(head)) == (200, False)
    assert went_down_the_stack(post)


def test_a_miss_and_the_list_are_answered_early_too_with_the_same_answer(client, published, settings):
    settings.READER_CACHE_SECONDS = 0  # the stored page, not the cache
    early = client.get(url(published))
    listed = client.get("/articles/")

    assert not went_down_the_stack(early) and not went_down_the_stack(listed)
    assert early.status_code == listed.status_code == 200
    assert published.approved_revision.title in listed.content.decode()
    assert 'aria-current="page"' in listed.content.decode()  # the handler's resolver match, set early too
    assert early["Content-Length"] == str(len(early.content))


def test_other_pages_go_down_the_stack_and_signed_in_readers_are_answered_early(client, published, author, settings):
    settings.ROOT_URLCONF = "config.urls"  # the workspaces the account link leads to
    feed = client.get("/articles/feed/")
    client.force_login(author)
    signed_in = client.get(url(published))
    listed = client.get("/articles/")

    assert went_down_the_stack(feed)
    assert not went_down_the_stack(signed_in) and not went_down_the_stack(listed)
    for response in (signed_in, listed):
        assert "Your workspace" in response.content.decode()
        assert response["Cache-Control"] == "private, no-cache"


def test_a_session_that_names_nobody_gets_the_anonymous_links_privately(client, published, settings):
    settings.ROOT_URLCONF = "config.urls"  # the sign-in page
    session = client.session  # a session of its own, with something in it but no person
    session["audience_note"] = "kept"
    session.save()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = session.session_key

    response = client.get(url(published))

    assert "Sign in" in response.content.decode() and "Your workspace" not in response.content.decode()
    assert response["Cache-Control"] == "private, no-cache"


def test_a_post_to_a_reader_page_goes_down_the_stack_with_its_session(client, published, author):
    client.force_login(author)

    response = client.post(url(published))

    assert went_down_the_stack(response)
    assert response.wsgi_request.user == author


def test_reader_views_are_told_from_others_by_the_urlconf():
    def view_name(path, urlconf):
        match = reader_view(path, urlconf)
        return match and match.view_name

    assert view_name("/articles/what-causes-myoclonus-jerks/", "articles.urls") == "articles:detail"
    assert view_name("/articles/", "articles.urls") == "articles:list"
    assert view_name("/articles/what-causes-myoclonus-jerks/follow-up/", "articles.urls") is None
    assert view_name("/articles/feed/", "articles.urls") is None
    assert view_name("/no/such/page/", "articles.urls") is None
    assert view_name("/articles/what-causes-myoclonus-jerks/", "config.urls") == "articles:detail"
    assert view_name("/author/articles/what-causes-myoclonus-jerks/", "config.urls") is None


def test_an_unknown_article_is_not_found_early(client, neurology):
    factories.ArticleFactory(specialty=neurology)  # a draft: readers never see it

    response = client.get("/articles/no-such-article/")

    assert response.status_code == 404
    assert not went_down_the_stack(response)


def test_a_retracted_article_answers_410_early(client, published, editor):
    from reviewboard import services

    services.article_retract(article=published, actor=editor, reason="Outdated advice")

    response = client.get(url(published))

    assert response.status_code == 410
    assert "Outdated advice" in response.content.decode()
    assert not went_down_the_stack(response)


def test_a_miss_asks_the_cache_once(client, published, monkeypatch):
    lookups = []
    lookup = reader_cache.lookup
    monkeypatch.setattr(reader_cache, "lookup", lambda slot, **kwargs: lookups.append(slot) or lookup(slot, **kwargs))

    missed = client.get(url(published))
    hit = client.get(url(published))

    assert (missed.status_code, hit.status_code) == (200, 200)
    assert len(lookups) == 2  # one a request
