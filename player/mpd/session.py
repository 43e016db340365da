"""One client connection: reading bounded lines, command lists, idle, and paced answers.

Every client is served by its own task, and every wait is bounded: a silent client is dropped
after `idle_timeout` (never while in `idle`), and one that stops reading is dropped when its
answers cannot be written within `write_timeout`.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass

from cache.timeouts import within
from player.mpd.deck import COMMANDS, Client, Deck
from player.mpd.idle import Subsystem
from player.mpd.protocol import GREETING, AckCode, AckError, Answer, ack_line, split_args

log = logging.getLogger(__name__)

_HTTP = re.compile(r"^[A-Z]+ \S+ HTTP/\d")
COALESCE = 0.01  # seconds an idle answer waits for the rest of one command's changes
_LIST_BEGIN = ("command_list_begin", "command_list_ok_begin")


@dataclass(frozen=True, slots=True)
class Limits:
    idle_timeout: float = 60.0
    write_timeout: float = 30.0
    max_list_bytes: int = 2 * 1024 * 1024  # MPD's max_command_list_size
    write_buffer: int = 256 * 1024


class _HangUpError(Exception):
    """The connection must end now (the client went away, misbehaved or asked to)."""


class Session:
    def __init__(
        self, deck: Deck, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, limits: Limits
    ) -> None:
        self.deck, self.reader, self.writer, self.limits = deck, reader, writer, limits
        self.client = Client(idle=deck.hub.join(), authenticated=not deck.config.password)
        self._reading: asyncio.Task[bytes] | None = None

    async def serve(self) -> None:
        self.writer.transport.set_write_buffer_limits(high=self.limits.write_buffer)
        try:
            await self._send(GREETING)
            while not self.client.closing:
                await self._handle_line(await self._line(self.limits.idle_timeout))
        except _HangUpError:
            pass
        finally:
            self.deck.hub.leave(self.client.idle)
            if self._reading is not None:
                self._reading.cancel()
            self.writer.close()

    # -- reading ------------------------------------------------------------------------------
    async def _line(self, patience: float | None) -> str:
        if self._reading is None:
            self._reading = asyncio.create_task(self.reader.readuntil(b"\n"))
        try:
            raw = await within(asyncio.shield(self._reading), patience)
        except TimeoutError:
            raise _HangUpError from None
        except asyncio.LimitOverrunError:
            await self._send(b"ACK [2@0] {} line too long\n")
            raise _HangUpError from None
        except (asyncio.IncompleteReadError, ConnectionError):
            raise _HangUpError from None
        finally:
            if self._reading.done():
                self._reading = None
        text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if _HTTP.match(text):
            raise _HangUpError  # a web page's request sent to the MPD port: hang up at once
        return text

    # -- writing ------------------------------------------------------------------------------
    async def _send(self, data: bytes) -> None:
        if self.writer.is_closing():
            raise _HangUpError
        self.writer.write(data)
        try:
            await within(self.writer.drain(), self.limits.write_timeout)
        except (TimeoutError, ConnectionError):
            raise _HangUpError from None

    # -- commands -----------------------------------------------------------------------------
    async def _handle_line(self, line: str) -> None:
        word = line.split(" ", 1)[0]
        if word in _LIST_BEGIN:
            await self._command_list(ok_each=word == "command_list_ok_begin")
        elif word == "idle":
            await self._idle(line)
        elif word == "noidle":
            return  # not idle: MPD ignores it
        else:
            out = self._answer()
            if await self._run(line, 0, out) and not self.client.closing:
                out.append(b"OK\n")  # `close` is not answered, as MPD does
            await self._send(out.take())

    def _answer(self) -> Answer:
        return Answer(sink=self._send)

    async def _run(self, line: str, index: int, out: Answer) -> bool:
        """Run one command into `out`; False (and the ACK written) when it failed."""
        name = ""
        try:
            args = split_args(line)
            if not args:
                raise AckError(AckCode.UNKNOWN, "No command given")
            name, args = args[0], args[1:]
            spec = COMMANDS.get(name)
            if spec is None or name == "idle":
                shown, name = name, ""
                raise AckError(AckCode.UNKNOWN, f'unknown command "{shown}"')
            if not (spec.public or self.client.authenticated):
                raise AckError(AckCode.PERMISSION, f'you don\'t have permission for "{name}"')
            if len(args) < spec.min_args or (
                spec.max_args is not None and len(args) > spec.max_args
            ):
                raise AckError(AckCode.ARG, f'wrong number of arguments for "{name}"')
            await spec.handler(self.deck, self.client, args, out)
        except AckError as err:
            out.append(ack_line(err, index, name))
            return False
        return True

    async def _command_list(self, *, ok_each: bool) -> None:
        lines: list[str] = []
        size = 0
        while True:
            line = await self._line(self.limits.idle_timeout)
            if line == "command_list_end":
                break
            size += len(line) + 1
            if size > self.limits.max_list_bytes:
                await self._send(b"ACK [2@0] {} command list too long\n")
                raise _HangUpError
            lines.append(line)
        out = self._answer()
        for index, line in enumerate(lines):
            if line.split(" ", 1)[0] in (*_LIST_BEGIN, "idle", "noidle"):
                out.append(ack_line(AckError(AckCode.UNKNOWN, "not allowed in a list"), index, ""))
                await self._send(out.take())
                return
            if not await self._run(line, index, out):
                await self._send(out.take())
                return
            if ok_each:
                out.append(b"list_OK\n")
            await out.pace()  # 10,000 commands never hold the loop for more than one of them
            if self.client.closing:
                raise _HangUpError
        out.append(b"OK\n")
        await self._send(out.take())

    async def _idle(self, line: str) -> None:
        try:
            wanted = _subsystems(split_args(line)[1:])
        except AckError as err:
            await self._send(ack_line(err, 0, "idle"))
            return
        idle = self.client.idle
        changed = idle.take(wanted)
        while not changed:
            woken = asyncio.create_task(idle.woken.wait())
            if self._reading is None:
                self._reading = asyncio.create_task(self.reader.readuntil(b"\n"))
            try:
                await asyncio.wait({woken, self._reading}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                woken.cancel()
            if self._reading.done():
                next_line = await self._line(None)
                if next_line != "noidle":
                    raise _HangUpError  # only noidle is allowed while idle
                changed = idle.take(wanted)
                break
            await asyncio.sleep(COALESCE)  # the other changes of the same command join this answer
            changed = idle.take(wanted)
            if not changed:
                idle.woken.clear()  # what woke us is not what this client waits for
        out = self._answer()
        for subsystem in changed:
            out.add("changed", subsystem.value)
        out.append(b"OK\n")
        await self._send(out.take())


def _subsystems(names: list[str]) -> frozenset[Subsystem]:
    if not names:
        return frozenset(Subsystem)
    try:
        return frozenset(Subsystem(name) for name in names)
    except ValueError:
        bad = next(n for n in names if n not in {s.value for s in Subsystem})
        raise AckError(AckCode.ARG, f"Unrecognized idle event: {bad}") from None
