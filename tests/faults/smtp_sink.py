"""A real SMTP server (aiosmtpd) that records what it accepts: the fault suite's mailbox."""

import asyncio
import socket
import threading
from email import message_from_bytes

from aiosmtpd.controller import Controller


class RecordingHandler:
    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.received: list[tuple[str, str]] = []  # (Message-ID, recipient), in the order accepted
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        message = message_from_bytes(envelope.content)
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.received.append((message["Message-ID"], recipient))
        if self.delay:
            await asyncio.sleep(self.delay)  # a mail server that takes its time: the relay is caught mid-send
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self.lock:
            return len(self.received)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpSink:
    """Start an SMTP server on a free local port; ``received`` lists what it accepted."""

    def __init__(self, delay: float = 0.0):
        self.handler = RecordingHandler(delay)
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "SmtpSink":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @property
    def received(self) -> list[tuple[str, str]]:
        with self.handler.lock:
            return list(self.handler.received)
