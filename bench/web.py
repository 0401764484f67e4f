"""Benchmark the reader pages over HTTP: production settings under gunicorn, load from wrk.

    make bench-web
    .venv/bin/python bench/web.py [--duration 5] [--rounds 3] [--workers 2] [--connections 4] [--strict]

Builds a scratch PostgreSQL database (``bench_web``, dropped and created afresh), migrates it,
loads the demo plus ``--articles`` more published articles (through the services, so search has
work to do), runs ``collectstatic``, then starts gunicorn twice on the production profile
(``DEBUG=false``, Redis cache and broker) with ``bench.settings`` (the site plus ``/bench/floor/``):

- the default server (the reader cache as configured), measuring the floor, the article page
  (cached) and the list with a search;
- a second server with ``READER_CACHE_SECONDS=0``, measuring the floor again, the article page
  uncached and the list with a search uncached.

wrk (``scripts/install-wrk.sh``) drives each URL from a second process: a warm-up, then
``--rounds`` rounds, each measuring the floor and then the pages, so that each ratio is to the
floor of its own round; the round with the median ratio is reported. The table gives requests per
second, latency p50 and p99 (wrk's ``--latency``), and the ratio to the floor.
The servers run one after the other so that they never share the CPU. Nothing is pinned: wrk
(one thread) takes part of one core, and gunicorn runs one sync worker per core by default, as
the pages are CPU-bound and more workers measured no better on two cores. Requests carry
``X-Forwarded-Proto: https`` as from the TLS proxy in front of production, so the HTTPS redirect
stays on and pages are served as they would be. Exit status is 0 unless ``--strict`` is given
and a target is missed.
"""

import argparse
import dataclasses
import http.client
import importlib.util
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FORWARDED_PROTO = ("X-Forwarded-Proto", "https")
SEARCH_QUERY = "myoclonus jerks"


@dataclasses.dataclass(frozen=True)
class Probe:
    name: str
    path: str
    target: float | None = None  # the least ratio to the floor that passes
    headers: tuple[tuple[str, str], ...] = ()  # sent with every request (a signed-in reader's session cookie)


@dataclasses.dataclass(frozen=True)
class Server:
    label: str
    port: int
    env: dict[str, str]
    probes: tuple[Probe, ...]


@dataclasses.dataclass
class Measurement:
    server: str
    probe: Probe
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: str
    ratio: float | None = None


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--db", default="bench_web", help="scratch database (dropped and created)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379", help="Redis server URL (no database number)")
    parser.add_argument("--broker-db", type=int, default=6)
    parser.add_argument("--cache-db", type=int, default=7)
    parser.add_argument("--ports", type=int, nargs=2, default=(8101, 8102), metavar=("CACHED", "UNCACHED"))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="gunicorn sync workers")
    parser.add_argument("--connections", type=int, help="wrk connections (default: two per worker)")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--duration", type=int, default=5, help="seconds per URL and round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per server; the median round counts")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per URL")
    parser.add_argument("--articles", type=int, default=200, help="published articles added to the demo")
    parser.add_argument("--reuse-db", action="store_true", help="keep the database of an earlier run")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    args.connections = args.connections or 2 * args.workers
    return args


def bench_environment(args: argparse.Namespace, static_root: Path) -> dict[str, str]:
    """Return the production profile's environment, pointed at the scratch database and Redis dbs."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-web-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"{args.pg}/{args.db}",
        "REDIS_URL": f"{args.redis}/{args.broker_db}",
        "CELERY_BROKER_URL": f"{args.redis}/{args.broker_db}",
        "CACHE_URL": f"{args.redis}/{args.cache_db}",
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def create_database(args: argparse.Namespace) -> None:
    import psycopg

    with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.db]).fetchone()
        if exists and args.reuse_db:
            return
        connection.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{args.db}"')


def prepare_site(args: argparse.Namespace) -> tuple[str, str]:
    """Migrate, load the demo and the extra articles, collect static files; return the article's slug and the
    session cookie of a signed-in reader (the demo's author)."""
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection, connections

    from articles.models import Article
    from articles.selectors import published_articles
    from reviewboard.management.commands.load_demo import MYOCLONUS_SLUG

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_demo", "--allow-production", stdout=io.StringIO())
    added = seed_published_articles(args.articles)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    call_command("collectstatic", verbosity=0, interactive=False)
    cache.clear()
    slug = published_articles().get(slug=MYOCLONUS_SLUG).slug  # the reference page, approved
    print(
        f"database {connection.settings_dict['NAME']}: {Article.objects.count()} articles, "
        f"{published_articles().count()} published ({added} added for this run)"
    )
    session_cookie = signed_in_cookie()
    connections.close_all()
    return slug, session_cookie


def signed_in_cookie() -> str:
    """Return the ``Cookie`` header of a session signed in as the demo's author, stored as a login stores it."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="author"))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def seed_published_articles(count: int) -> int:
    """Publish ``count`` variants of the demo's reference article through the services."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from articles import services as content
    from articles.models import Article, ArticleState, Specialty
    from reviewboard import services
    from reviewboard.management.commands.load_demo import MYOCLONUS
    from reviewboard.models import BoardMember, Decision
    from reviewboard.selectors import checklist_items

    users = get_user_model().objects
    author, editor = users.get(username="author"), users.get(username="editor")
    neurology = Specialty.objects.get(slug="neurology")
    checklist = {item.pk: {"answer": "yes"} for item in checklist_items(specialty_id=neurology.pk)}  # all checked
    reviewers = list(BoardMember.objects.filter(user__username__in=["dr.neuro", "dr.neuro2", "dr.cardio"]))
    topics = ["sleep", "exercise", "medicines", "stress", "children", "older adults", "epilepsy", "vitamins"]
    added = 0
    for number in range(count):
        slug = f"bench-myoclonus-{number}"
        if Article.objects.filter(slug=slug).exists():
            continue
        topic = topics[number % len(topics)]
        variant = dataclasses.replace(
            MYOCLONUS,
            title=f"Myoclonus and {topic}: what to know (part {number})",
            summary_patient=f"{MYOCLONUS.summary_patient} This part is about {topic}.",
        )
        with transaction.atomic():
            article = content.article_create(actor=author, slug=slug, specialty=neurology, content=variant)
            services.article_submit(article=article, actor=author)
            for member in reviewers:
                assignment = services.assignment_create(article=article, board_member=member, actor=editor)
                services.assignment_accept(assignment=assignment, actor=member.user)
                services.review_submit(
                    assignment=assignment, actor=member.user, decision=Decision.APPROVE, checklist=checklist
                )
                article.refresh_from_db()
                if article.state == ArticleState.APPROVED:
                    break
        added += 1
    return added


def flush_redis(args: argparse.Namespace) -> None:
    import redis

    for number in (args.broker_db, args.cache_db):
        redis.Redis.from_url(f"{args.redis}/{number}").flushdb()


def redis_keys(args: argparse.Namespace, number: int) -> int:
    import redis

    return redis.Redis.from_url(f"{args.redis}/{number}").dbsize()


def get(port: int, path: str, headers: tuple[tuple[str, str], ...] = ()) -> tuple[int, bytes]:
    """GET ``path`` as the TLS proxy would forward it; redirects are not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=dict([FORWARDED_PROTO, *headers]))
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_until_idle(port: int, *, limit: float = 60.0) -> None:
    """Wait until the requests a finished wrk run left queued are served (the floor answers at once again).

    wrk stops sending, but a slow page's queued requests keep the workers busy for a while; measuring
    the next URL then would charge it for them.
    """
    quick, deadline = 0, time.monotonic() + limit
    while quick < 3 and time.monotonic() < deadline:
        started = time.perf_counter()
        get(port, "/bench/floor/")
        quick = quick + 1 if time.perf_counter() - started < 0.05 else 0


def start_gunicorn(server: Server, args: argparse.Namespace) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{server.port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        "sync",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
        "--config",
        "python:config.gunicorn",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **server.env}, start_new_session=True)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn ({server.label}) exited with status {process.returncode}")
        try:
            if get(server.port, "/healthz")[0] == 200:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    stop_gunicorn(process)
    raise SystemExit(f"gunicorn ({server.label}) did not answer /healthz within 60 s")


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def to_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS_MS[unit]


def wrk(url: str, *, seconds: int, args: argparse.Namespace, headers: tuple[tuple[str, str], ...] = ()) -> dict:
    """Run wrk against ``url`` and return its figures."""
    command = [
        "wrk",
        "--threads",
        str(args.threads),
        "--connections",
        str(args.connections),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "--header",
        ": ".join(FORWARDED_PROTO),
        *(argument for header in headers for argument in ("--header", ": ".join(header))),
        url,
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603
    # wrk pads short units ("1.02s "), so trailing blanks are allowed.
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    if set(latency) != {"50", "99"}:
        raise SystemExit(f"could not read wrk's latency distribution:\n{output}")
    errors = [line.strip() for line in output.splitlines() if "Socket errors" in line or "Non-2xx" in line]
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "p50_ms": to_ms(latency["50"]),
        "p99_ms": to_ms(latency["99"]),
        "errors": "; ".join(errors),
    }


def measure(server: Server, args: argparse.Namespace) -> list[Measurement]:
    """Measure every probe of ``server`` in ``--rounds`` rounds, each starting with the floor.

    Each page's ratio is taken to the floor of its own round, so that the load other processes put
    on the machine, which drifts from second to second, weighs on both sides of a ratio alike; the
    round with the median ratio is the one reported (for the floor, the median round).
    """
    process = start_gunicorn(server, args)
    rounds: dict[str, list[Measurement]] = {probe.name: [] for probe in server.probes}
    try:
        for probe in server.probes:
            status, _ = get(server.port, probe.path, probe.headers)
            if status != 200:
                raise SystemExit(f"{server.label}: GET {probe.path} answered {status}, not 200")
            wrk(f"http://127.0.0.1:{server.port}{probe.path}", seconds=args.warmup, args=args, headers=probe.headers)
            wait_until_idle(server.port)
        for round_number in range(1, args.rounds + 1):
            floor = None
            for probe in server.probes:
                figures = wrk(
                    f"http://127.0.0.1:{server.port}{probe.path}",
                    seconds=args.duration,
                    args=args,
                    headers=probe.headers,
                )
                wait_until_idle(server.port)
                result = Measurement(server=server.label, probe=probe, **figures)
                floor = floor or result.requests_per_second
                result.ratio = result.requests_per_second / floor
                rounds[probe.name].append(result)
                print(
                    f"  round {round_number} {server.label:<9} {probe.name:<24} "
                    f"{result.requests_per_second:8.1f} req/s  p50 {result.p50_ms:7.2f} ms  "
                    f"p99 {result.p99_ms:7.2f} ms  x floor {result.ratio:.3f}",
                    flush=True,
                )
    finally:
        stop_gunicorn(process)
    return [median_round(rounds[probe.name]) for probe in server.probes]


def median_round(results: list[Measurement]) -> Measurement:
    ordered = sorted(results, key=lambda result: (result.ratio, result.requests_per_second))
    return ordered[(len(ordered) - 1) // 2]


def print_table(results: list[Measurement]) -> bool:
    """Print the results; return whether every target was met."""
    header = f"{'name':<34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'x floor':>8} {'target':>7}  result"
    print()
    print(header)
    print("-" * len(header))
    met = True
    for result in results:
        target, verdict = "", ""
        if result.probe.target is not None:
            passed = result.ratio >= result.probe.target
            met = met and passed
            target, verdict = f">={result.probe.target:.2f}", "PASS" if passed else "FAIL"
        name = f"{result.probe.name} [{result.server}]"
        print(
            f"{name:<34} {result.requests_per_second:9.1f} {result.p50_ms:8.2f} {result.p99_ms:8.2f} "
            f"{result.ratio:8.3f} {target:>7}  {verdict}"
        )
        if result.errors:
            met = False  # an error response or a dropped connection misses every target
            print(f"{'':<34} wrk: {result.errors}")
    return met


def main() -> None:
    args = parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: run scripts/install-wrk.sh (or make bench-web)")
    static_root = Path(tempfile.gettempdir()) / f"{args.db}-static"
    environment = bench_environment(args, static_root)
    os.environ.update(environment)
    create_database(args)
    flush_redis(args)
    slug, session_cookie = prepare_site(args)

    article = f"/articles/{slug}/"
    search = f"/articles/?q={SEARCH_QUERY.replace(' ', '+')}"
    floor = Probe("floor (minimal view)", "/bench/floor/")
    servers = [
        Server(
            "cached",
            args.ports[0],
            {},
            (
                floor,
                Probe("article page, cached", article, target=0.85),
                Probe("list + search", search),
                Probe("article page, signed in", article, target=0.3, headers=(("Cookie", session_cookie),)),
            ),
        ),
        Server(
            "uncached",
            args.ports[1],
            {"READER_CACHE_SECONDS": "0"},
            (
                floor,
                Probe("article page, uncached (stored)", article, target=0.5),
                Probe("list + search, uncached", search, target=0.3),
            ),
        ),
    ]
    cache_module = importlib.util.find_spec("articles.cache") is not None
    print(
        f"gunicorn: {args.workers} sync workers; wrk: {args.threads} thread(s), {args.connections} connections; "
        f"per URL {args.warmup} s warm-up, then {args.rounds} rounds of {args.duration} s, the median kept; "
        f"{os.cpu_count()} CPUs shared by wrk, gunicorn, PostgreSQL and Redis (unpinned)"
    )
    print(f"reader cache: articles/cache.py {'present' if cache_module else 'absent (cached = uncached)'}")
    results = []
    for server in servers:
        flush_redis(args)
        results += measure(server, args)
        keys = redis_keys(args, args.cache_db)
        print(f"  redis cache db {args.cache_db} after the {server.label} run: {keys} keys")
        if server.label == "uncached" and keys:
            print("  WARNING: the uncached server filled the cache: READER_CACHE_SECONDS=0 had no effect")
        if server.label == "cached" and cache_module and not keys:
            print("  WARNING: the cached server cached nothing")
    met = print_table(results)
    print()
    print(
        "all targets met"
        if met
        else "TARGETS MISSED (each ratio is to the floor of its own round, same server, same run)"
    )
    if args.strict and not met:
        sys.exit(1)


if __name__ == "__main__":
    main()
