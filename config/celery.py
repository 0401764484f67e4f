"""The Celery app. Tasks live beside the code they serve (``<app>/tasks.py``).

The signal receivers below carry a request's id into the tasks it queues and onto their log lines
(config.logging), time and count tasks for Prometheus (config.metrics), start tracing in the worker and beat
(config.tracing), and keep Django's logging configuration in the worker instead of Celery's own. They import
what they use when called: this module is imported with the settings, before Django's apps are ready.
"""

import logging
import os
import time

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("editorial")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger("config.tasks")
_started: dict = {}
_failed: set = set()


@signals.setup_logging.connect(weak=False)
def _keep_django_logging(**kwargs):
    """Leave logging as Django's setup configured it from LOGGING (request ids, JSON lines).

    With a receiver connected, Celery adds no handlers of its own to the root logger.
    """


@signals.worker_init.connect(weak=False)
@signals.beat_init.connect(weak=False)
def _start_tracing(**kwargs):
    from config import tracing

    tracing.start()


@signals.worker_ready.connect(weak=False)
def _serve_metrics(**kwargs):
    from config import metrics

    metrics.serve_worker_metrics()


@signals.before_task_publish.connect(weak=False)
def _carry_request_id(headers=None, **kwargs):
    from config.logging import carry_request_id

    carry_request_id(headers)


@signals.task_prerun.connect(weak=False)
def _task_prerun(task_id=None, task=None, **kwargs):
    from config.logging import adopt_request_id

    adopt_request_id(task_id=task_id, task=task)
    _started[task_id] = time.perf_counter()


@signals.task_failure.connect(weak=False)
def _task_failure(sender=None, task_id=None, **kwargs):
    from config import metrics

    _failed.add(task_id)
    if sender is not None:
        metrics.task_failed(task=sender.name)


@signals.task_postrun.connect(weak=False)
def _task_postrun(task_id=None, task=None, state=None, **kwargs):
    from config import metrics
    from config.logging import drop_request_id

    started = _started.pop(task_id, None)
    failed = task_id in _failed
    _failed.discard(task_id)
    # An eager task whose exception propagates ends without a state: it failed.
    state = state or ("FAILURE" if failed else "UNKNOWN")
    try:
        if started is not None and task is not None:
            seconds = time.perf_counter() - started
            # One line per task run, with the request id (and trace ids) of the request that queued it.
            logger.info("task %s %s in %.3fs", task.name, state, seconds, extra={"task_id": task_id})
            metrics.task_finished(task=task.name, state=state, seconds=seconds)
    finally:
        drop_request_id(task_id=task_id)
