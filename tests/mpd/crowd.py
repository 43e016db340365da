"""50 MPD clients for a bounded run (10 idle, 10 never reading, 30 polling status), in their own
process: `python -m tests.mpd.crowd PORT SECONDS` prints {"answers": [...], "idle_alive": n}.

One asyncio loop drives them all and the process runs at a lower priority: on the device the
clients are phones and tablets elsewhere, so they must not take the service's CPU here either.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

POLL_EVERY = 0.5  # seconds: MPDroid polls twice a second


async def _open(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await reader.readline()
    return reader, writer


async def _answer(reader: asyncio.StreamReader) -> list[bytes]:
    lines = []
    while True:
        line = await reader.readline()
        lines.append(line.rstrip(b"\n"))
        if not line or line == b"OK\n" or line.startswith(b"ACK"):
            return lines


async def _poll(port: int, until: float, answers: list[int], i: int) -> None:
    reader, writer = await _open(port)
    loop = asyncio.get_running_loop()
    await asyncio.sleep(POLL_EVERY * i / len(answers))  # independent devices, not in lockstep
    while loop.time() < until:
        writer.write(b"status\n")
        if (await _answer(reader))[-1] == b"OK":
            answers[i] += 1
        await asyncio.sleep(POLL_EVERY)
    writer.close()


async def main(port: int, seconds: float) -> dict[str, object]:
    idlers = [await _open(port) for _ in range(10)]
    for _, writer in idlers:
        writer.write(b"idle\n")
    deaf = [await _open(port) for _ in range(10)]
    for _, writer in deaf:
        writer.write(b"playlistinfo\n" * 50)  # and never read the answers
    answers = [0] * 30
    until = asyncio.get_running_loop().time() + seconds
    await asyncio.gather(*(_poll(port, until, answers, i) for i in range(30)))
    alive = 0
    for reader, writer in idlers:
        writer.write(b"noidle\n")
        # Alive: still connected and answered. A change during the run (the database read
        # again after the first scan, say) ends an idle with "changed: ...", then OK, and the
        # noidle that follows is ignored, as MPD does.
        alive += (await asyncio.wait_for(_answer(reader), 10))[-1] == b"OK"
        writer.close()
    for _, writer in deaf:
        writer.close()
    return {"answers": answers, "idle_alive": alive}


if __name__ == "__main__":
    os.nice(10)
    print(json.dumps(asyncio.run(main(int(sys.argv[1]), float(sys.argv[2])))))
