"""Time the list pages that grow with the archive, on a seeded database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_scale python manage.py seed_scale
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_scale python bench/lists.py [--requests 10]

For each page, as the person who opens it (the editor, the author with the most articles, the board
member with the most open reviews, an admin): the server time (Django test client; the first request
warms caches and is not counted) as p50 and max, the response's size, and its SQL queries. The budget
is 300 ms and 200 KB a page; ``--strict`` fails the run when a page misses it.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

BUDGET_MS = 300
BUDGET_KB = 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--strict", action="store_true", help="Exit 1 if a page misses the budget.")
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from articles.models import Article
    from articles.permissions import AUTHORS_GROUP, EDITORS_GROUP
    from reviewboard.models import OPEN_STATUSES, BoardMember

    setup_test_environment()
    users = get_user_model().objects
    editor = users.filter(groups__name=EDITORS_GROUP).first()
    author = users.filter(groups__name=AUTHORS_GROUP).annotate(n=Count("articles")).order_by("-n").first()
    member = (
        BoardMember.objects.annotate(n=Count("assignments"))
        .filter(assignments__status__in=OPEN_STATUSES)
        .order_by("-n")
        .first()
    )
    admin = users.filter(is_superuser=True).exclude(username="editorial-system").first()
    if admin is None:
        admin = users.create_superuser("bench-admin", "bench@example.org", None)
    approved_pages = Article.objects.filter(state="approved").count() // 25
    pages = [
        (editor, "/editor/"),
        (editor, "/editor/?state=approved"),
        (editor, f"/editor/?state=approved&page={max(approved_pages // 2, 1)}"),
        (editor, "/editor/?state=under_review&specialty=neurology"),
        (editor, "/editor/intake/"),
        (author, "/author/"),
        (author, "/author/?state=approved&page=2"),
        (member.user if member else editor, "/review/"),
        (admin, "/admin/articles/article/"),
        (admin, "/admin/articles/article/?state__exact=approved"),
        (admin, "/admin/articles/revision/"),
        (admin, "/admin/reviewboard/reviewassignment/"),
        (admin, "/admin/reviewboard/review/"),
        (admin, "/admin/reviewboard/transitionlogentry/"),
        (admin, "/admin/articles/followupquestion/"),
    ]
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}, {Article.objects.count()} articles")
    missed = []
    for user, url in pages:
        client = Client()
        client.force_login(user)
        response = client.get(url)
        if response.status_code == 404 and url.startswith("/admin/"):
            continue  # a model without an admin page
        assert response.status_code == 200, (url, response.status_code)
        timings = []
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
        size_kb = len(response.content) / 1024
        p50 = statistics.median(timings)
        ok = p50 <= BUDGET_MS and size_kb <= BUDGET_KB
        missed += [] if ok else [url]
        print(
            f"{url:<58} p50 {p50:7.1f} ms   max {max(timings):7.1f} ms   {size_kb:6.1f} KB   "
            f"{len(queries.captured_queries):3d} queries   {'ok' if ok else 'OVER BUDGET'}"
        )
    print(f"budget: {BUDGET_MS} ms and {BUDGET_KB} KB a page; {len(missed)} over")
    if args.strict and missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
