import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article, ArticleState, Revision
from articles.search import prefix_tsquery, search_published
from tests import factories

pytestmark = pytest.mark.django_db


def make_article(neurology, *, publish_it=True, **revision):
    article = factories.ArticleFactory(specialty=neurology, revision=False)
    factories.RevisionFactory(article=article, **revision)
    return factories.publish(article) if publish_it else article


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


def test_every_word_typed_in_part_still_finds_the_article(neurology):
    article = make_article(neurology, title="What causes myoclonus?", summary_patient="Sudden jerks of a muscle.")
    make_article(neurology, title="What is a migraine?", summary_patient="A headache.")

    assert slugs(search_published("myoclon")) == [article.slug]
    if connection.vendor == "postgresql":
        assert slugs(search_published("myocl jerk")) == [article.slug]


def test_a_word_typed_in_part_never_finds_a_newer_revision_under_review(neurology):
    article = make_article(neurology, title="What is a tremor?")
    article.revise()
    article.save()
    factories.RevisionFactory(article=article, title="What is a tremor? Xerodermia", summary_patient="Xerodermia.")
    article.submit()
    article.start_review()
    article.save()

    assert slugs(search_published("xerodermia")) == []
    assert slugs(search_published("xeroderm")) == []
    assert slugs(search_published("trem")) == [article.slug]


@pytest.mark.parametrize(
    "query",
    [
        "'",
        "&",
        "!",
        ":*",
        "(",
        ")",
        "|",
        "<->",
        '"',
        "\\",
        "-",
        "-or",
        "'; DROP TABLE articles_article; --",
        "a:*b",
        "²",
    ],
)
def test_a_query_of_operators_and_punctuation_does_not_fail(neurology, query):
    make_article(neurology, title="What causes myoclonus?")

    found = slugs(search_published(query))  # a malformed tsquery would raise here

    if connection.vendor == "postgresql":
        assert found == []  # no word in the query: nothing to find (SQLite matches it as a substring)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "query", ["myoclonus!", "(myoclonus", "myoclonus:*", "'myoclonus'", "myoclonus & |", "<myoclonus>"]
)
def test_operators_around_a_word_still_find_it(neurology, query):
    article = make_article(neurology, title="What causes myoclonus?")

    assert slugs(search_published(query)) == [article.slug]


@pytest.mark.postgres
def test_a_query_without_letters_or_digits_finds_nothing(neurology):
    make_article(neurology, title="What causes myoclonus? (jerks)")

    assert slugs(search_published("?! ()")) == []


@pytest.mark.postgres
def test_a_title_match_by_prefix_ranks_above_a_body_only_match(neurology):
    body_only = make_article(
        neurology, title="What is a tic?", sections=[{"heading": "See", "body": "Myoclonic jerks [1]."}]
    )
    in_title = make_article(neurology, title="Myoclonic epilepsy in children")

    assert slugs(search_published("myoclon")) == [in_title.slug, body_only.slug]


@pytest.mark.postgres
def test_search_reads_alternatives_and_phrases(neurology):
    tremor = make_article(neurology, title="What is an essential tremor?")
    migraine = make_article(neurology, title="What is a migraine aura?")
    make_article(neurology, title="What is a tic?")

    assert sorted(slugs(search_published("tremor or migraine"))) == sorted([tremor.slug, migraine.slug])
    assert slugs(search_published('"essential trem"')) == [tremor.slug]
    assert slugs(search_published('"tremor essential"')) == []


def test_prefix_query_is_built_from_letters_and_digits_only():
    assert prefix_tsquery("jerk -sleep") == "((jerk:*) & !(sleep))"
    assert prefix_tsquery('"essential tremor" or tic') == "((essential:* <-> tremor:*)) | ((tic:*))"
    assert prefix_tsquery("covid-19 ') & !:*") == "((covid:* & 19:*))"
    assert prefix_tsquery("'&!():*|") == ""


@pytest.mark.postgres
def test_search_uses_the_revisions_full_text_index(neurology, author):
    make_article(neurology, title="What causes myoclonus?")
    # A thousand published articles (in bulk: through the services it would take minutes).
    others = Article.objects.bulk_create(
        Article(slug=f"migraine-{n}", specialty=neurology, state=ArticleState.APPROVED, approved_at=timezone.now())
        for n in range(1000)
    )
    revisions = Revision.objects.bulk_create(
        Revision(article=article, number=1, title=f"Migraine {n}", created_by=author)
        for n, article in enumerate(others)
    )
    for article, revision in zip(others, revisions, strict=True):
        article.current_revision = article.approved_revision = revision
    Article.objects.bulk_update(others, ["current_revision", "approved_revision"])

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article, articles_revision")
        # These revisions are a few words each, real ones pages of text: a scan would read them all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = search_published("myoclonus").explain()

    assert "articles_revision_search_gin" in plan
