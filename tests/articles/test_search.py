import pytest

from articles.search import search_published
from tests import factories

pytestmark = pytest.mark.django_db


def publish(article):
    """Take the article's current revision through review to approval, as the services would."""
    revision = article.current_revision
    article.submit()
    article.start_review()
    article.approve(reviewed=revision, when=revision.created_at)
    article.save()
    return article


def make_article(neurology, *, publish_it=True, **revision):
    article = factories.ArticleFactory(specialty=neurology, revision=False)
    factories.RevisionFactory(article=article, **revision)
    return publish(article) if publish_it else article


def slugs(articles):
    return [article.slug for article in articles]


def test_search_finds_the_title_summaries_and_sections_of_approved_articles(neurology):
    by_title = make_article(neurology, title="What causes myoclonus?")
    by_summary = make_article(neurology, title="Why do legs twitch?", summary_patient="Often myoclonus.")
    by_section = make_article(
        neurology, title="What is a tic?", sections=[{"heading": "Causes", "body": "Sometimes myoclonus [1]."}]
    )
    make_article(neurology, title="What is a migraine?")

    found = slugs(search_published("myoclonus"))

    assert sorted(found) == sorted([by_title.slug, by_summary.slug, by_section.slug])


def test_search_ignores_words_only_in_a_newer_unapproved_draft(neurology):
    article = make_article(neurology, title="What is a tremor?")
    article.revise()
    article.save()
    factories.RevisionFactory(
        article=article,
        title="What is a tremor? Asterixis",
        summary_patient="Asterixis.",
        sections=[{"heading": "Asterixis", "body": "Asterixis [1]."}],
    )

    assert slugs(search_published("asterixis")) == []
    assert slugs(search_published("tremor")) == [article.slug]


def test_search_never_finds_a_never_approved_or_retracted_article(neurology):
    make_article(neurology, publish_it=False, title="Chorea in a draft?")
    retracted = make_article(neurology, title="Chorea, retracted?")
    retracted.retract()
    retracted.save()

    assert slugs(search_published("chorea")) == []


@pytest.mark.postgres
def test_search_does_not_match_the_json_key_names_of_sections(neurology):
    make_article(neurology, title="What is a tic?")

    assert slugs(search_published("heading")) == []


def test_empty_search_lists_every_published_article(neurology):
    first = make_article(neurology)
    second = make_article(neurology)

    assert sorted(slugs(search_published("  "))) == sorted([first.slug, second.slug])


def test_a_word_typed_in_part_still_finds_the_article(neurology):
    article = make_article(neurology, title="What causes myoclonus?")

    assert slugs(search_published("myoclon")) == [article.slug]


def test_search_page_shows_matches_and_their_count(client, neurology):
    make_article(neurology, title="What causes myoclonus?")
    make_article(neurology, title="What is a migraine?")

    html = client.get("/articles/", {"q": "myoclonus"}).content.decode()

    assert "What causes myoclonus?" in html
    assert "What is a migraine?" not in html
    assert "1 result for" in html


@pytest.mark.postgres
def test_title_match_ranks_above_a_body_only_match(neurology):
    body_only = make_article(
        neurology, title="What is a tic?", sections=[{"heading": "Related", "body": "Unlike myoclonus, a tic [1]."}]
    )
    summary = make_article(neurology, title="Why do legs twitch?", summary_professional="Myoclonus, often.")
    in_title = make_article(neurology, title="What causes myoclonus?")

    assert slugs(search_published("myoclonus")) == [in_title.slug, summary.slug, body_only.slug]


@pytest.mark.postgres
def test_full_text_search_stems_words_and_reads_web_search_syntax(neurology):
    jerks = make_article(neurology, title="What causes sudden jerks?")
    jerks_and_sleep = make_article(neurology, title="Why do I jerk in my sleep?")

    assert sorted(slugs(search_published("jerking"))) == sorted([jerks.slug, jerks_and_sleep.slug])
    assert slugs(search_published("jerk -sleep")) == [jerks.slug]
