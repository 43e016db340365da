"""Optional helpers that ask system tools: the SSID (iwgetid / iw) and NetworkManager's metered flag.

Each returns None when the tool is absent, fails or times out; the watcher then decides without it.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable

SsidReader = Callable[[str], Awaitable[str | None]]
MeteredReader = Callable[[str], Awaitable[bool | None]]

TOOL_TIMEOUT = 3.0


async def run_tool(*argv: str, limit: float = TOOL_TIMEOUT) -> str | None:
    """stdout of a command, or None when it is missing, fails or takes too long."""
    if shutil.which(argv[0]) is None:
        return None
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL
        )
    except OSError:
        return None
    try:
        async with asyncio.timeout(limit):
            out, _ = await proc.communicate()
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return None
    return out.decode("utf-8", "replace") if proc.returncode == 0 else None


async def read_ssid(interface: str) -> str | None:
    """The SSID the Wi-Fi interface is associated with."""
    out = await run_tool("iwgetid", interface, "--raw")
    if out and out.strip():
        return out.strip()
    out = await run_tool("iw", "dev", interface, "link")
    for line in (out or "").splitlines():
        key, _, value = line.strip().partition(":")
        if key == "SSID" and value.strip():
            return value.strip()
    return None


async def read_nm_metered(interface: str) -> bool | None:
    """NetworkManager's GENERAL.METERED for the device ("yes", "yes (guessed)", "no", ...)."""
    out = await run_tool("nmcli", "-t", "-f", "GENERAL.METERED", "device", "show", interface)
    if out is None:
        return None
    return parse_nm_metered(out)


def parse_nm_metered(text: str) -> bool | None:
    """`GENERAL.METERED:yes (guessed)` -> True; "unknown" or nothing -> None."""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "GENERAL.METERED":
            word = value.strip().split(" ")[0].lower()
            return {"yes": True, "no": False}.get(word)
    return None
