"""gunicorn's settings hooks (``--config python:config.gunicorn``): Prometheus's multiprocess mode.

A worker that exits leaves its series' files behind in PROMETHEUS_MULTIPROC_DIR; telling prometheus_client lets
its live gauges drop the dead process (counters and histograms keep what it counted, as they must).
"""

import os

# gunicorn 24+ opens a control socket at one path per user (~/.gunicorn/gunicorn.ctl): two nodes on one machine
# (`make cluster`) would take it from each other, and nothing here uses it.
control_socket_disable = True


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
