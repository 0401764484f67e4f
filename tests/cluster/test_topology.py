"""The product on several processes of each kind (`make cluster-test`): nodes and workers die, the replica lags.

Readers read through HAProxy while authors, the editor and board members work through the API; one web node and one
Celery worker are killed with SIGKILL mid-load; then the replica is made to lag (recovery_min_apply_delay) while an
article's new revision is approved. Asserted: no transition lost or doubled; every message delivered, duplicates
within the stated bound; no reader ever shown an unapproved revision, nor, once the lag has passed, an outdated one;
only requests in flight on the killed node fail. The figures the issue asks for are printed and written to
artifacts/cluster/figures.json.
"""

import email
import email.policy
import itertools
import json
import os
import re
import socket
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import requests

from tests.cluster.api import Journal
from tests.cluster.traffic import Desk, Readers, slug

LOAD_SECONDS = 20
KILL_NODE_AFTER = 6
KILL_WORKER_AFTER = 10
LAG_SECONDS = 4
WORKER_CONCURRENCY = 2  # scripts/cluster.sh's CLUSTER_WORKER_CONCURRENCY
KILLED_NODE, KILLED_NODE_PORT, KILLED_WORKER = "web1", 8101, "worker-1"
FIGURES: dict = {}


@pytest.fixture(scope="module")
def run() -> str:
    return uuid.uuid4().hex[:6]


@pytest.fixture(scope="module", autouse=True)
def _figures():
    yield
    out = Path("artifacts/cluster")
    out.mkdir(parents=True, exist_ok=True)
    (out / "figures.json").write_text(json.dumps(FIGURES, indent=2, sort_keys=True))
    print("\ncluster figures:\n" + json.dumps(FIGURES, indent=2, sort_keys=True))


def _metric(port: int, name: str, **labels) -> float:
    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    total = 0.0
    for line in text.splitlines():
        match = re.match(rf"^{re.escape(name)}(?:\{{(.*)\}})? (\S+)$", line)
        if match and all(part in (match.group(1) or "") for part in wanted.split(",") if part):
            total += float(match.group(2))
    return total


@pytest.fixture(scope="module")
def load(cluster, run):
    """Phase 1: readers and the workflow at once, for LOAD_SECONDS; a web node and a worker killed on the way."""
    for name in (f"web-{KILLED_NODE_PORT}", KILLED_WORKER):
        os.kill(cluster.pid(name), 0)  # a fresh cluster: `make cluster-test` starts one for each run
    journal = Journal()
    desks = [Desk(cluster.balancer, run, journal) for _ in range(3)]  # a session each: one per thread
    survivor = next(port for port in cluster.web_ports if port != KILLED_NODE_PORT)
    replica_reads_before = _metric(survivor, "editorial_reader_reads_total", database="replica")
    counter = itertools.count(1)
    events: dict = {}
    started = time.time()
    errors: list = []

    def journeys(desk):
        try:
            while time.time() < started + LOAD_SECONDS:
                article = next(counter)
                readers.articles.append(article)
                desk.publish(article, 1)
                if article % 2 == 0:
                    desk.publish(article, 2)  # readers must keep seeing revision 1 until revision 2 is approved
        except Exception as error:  # reported by the test below
            errors.append(error)

    def killer():
        try:
            kill()
        except Exception as error:
            errors.append(error)

    def kill():
        time.sleep(KILL_NODE_AFTER)
        events["node_killed"] = time.time()
        cluster.kill(f"web-{KILLED_NODE_PORT}")
        # The kernel still completes connections to the node's socket until its last process is gone.
        while _accepts_connections(KILLED_NODE_PORT):
            time.sleep(0.001)
        events["node_gone"] = time.time()
        while cluster.haproxy_status().get(("readers", KILLED_NODE)) != "DOWN" and time.time() < started + 60:
            time.sleep(0.05)
        events["node_marked_down"] = time.time()
        time.sleep(max(0.0, started + KILL_WORKER_AFTER - time.time()))
        events["worker_killed"] = time.time()
        cluster.kill(KILLED_WORKER)

    with Readers(cluster.balancer, run, threads=3) as readers:
        threads = [threading.Thread(target=journeys, args=(desk,)) for desk in desks]
        threads.append(threading.Thread(target=killer))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    replica_reads = _metric(survivor, "editorial_reader_reads_total", database="replica") - replica_reads_before
    for other in desks[1:]:
        desks[0].approvals.update(other.approvals)
    return {
        "desk": desks[0],
        "journal": journal,
        "readers": readers,
        "events": events,
        "errors": errors,
        "started": started,
        "replica_reads_on_survivor": replica_reads,
    }


def _accepts_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def _drained(cluster, timeout: float = 120.0) -> float:
    """Wait until no outbox event is pending; return how long it took."""
    started = time.time()
    while cluster.query(cluster.primary, "SELECT count(*) FROM reviewboard_outboxevent WHERE status = 'pending'")[0][0]:
        assert time.time() - started < timeout, "outbox events still pending"
        time.sleep(0.5)
    return time.time() - started


def test_the_workflow_completed_every_article_through_the_kills(load):
    assert not load["errors"], load["errors"]
    assert load["desk"].approvals, "no article was approved"
    FIGURES["articles_published"] = len({article for article, _ in load["desk"].approvals})
    FIGURES["revisions_approved"] = len(load["desk"].approvals)
    FIGURES["api_calls"] = len(load["journal"].calls)
    FIGURES["reader_requests"] = len(load["readers"].reads)


def test_no_transition_was_lost_or_doubled(cluster, load, run):
    rows = cluster.query(
        cluster.primary,
        "SELECT a.slug, l.transition, l.from_state, l.to_state FROM reviewboard_transitionlogentry l "
        "JOIN articles_article a ON a.id = l.article_id WHERE a.slug LIKE %s ORDER BY l.created_at, l.id",
        (f"cluster-{run}-%",),
    )
    by_article: dict = {}
    for name, transition, from_state, to_state in rows:
        by_article.setdefault(name, []).append((transition, from_state, to_state))
    one_round = [
        ("submit", "draft", "submitted"),
        ("start_review", "submitted", "under_review"),
        ("approve", "under_review", "approved"),
    ]
    revised = [("revise", "approved", "draft"), *one_round]
    expected = {}
    for article, revision in load["desk"].approvals:
        expected[slug(run, article)] = one_round if revision == 1 else one_round + revised
    assert by_article == expected
    FIGURES["transitions_logged"] = len(rows)


def test_only_requests_in_flight_on_the_killed_node_failed(load):
    killed_at, gone_at = load["events"]["node_killed"], load["events"]["node_gone"]
    calls = [(c.started, c.ended, c.node, c.failed) for c in load["journal"].calls]
    reads = [(r.started, r.ended, r.node, r.failed) for r in load["readers"].reads]
    failed = [c for c in load["journal"].calls if c.failed] + [r for r in load["readers"].reads if r.failed]
    for request in failed:
        print(f"failed in flight: {request}")  # noqa: T201 (the test's report)
        # In flight: sent before the node stopped taking connections, and not answered before the kill.
        assert request.started <= gone_at and request.ended >= killed_at, f"failed, not in flight: {request}"
        assert request.node in (KILLED_NODE, ""), f"failed on a node that was never killed: {request}"
    before = Counter(node for s, e, node, failed in calls + reads if e < killed_at and not failed)
    overall = Counter(node for s, e, node, failed in calls + reads if not failed)
    reader_failures = [ended for started, ended, node, failed in reads if failed]
    FIGURES["requests_per_node_before_the_kill"] = _shares(before)
    FIGURES["requests_per_node_overall"] = _shares(overall)
    FIGURES["requests_failed"] = {"api": sum(c[3] for c in calls), "readers": len(reader_failures)}
    FIGURES["reader_error_window_after_node_kill_s"] = round(max(reader_failures, default=killed_at) - killed_at, 3)
    FIGURES["killed_node_gone_after_s"] = round(gone_at - killed_at, 4)
    FIGURES["haproxy_marked_node_down_after_s"] = round(load["events"]["node_marked_down"] - killed_at, 3)
    assert set(before) == {"web1", "web2"}, before
    assert min(before.values()) / sum(before.values()) > 0.3, before  # round robin: both nodes carry the load


def _shares(counts: Counter) -> dict:
    total = sum(counts.values()) or 1
    return {node or "none": {"requests": count, "share": round(count / total, 3)} for node, count in counts.items()}


def test_no_reader_was_shown_a_revision_before_its_approval(load):
    approvals = load["desk"].approvals
    shown = 0
    for read in load["readers"].reads:
        for article, revision in read.shown:
            shown += 1
            assert (article, revision) in approvals, f"{read.path} showed unapproved revision {revision}"
            # Shown only by an answer that ended after the approving review was sent.
            assert read.ended >= approvals[(article, revision)][0], f"{read.path} showed revision {revision} early"
    assert shown, "no reader saw any article of the run"


def test_readers_used_the_replica(load):
    assert load["replica_reads_on_survivor"] > 0
    FIGURES["reader_requests_read_from_the_replica_on_the_surviving_node"] = load["replica_reads_on_survivor"]


def test_every_message_was_delivered_within_the_duplicate_bound(cluster, load):
    FIGURES["outbox_drained_after_load_s"] = round(_drained(cluster), 3)
    due = cluster.query(
        cluster.primary,
        "SELECT u.email, m.subject, m.event_id, m.sent_at IS NOT NULL FROM reviewboard_message m "
        "JOIN auth_user u ON u.id = m.recipient_id WHERE m.channel = 'email' AND NOT m.digest",
    )
    assert all(sent for *_, sent in due), "an email message is still unsent"
    expected = Counter((address, _words(subject)) for address, subject, _, _ in due)
    delivered = Counter(_mails(cluster.directory / "mail"))
    missing = {key: count for key, count in expected.items() if delivered[key] < count}
    assert not missing, f"messages never delivered: {missing}"
    duplicates = sum(delivered[key] - count for key, count in expected.items())
    # A SIGKILLed worker can have sent an email without recording it: at most the emails of the event each of its
    # pool's processes held (the relay records an event's emails when the event is done). With each email recorded
    # in its own transaction the bound tightens to one email per process.
    per_event = Counter(event for _, _, event, _ in due)
    bound = WORKER_CONCURRENCY * max(per_event.values())
    assert duplicates <= bound
    unexpected = set(delivered) - set(expected)
    assert not unexpected, f"mail no message accounts for: {sorted(unexpected)[:5]}"
    FIGURES["emails"] = {"messages": sum(expected.values()), "duplicates": duplicates, "duplicate_bound": bound}


def _mails(directory: Path):
    """Yield (recipient, subject) of every email the file backend wrote (it appends a line of 79 dashes to each)."""
    for path in directory.glob("*.log"):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                message = email.message_from_bytes(chunk, policy=email.policy.default)
                yield str(message["To"]), _words(str(message["Subject"]))


def _words(text: str) -> str:
    return " ".join(text.split())  # a folded header decodes with a leading space


RELAY = "task notifications.relay "  # how the worker logs the outbox relay task


def test_a_task_log_line_carries_the_request_id_of_the_request_that_queued_it(cluster, load, run):
    request_id = f"cluster-{run}-request"
    desk = load["desk"]
    article = 10_000
    desk.publish(article, 1)  # through the surviving node, worker and beat
    name = slug(run, article)
    desk.step(
        lambda: desk.author.post(f"/api/v1/drafts/{name}/revise/", request_id=request_id),
        lambda: desk.state(article) == "draft",
        what="revise",
    )
    _drained(cluster)
    deadline = time.time() + 30
    while time.time() < deadline:
        lines = [json.loads(line) for line in cluster.log_lines("worker-2") if request_id in line]
        if any(line.get("logger") == "config.tasks" and line["message"].startswith(RELAY) for line in lines):
            break
        time.sleep(0.5)
    task_lines = [line for line in lines if line.get("logger") == "config.tasks"]
    assert task_lines and all(line["request_id"] == request_id for line in task_lines)
    # The revision queues the relay of its messages and the re-render of its stored pages: both carry the id.
    assert any(line["message"].startswith(RELAY) for line in task_lines)


def test_a_lagging_replica_never_publishes_early_nor_caches_stale(cluster, load, run):
    """Phase 2: the replica replays LAG_SECONDS late while an article's revision 2 is approved."""
    desk = load["desk"]
    article = 20_000
    desk.publish(article, 1)
    cluster.query(cluster.replica, f"ALTER SYSTEM SET recovery_min_apply_delay = '{LAG_SECONDS}s'")
    cluster.query(cluster.replica, "SELECT pg_reload_conf()")
    survivor = next(port for port in cluster.web_ports if port != KILLED_NODE_PORT)
    try:
        with Readers(cluster.balancer, run, threads=2) as readers:
            readers.focus = article
            time.sleep(LAG_SECONDS + 1)  # the delay now applies to what the primary commits
            primary_reads_before = _metric(survivor, "editorial_reader_reads_total", database="default")
            checks: dict = {}
            desk.publish(article, 2)
            approved_at = desk.approvals[(article, 2)][1]
            # The replica has not replayed the approval yet: what it holds is the previous revision.
            checks["replica_revision_right_after"] = _replica_approved_revision(cluster, slug(run, article))
            # Whoever acted sees the result at once (signed in: the primary).
            assert desk.author.get(f"/api/v1/drafts/{slug(run, article)}/")["approved_revision"] == 2
            time.sleep(LAG_SECONDS + 2)
            checks["replica_revision_after_lag"] = _replica_approved_revision(cluster, slug(run, article))
            primary_reads = _metric(survivor, "editorial_reader_reads_total", database="default") - primary_reads_before
    finally:
        cluster.query(cluster.replica, "ALTER SYSTEM RESET recovery_min_apply_delay")
        cluster.query(cluster.replica, "SELECT pg_reload_conf()")
    assert checks["replica_revision_right_after"] == 1, "the replica was not lagging: the test proves nothing"
    assert checks["replica_revision_after_lag"] == 2
    mine = [read for read in readers.reads if read.path.startswith(f"/articles/{slug(run, article)}/")]
    assert all(read.status == 200 for read in mine)
    old = [read for read in mine if (article, 1) in read.shown]
    new = [read for read in mine if (article, 2) in read.shown]
    assert new, "no reader saw revision 2"
    # After the lag, never the previous revision (and never revision 2 before its approval: checked above too).
    assert not [read for read in old if read.started > approved_at + LAG_SECONDS]
    assert all(read.ended >= desk.approvals[(article, 2)][0] for read in new)
    window = max((read.started for read in old), default=approved_at) - approved_at
    FIGURES["replica_lag_configured_s"] = LAG_SECONDS
    FIGURES["previous_revision_served_after_approval_s"] = round(max(window, 0.0), 3)
    FIGURES["reader_requests_during_lag_phase"] = {"previous_revision": len(old), "new_revision": len(new)}
    FIGURES["reader_requests_sent_to_the_primary_while_the_replica_lagged"] = primary_reads
    assert primary_reads > 0  # the watermark sent readers to the primary rather than to the stale replica


def _replica_approved_revision(cluster, name: str) -> int | None:
    rows = cluster.query(
        cluster.replica,
        "SELECT r.number FROM articles_article a JOIN articles_revision r ON r.id = a.approved_revision_id "
        "WHERE a.slug = %s",
        (name,),
    )
    return rows[0][0] if rows else None
