"""The accept loop when the process is out of file descriptors: pause, one line, resume."""

from __future__ import annotations

import asyncio
import errno
import logging
import socket

import pytest
from aiohttp import web

from player.web.listener import Listener
from player.web.server import GuardedRunner, GuardedServer, ServerLimits
from tests.polling import until


class ExhaustedSocket(socket.socket):
    """A listening socket whose accept() fails like a process at its file limit, while `out`."""

    out = True

    def accept(self) -> tuple[socket.socket, object]:
        if self.out:
            raise OSError(errno.EMFILE, "Too many open files")
        return super().accept()


async def test_out_of_descriptors_pauses_accepting_with_one_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    limits = ServerLimits(accept_pause=0.2)
    runner = GuardedRunner(web.Application(), limits)
    await runner.setup()
    server = runner.server
    assert isinstance(server, GuardedServer)
    listening = ExhaustedSocket(socket.AF_INET, socket.SOCK_STREAM)
    listening.bind(("127.0.0.1", 0))
    listening.listen(16)
    listening.setblocking(False)
    listener = Listener([listening], server, limits)
    clients = []
    try:
        with caplog.at_level(logging.WARNING, "player.web.listener"):
            for _ in range(5):
                clients.append(await asyncio.open_connection(*listening.getsockname()))
            await asyncio.sleep(0.5)  # two pauses' worth: accept() is tried again, not spun on
            ExhaustedSocket.out = False
            await until(lambda: server.open_connections == 5)
        lines = [r.getMessage() for r in caplog.records]
        assert 1 <= len(lines) <= 5 and all("pausing 0.2 s" in line for line in lines), lines
    finally:
        ExhaustedSocket.out = True
        for _, writer in clients:
            writer.close()
        listener.close()
        await runner.cleanup()
