"""50 MPD clients for a bounded run (10 idle, 10 never reading, 30 polling status), in their own
process: `python -m tests.mpd.crowd PORT SECONDS` prints {"answers": [...], "idle_alive": n}."""

from __future__ import annotations

import json
import sys
import threading

from tests.mpd.conftest import RawClient


def _poll(port: int, stop: threading.Event, answers: list[int], i: int) -> None:
    client = RawClient(port)
    try:
        while not stop.is_set():
            if client.command("status")[-1] == "OK":
                answers[i] += 1
            stop.wait(0.1)  # ten polls a second each (MPDroid polls twice a second)
    finally:
        client.close()


def main(port: int, seconds: float) -> dict[str, object]:
    stop = threading.Event()
    answers = [0] * 30
    idlers = [RawClient(port) for _ in range(10)]
    for idler in idlers:
        idler.send("idle\n")
    deaf = [RawClient(port) for _ in range(10)]
    for client in deaf:
        client.send("playlistinfo\n" * 50)  # and never read the answers
    threads = [threading.Thread(target=_poll, args=(port, stop, answers, i)) for i in range(30)]
    for thread in threads:
        thread.start()
    stop.wait(seconds)
    stop.set()
    for thread in threads:
        thread.join(10)
    alive = 0
    for idler in idlers:
        idler.send("noidle\n")
        alive += idler.answer() == ["OK"]
        idler.close()
    for client in deaf:
        client.close()
    return {"answers": answers, "idle_alive": alive}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), float(sys.argv[2]))))
