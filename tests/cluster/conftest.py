"""The cluster topology the tests in this folder run against: started by `make cluster-test` (scripts/cluster.sh).

Skipped unless CLUSTER_DIR names a running cluster; `make test` skips them with that reason.
"""

import os
import re
import signal
import socket
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest


@dataclass(frozen=True)
class Cluster:
    directory: Path
    balancer: str  # http://127.0.0.1:8100
    web_ports: tuple[int, ...]
    primary: str  # conninfo
    replica: str

    def pid(self, name: str) -> int:
        return int((self.directory / "run" / f"{name}.pid").read_text())

    def kill(self, name: str) -> None:
        """SIGKILL the process group of ``name`` (a gunicorn node with its workers, a Celery worker with its pool)."""
        os.killpg(self.pid(name), signal.SIGKILL)

    def query(self, conninfo: str, sql: str, params=()) -> list[tuple]:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            cursor = connection.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def haproxy_status(self) -> dict[tuple[str, str], str]:
        """Return each (backend, server)'s status from HAProxy's stats socket, e.g. ("readers", "web1"): "UP"."""
        with socket.socket(socket.AF_UNIX) as stats:
            stats.connect(str(self.directory / "run" / "haproxy.sock"))
            stats.sendall(b"show stat\n")
            text = b"".join(iter(lambda: stats.recv(65536), b"")).decode()
        lines = [line.split(",") for line in text.splitlines() if line and not line.startswith("#")]
        return {(row[0], row[1]): row[17] for row in lines if len(row) > 17}

    def log_lines(self, name: str) -> list[str]:
        return (self.directory / "log" / f"{name}.log").read_text(errors="replace").splitlines()


@pytest.fixture(scope="session")
def cluster() -> Cluster:
    directory = os.environ.get("CLUSTER_DIR")
    if not directory or not (Path(directory) / "run" / "haproxy.pid").exists():
        pytest.skip("needs the cluster topology: run `make cluster-test` (scripts/cluster.sh)")
    directory = Path(directory)
    environment = dict(re.findall(r"^export (\w+)=(.*)$", (directory / "env").read_text(), re.M))

    def conninfo(url: str) -> str:
        return url.replace("postgres://", "postgresql://", 1)

    return Cluster(
        directory=directory,
        balancer=f"http://127.0.0.1:{os.environ.get('CLUSTER_LB_PORT', '8100')}",
        web_ports=tuple(int(port) for port in os.environ.get("CLUSTER_WEB_PORTS", "8101 8102").split()),
        primary=conninfo(environment["DATABASE_URL"]),
        replica=conninfo(environment["DATABASE_REPLICA_URL"]),
    )
