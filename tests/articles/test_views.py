import datetime
import json
import re
from dataclasses import replace

import pytest
from django.utils import timezone
from django.utils.html import escape

from articles.models import ReferenceKind
from articles.services import revision_content, revision_create
from reviewboard import services
from tests import factories

pytestmark = pytest.mark.django_db

APPROVED_AT = datetime.datetime(2025, 6, 18, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _reader_urls(settings):
    # The lead mounts articles.urls at the site root; the reader tests use it as the whole site.
    settings.ROOT_URLCONF = "articles.urls"


def publish(article, *, when=APPROVED_AT, reviewers=()):
    return factories.publish(article, when=when, reviewers=reviewers)


@pytest.fixture
def published(article):
    return publish(article)


def article_url(article):
    return f"/articles/{article.slug}/"


# The list and search


def test_list_shows_only_published_articles(client, published, neurology):
    draft = factories.ArticleFactory(specialty=neurology)
    retracted = factories.ArticleFactory(specialty=neurology)
    publish(retracted)
    retracted.retract()
    retracted.save()

    response = client.get("/articles/")

    assert response.status_code == 200
    html = response.content.decode()
    assert published.approved_revision.title in html
    assert "Neurology" in html
    assert 'Last updated: <time datetime="2025-06-18">June 18, 2025</time>' in html
    assert draft.current_revision.title not in html
    assert retracted.approved_revision.title not in html


def test_list_shows_the_approved_title_not_a_newer_draft(client, published):
    published.revise()
    published.save()
    factories.RevisionFactory(article=published, title="A draft title nobody approved?")

    html = client.get("/articles/").content.decode()

    assert published.approved_revision.title in html
    assert "A draft title nobody approved?" not in html


def test_search_matches_title_and_summaries_of_the_approved_revision(client, neurology):
    by_title = factories.ArticleFactory(specialty=neurology, revision=False)
    factories.RevisionFactory(article=by_title, title="What causes myoclonus (jerks)?")
    by_summary = factories.ArticleFactory(specialty=neurology, revision=False)
    factories.RevisionFactory(article=by_summary, title="Why do legs twitch?", summary_professional="Myoclonic jerks.")
    other = factories.ArticleFactory(specialty=neurology, revision=False)
    factories.RevisionFactory(article=other, title="What is a migraine?")
    unpublished = factories.ArticleFactory(specialty=neurology, revision=False)
    factories.RevisionFactory(article=unpublished, title="Myoclonus in a draft?")
    for article in (by_title, by_summary, other):
        publish(article)

    html = client.get("/articles/", {"q": "MYOCLON"}).content.decode()

    assert "What causes myoclonus (jerks)?" in html
    assert "Why do legs twitch?" in html
    assert "What is a migraine?" not in html
    assert "Myoclonus in a draft?" not in html
    assert "2 results" in html


def test_list_is_paginated_by_twenty(client, neurology):
    for _ in range(21):
        publish(factories.ArticleFactory(specialty=neurology))

    first = client.get("/articles/")
    second = client.get("/articles/", {"page": 2})

    assert len(first.context["articles"]) == 20
    assert len(second.context["articles"]) == 1
    assert 'rel="next"' in first.content.decode()


# The article page


def test_article_page_shows_the_reference_page_elements(client, published):
    revision = published.approved_revision

    response = client.get(article_url(published))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<h1 id="article-title">{revision.title}</h1>' in html
    assert "All articles are reviewed for accuracy by our Medical Advisory Board" in html
    steps = re.findall(r"<li class=\"stepper__step[^\"]*\"( aria-current=\"step\")?>([^<]+)</li>", html)
    assert steps == [("", "Submitted"), ("", "Under Review"), (' aria-current="step"', "Approved")]
    assert 'Last updated: <time datetime="2025-06-18">June 18, 2025</time>' in html
    assert '<a href="/editorial-policy/">View editorial policy</a>' in html
    assert "Which best describes you?" in html
    assert "<h2>From the Guidelines</h2>" in html
    assert re.search(r'<a class="citation" href="#ref-1"[^>]*>1</a>', html)
    assert 'id="ref-1"' in html
    assert "Professional Medical Disclaimer" in html
    assert "Have a follow-up question?" in html
    assert f'<link rel="canonical" href="http://testserver/articles/{published.slug}/">' in html
    assert "<script>" not in html


def test_article_page_shows_the_approved_revision_not_a_newer_draft(client, published):
    approved = published.approved_revision
    published.revise()
    published.save()
    factories.RevisionFactory(
        article=published,
        title="Draft title?",
        summary_patient="Draft summary.",
        sections=[{"heading": "Draft heading", "body": "Draft body [1]."}],
    )
    published.submit()
    published.save()

    html = client.get(article_url(published)).content.decode()

    assert approved.title in html
    assert approved.summary_patient in html
    for draft_text in ("Draft title?", "Draft summary.", "Draft heading", "Draft body"):
        assert draft_text not in html


@pytest.mark.parametrize("slug", ["no-such-article", "never-approved"])
def test_unknown_or_never_approved_article_is_not_found(client, neurology, slug):
    factories.ArticleFactory(slug="never-approved", specialty=neurology)

    assert client.get(f"/articles/{slug}/").status_code == 404


def test_article_in_review_for_the_first_time_is_not_found(client, article):
    article.submit()
    article.start_review()
    article.save()

    assert client.get(article_url(article)).status_code == 404


def test_retracted_article_is_gone_with_a_notice_naming_it_and_shows_no_text(client, published):
    revision = published.approved_revision
    published.retract(notice="A dosing table was wrong & could mislead.")
    published.save()

    response = client.get(article_url(published))

    assert response.status_code == 410
    html = response.content.decode()
    assert "This article was retracted" in html
    # COPE: the notice names the article, the date, that the editors retracted it, and their reason.
    assert f"“<strong>{escape(revision.title)}</strong>” was retracted by our editors on" in html
    assert published.retracted_at.date().isoformat() in html
    assert "A dosing table was wrong &amp; could mislead." in html
    assert revision.summary_patient not in html
    assert "It is well known" not in html


# Audience


def shown_summary(html):
    """Return the summary in the wording the page shows: the page holds both, and site.css hides the one not
    of the article's data-audience (the meta description always uses the patient wording)."""
    audience = re.search(r'<article [^>]*data-audience="(\w+)"', html).group(1)
    summary = re.search(r'<section class="summary".*?</section>', html, re.S).group(0)
    return re.search(rf'<div class="for-audience" data-for="{audience}">(.*?)</div>', summary, re.S).group(1)


def test_audience_defaults_to_patients(client, published):
    html = client.get(article_url(published)).content.decode()

    assert "A short answer in plain words." in shown_summary(html)
    assert "A short answer for clinicians." not in shown_summary(html)
    assert 'value="patient" aria-pressed="true"' in html


def test_audience_choice_sets_a_cookie_switches_the_summary_and_is_remembered(client, published):
    response = client.get(article_url(published), {"audience": "professional"})

    assert response.cookies["audience"].value == "professional"
    assert response.cookies["audience"]["samesite"] == "Lax"
    assert response.cookies["audience"]["max-age"] > 0
    assert "A short answer for clinicians." in shown_summary(response.content.decode())
    assert "Cookie" in response["Vary"]

    remembered = client.get(article_url(published))  # the test client sends the cookie back

    assert "audience" not in remembered.cookies
    html = remembered.content.decode()
    assert "A short answer for clinicians." in shown_summary(html)
    assert "A short answer in plain words." not in shown_summary(html)
    assert 'value="professional" aria-pressed="true"' in html

    back = client.get(article_url(published), {"audience": "patient"})

    assert back.cookies["audience"].value == "patient"
    assert "A short answer in plain words." in shown_summary(back.content.decode())


def test_unknown_audience_is_ignored(client, published):
    response = client.get(article_url(published), {"audience": "<script>"})

    assert "audience" not in response.cookies
    assert "A short answer in plain words." in shown_summary(response.content.decode())


# References


def test_references_are_grouped_by_kind_with_their_links(client, neurology):
    article = factories.ArticleFactory(specialty=neurology, revision=False)
    revision = factories.RevisionFactory(
        article=article,
        references=[],
        sections=[{"heading": "From the Research", "body": "Guidance [1], studies [2, 3]."}],
    )
    factories.ReferenceFactory(
        revision=revision, number=1, kind=ReferenceKind.GUIDELINE, title="Guideline Directed Topic Overview",
        source="Medical Advisory Board & Editors", year=2025, url="https://example.org/guideline",
    )  # fmt: skip
    factories.ReferenceFactory(
        revision=revision, number=2, kind=ReferenceKind.RESEARCH, title="Myoclonus: current concepts.",
        source="The Lancet. Neurology", year=2004, doi="10.1016/S1474-4422(04)00875-7", pmid="15099546",
    )  # fmt: skip
    factories.ReferenceFactory(
        revision=revision, number=3, kind=ReferenceKind.RESEARCH, title="Treatment of myoclonus.",
        source="Neurotherapeutics", year=2014, url="javascript:alert(1)",
    )  # fmt: skip
    publish(article)

    html = client.get(article_url(article)).content.decode()

    assert re.search(r'href="#ref-2"[^>]*>2</a>, <a class="citation" href="#ref-3"[^>]*>3</a></sup>', html)
    assert html.index("<h3>Guideline</h3>") < html.index('id="ref-1"') < html.index("<h3>Research</h3>")
    assert html.index("<h3>Research</h3>") < html.index('id="ref-2"') < html.index('id="ref-3"')
    assert '<li id="ref-2" value="2"' in html
    # AMA style: the journal in italics, then the year.
    assert "<em>The Lancet. Neurology</em>. 2004." in html
    assert 'href="https://doi.org/10.1016/S1474-4422(04)00875-7"' in html
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/15099546/"' in html
    assert 'href="https://example.org/guideline"' in html
    assert "javascript:" not in html


# Reviewers and structured data


def test_reviewed_by_lists_the_approving_board_members_of_the_approved_revision(
    client, article, author, editor, board, neurology
):
    neuro1, neuro2, cardio = board
    for member, name in ((neuro1, ("Ada", "Lovelace")), (neuro2, ("Grace", "Hopper"))):
        member.user.first_name, member.user.last_name = name
        member.user.save()
    neuro1.credentials = "MD, PhD"
    neuro1.save()
    # A first round in which the cardiologist asks for changes to revision 1: not shown.
    services.article_submit(article=article, actor=author)
    first = services.assignment_create(article=article, board_member=cardio, actor=editor)
    services.assignment_accept(assignment=first, actor=cardio.user)
    services.review_submit(assignment=first, actor=cardio.user, decision="request_changes", comments_to_author="Fix.")
    content = revision_content(article.current_revision)
    revision_create(article=article, actor=author, content=replace(content, summary_patient="Better."))
    # The second round: an invited member who never reviews (cancelled at approval) is not shown either.
    other = factories.BoardMemberFactory(user__first_name="Not", user__last_name="Shown")
    services.article_submit(article=article, actor=author)
    services.assignment_create(article=article, board_member=other, actor=editor)
    published = publish(article, reviewers=[neuro1, neuro2])

    html = client.get(article_url(published)).content.decode()

    assert "Ada Lovelace, MD, PhD" in html
    assert "Grace Hopper, MD" in html
    assert html.index("Grace Hopper") < html.index("Ada Lovelace")  # by last name
    assert cardio.display_name not in html
    assert "Not Shown" not in html
    assert "Neurology" in html
    assert 'Reviewed on <time datetime="2025-06-18">June 18, 2025</time>' in html


def structured_data(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_page_carries_medical_web_page_json_ld(client, article, board):
    neuro1, neuro2, _ = board
    neuro1.user.first_name, neuro1.user.last_name = "Ada", "Lovelace"
    neuro1.user.save()
    neuro2.user.first_name, neuro2.user.last_name = "Grace", "Hopper"
    neuro2.user.save()
    published = publish(article, reviewers=[neuro1, neuro2])

    data = structured_data(client.get(article_url(published)).content.decode())

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "MedicalWebPage"
    assert data["name"] == published.approved_revision.title
    assert data["url"] == f"http://testserver/articles/{published.slug}/"
    assert data["lastReviewed"] == "2025-06-18"
    assert data["reviewedBy"] == [
        {"@type": "Person", "name": "Grace Hopper", "jobTitle": "MD"},
        {"@type": "Person", "name": "Ada Lovelace", "jobTitle": "MD"},
    ]


def test_json_ld_cannot_be_broken_out_of(client, neurology):
    article = factories.ArticleFactory(specialty=neurology, revision=False)
    factories.RevisionFactory(article=article, title="</script><script>alert(1)</script> & more?")
    publish(article)

    html = client.get(article_url(article)).content.decode()

    assert "<script>alert(1)" not in html
    assert structured_data(html)["name"] == "</script><script>alert(1)</script> & more?"


def test_user_html_in_sections_is_escaped(client, neurology):
    article = factories.ArticleFactory(specialty=neurology, revision=False)
    factories.RevisionFactory(
        article=article,
        summary_patient="<img src=x onerror=alert(1)>",
        sections=[
            {
                "heading": "<script>alert('heading')</script>",
                "body": "<script>alert('body')</script> [click](javascript:alert(1)) [1]",
            }
        ],
    )
    publish(article)

    html = client.get(article_url(article)).content.decode()

    assert "<script>alert" not in html
    assert "<img src=x" not in html  # escaped, never a tag (the page's own <img> is the logo)
    assert 'href="javascript:' not in html
    assert "&lt;script&gt;alert(&#x27;heading&#x27;)&lt;/script&gt;" in html


# Query count


def build_article(specialty, *, references, reviewers):
    article = factories.ArticleFactory(specialty=specialty, revision=False)
    body = " ".join(f"Claim [{n}]." for n in range(1, references + 1))
    revision = factories.RevisionFactory(
        article=article,
        references=[],
        sections=[{"heading": f"Section {n}", "body": body} for n in range(references)],
    )
    for number in range(1, references + 1):
        factories.ReferenceFactory(revision=revision, number=number, doi=f"10.1000/{number}", pmid=str(number))
    members = [
        factories.BoardMemberFactory(specialties=[specialty, factories.SpecialtyFactory()]) for _ in range(reviewers)
    ]
    return publish(article, reviewers=members)


@pytest.mark.parametrize(("references", "reviewers"), [(1, 2), (10, 5)])
def test_article_page_runs_a_fixed_number_of_queries(
    client, neurology, django_assert_max_num_queries, references, reviewers, settings
):
    settings.REVIEW_QUORUM = reviewers  # every reviewer approves before the quorum is met
    article = build_article(neurology, references=references, reviewers=reviewers)

    with django_assert_max_num_queries(8):
        response = client.get(article_url(article), {"audience": "professional"})

    assert response.status_code == 200
    assert response.content.decode().count('class="reviewer"') == reviewers


def test_article_list_runs_a_fixed_number_of_queries(client, neurology, django_assert_max_num_queries):
    for _ in range(5):
        publish(factories.ArticleFactory(specialty=factories.SpecialtyFactory()))

    with django_assert_max_num_queries(3):
        assert client.get("/articles/").status_code == 200


# Editorial policy, feed, sitemap


def test_editorial_policy_describes_the_review_process(client, settings):
    settings.REVIEW_QUORUM = 3

    html = client.get("/editorial-policy/").content.decode()

    assert "<h1>Editorial policy</h1>" in html
    assert "at least 3 board members approve it" in html
    assert "specialty" in html
    assert "reviewed again" in html


def test_feed_lists_only_published_articles_with_the_patient_summary(client, published, neurology):
    factories.ArticleFactory(specialty=neurology, revision=False)
    draft = factories.ArticleFactory(specialty=neurology)
    retracted = factories.ArticleFactory(specialty=neurology)
    publish(retracted)
    retracted.retract(notice="Superseded by newer trial data.")
    retracted.save()

    response = client.get("/articles/feed/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    xml = response.content.decode()
    assert xml.count("<entry>") == 2  # the published article, and the retraction notice
    assert f"Retracted: {retracted.approved_revision.title}" in xml
    assert "Our editors retracted this article. Superseded by newer trial data." in xml
    assert published.approved_revision.title in xml
    assert f"http://testserver/articles/{published.slug}/" in xml
    assert "A short answer in plain words." in xml
    assert "A short answer for clinicians." not in xml
    assert draft.slug not in xml
    retraction_entry = next(entry for entry in xml.split("<entry>") if "Retracted:" in entry)
    assert "A short answer" not in retraction_entry  # the notice, never the retracted text


@pytest.fixture
def _sitemaps_installed(settings):
    # The sitemap view renders django.contrib.sitemaps' own template, so the app must be installed.
    if "django.contrib.sitemaps" not in settings.INSTALLED_APPS:
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "django.contrib.sitemaps"]


@pytest.mark.usefixtures("_sitemaps_installed")
def test_sitemap_lists_only_published_articles(client, published, neurology):
    draft = factories.ArticleFactory(specialty=neurology)
    retracted = factories.ArticleFactory(specialty=neurology)
    publish(retracted)
    retracted.retract()
    retracted.save()

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    xml = response.content.decode()
    assert f"<loc>http://testserver/articles/{published.slug}/</loc>" in xml
    assert "<lastmod>2025-06-18</lastmod>" in xml
    assert "<loc>http://testserver/editorial-policy/</loc>" in xml
    assert draft.slug not in xml
    assert retracted.slug not in xml


def test_pages_use_the_app_stylesheet_and_no_inline_script(client, published):
    html = client.get(article_url(published)).content.decode()

    assert 'href="/static/articles/site.css"' in html
    # Data, and the audience switch from a static file: no inline script (the Content Security Policy).
    assert re.findall(r"<script[^>]*>", html) == [
        '<script type="application/ld+json">',
        '<script src="/static/articles/audience.js" defer>',
    ]
    assert "<header" in html and "<main" in html and "<footer" in html and "<nav" in html


def test_published_now_uses_the_current_time(client, article):
    publish(article, when=timezone.now())

    assert client.get(article_url(article)).status_code == 200


# Static files


def test_static_files_collect_hashed_and_compressed_for_production(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from django.conf import settings

    static_root = tmp_path / "static"
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "collectstatic-test-key-" + "x" * 40,
        "ALLOWED_HOSTS": "example.org",
        "STATIC_ROOT": str(static_root),
    }
    result = subprocess.run(  # noqa: S603  (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    manifest = json.loads((static_root / "staticfiles.json").read_text())
    hashed = manifest["paths"]["articles/site.css"]
    assert hashed != "articles/site.css"
    assert (static_root / hashed).exists()
    assert (static_root / f"{hashed}.gz").exists()


def test_whitenoise_serves_static_files_right_after_the_security_middleware():
    from django.conf import settings

    security = settings.MIDDLEWARE.index("django.middleware.security.SecurityMiddleware")
    assert settings.MIDDLEWARE[security + 1] == "whitenoise.middleware.WhiteNoiseMiddleware"


# Rendering cost: a revision's body once per process, the page around it on every request


def test_uncached_page_reads_a_revisions_references_only_for_its_first_render(
    client, published, settings, django_assert_num_queries
):
    settings.READER_CACHE_SECONDS = 0
    first = client.get(article_url(published)).content.decode()

    # The article with its revision, its approved history (notes), the approving reviews of every approved revision
    # with their members, the members' specialties, and the authors with their bylines.
    with django_assert_num_queries(5) as captured:
        second = client.get(article_url(published)).content.decode()

    assert second == first
    assert not any("articles_reference" in query["sql"] for query in captured.captured_queries)


def test_uncached_page_shows_a_reviewers_new_name_while_the_revision_body_is_reused(client, article, board, settings):
    settings.READER_CACHE_SECONDS = 0
    member = board[0]
    published = publish(article, reviewers=[member])
    client.get(article_url(published))
    member.user.first_name, member.user.last_name = "Rosalind", "Franklin"
    member.user.save()

    html = client.get(article_url(published)).content.decode()

    assert "Rosalind Franklin" in html
    assert published.approved_revision.references.first().title in html


def test_reviewer_specialties_are_listed_by_name_and_a_member_without_any_shows_none(client, article, board, neurology):
    with_specialties, without = board[0], board[1]
    with_specialties.specialties.set(
        [factories.SpecialtyFactory(name="Pediatrics"), factories.SpecialtyFactory(name="Cardiology"), neurology]
    )
    without.specialties.clear()
    published = publish(article, reviewers=[with_specialties, without])

    html = client.get(article_url(published)).content.decode()

    assert '<span class="reviewer__specialties">Cardiology, Neurology, Pediatrics</span>' in html
    assert html.count('class="reviewer__specialties"') == 1
    assert html.count('class="reviewer"') == 2
