"""A fake Jellyfin (tests/fakes/jellyfin.py) in a process of its own, so a service subprocess can
reach it while the browser tests run synchronously.

The child serves two albums and a playlist ("Fake Mix": Slow Album's second track, then Quick
Album's first) and reads commands on stdin: `stall N` makes the next N file requests
stop after 1 MiB (a download visibly in progress), `release` lets stalled requests finish, `down`
stops serving (the server unreachable) and `up` serves again on the same port.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from dataclasses import dataclass
from typing import IO, Any

from tests.integration.service import REPO_ROOT

USER, PASSWORD = "kitchen", "secret"
MIB = 1024 * 1024


@dataclass
class FakeJellyfinProcess:
    """Start with `start()`; `info` holds url, username, password and the albums' ids."""

    process: subprocess.Popen[str] | None = None
    info: dict[str, Any] | None = None

    def start(self) -> dict[str, Any]:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.integration.browser.jellyfin_process"],
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the fake Jellyfin did not start")
        self.info = json.loads(line)
        return self.info

    def command(self, text: str) -> None:
        """Send one command and wait for the child's "ok", so it is in force when this returns."""
        assert self.process is not None and self.process.stdin and self.process.stdout
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()
        if self.process.stdout.readline().strip() != "ok":
            raise RuntimeError(f"the fake Jellyfin did not take {text!r}")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        if self.process.stdout is not None:
            self.process.stdout.close()


async def _serve(stdin: IO[str]) -> None:
    from tests.fakes.jellyfin import FakeJellyfin, Fault, FaultKind

    fake = FakeJellyfin()
    fake.add_user(USER, PASSWORD)
    quick, quick_tracks = fake.add_album("Quick Album", [3 * MIB] * 3, artists=("The Fakes",))
    slow, slow_tracks = fake.add_album("Slow Album", [3 * MIB] * 2, artists=("The Fakes",))
    mix = fake.add_playlist("Fake Mix", [slow_tracks[1].id, quick_tracks[0].id])
    url = await fake.start()
    port = int(url.rsplit(":", 1)[1])
    info = {"url": url, "username": USER, "password": PASSWORD, "quick": quick.id, "slow": slow.id}
    info["mix"] = mix.id
    print(json.dumps(info), flush=True)
    loop = asyncio.get_running_loop()
    try:
        while line := await loop.run_in_executor(None, stdin.readline):
            words = line.split()
            if words[:1] == ["stall"]:
                fake.add_fault(Fault(FaultKind.STALL, after=MIB, times=int(words[1])))
            elif words[:1] == ["release"]:
                fake.faults.clear()
            elif words[:1] == ["down"]:
                await fake.close()
            elif words[:1] == ["up"]:
                await fake.start(port)
            print("ok", flush=True)
    finally:
        await fake.close()


if __name__ == "__main__":
    asyncio.run(_serve(sys.stdin))
