"""Time the editorial dashboard on a seeded database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dash_scale python manage.py seed_scale
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dash_scale python bench/dashboard.py [--requests 10]

Prints the server time of the page (Django test client, so no network and no browser; the
first request warms caches and is not counted) as p50 and max, and the number of SQL queries.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--query", action="append", default=[], help="Extra query strings, e.g. period=365.")
    parser.add_argument("--per-query", action="store_true", help="Also print each SQL query's time (last request).")
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from articles.models import Article, Specialty
    from reviewboard.models import TransitionLogEntry

    setup_test_environment()  # lets the test client accept the "testserver" host
    user = get_user_model().objects.filter(is_superuser=True).first()
    if user is None:
        user = get_user_model().objects.create_superuser("bench-admin", "bench@example.org", None)
    client = Client()
    client.force_login(user)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}, {Article.objects.count()} articles")
    specialty = Specialty.objects.order_by("pk").values_list("pk", flat=True).first()
    with_specialty = [f"specialty={specialty}", f"period=365&specialty={specialty}"] if specialty else []
    # The editor who started the most reviews: the editor filter at its largest.
    editor = (
        TransitionLogEntry.objects.filter(transition="start_review")
        .values("actor_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("actor_id", flat=True)
        .first()
    )
    with_editor = [f"editor={editor}", f"period=365&editor={editor}"] if editor else []
    for query in ["", "period=30", "period=365", *with_specialty, *with_editor, *args.query]:
        url = "/dashboard/" + (f"?{query}" if query else "")
        assert client.get(url).status_code == 200, url  # warm-up
        timings = []
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        print(
            f"{url:<36} p50 {statistics.median(timings):7.1f} ms   max {max(timings):7.1f} ms   "
            f"{len(queries.captured_queries)} queries   ({args.requests} requests)"
        )
        if args.per_query:
            for captured in queries.captured_queries:
                sql = " ".join(captured["sql"].split())
                print(f"    {float(captured['time']) * 1000:7.1f} ms  {sql[:110]}")


if __name__ == "__main__":
    main()
