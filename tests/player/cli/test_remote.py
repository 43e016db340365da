"""The command-line client: output formats on canned JSON, and the commands against live services."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from player.app import create_app
from player.cli.downloads import (
    Watch,
    cell_width,
    fit,
    format_download,
    format_downloads,
    human_bytes,
    progress_bar,
    watch,
)
from player.cli.pair import format_pairing_list
from player.cli.remote import add_client_commands, run_client
from player.engine.fake import FakeEngine
from player.web.keys import SERVICES
from tests.player.conftest import AiohttpClient, service_config

Client = TestClient[Any, Any]


def download(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": 1, "item_id": "t1", "user_id": "u", "source": "jellyfin", "origin": "user",
        "title": "So What", "album": "Kind of Blue", "album_id": "a1", "status": "downloading",
        "progress": 0.5, "bytes_downloaded": 4_100_000, "file_size": 8_200_000, "priority": 0,
        "error_message": None, "retry_count": 0, "queued_at": None, "started_at": None,
        "completed_at": None, "wait_reason": None,
    }  # fmt: skip
    return base | kw


def page(*downloads: dict[str, Any], active: int = 1, queued: int = 0) -> dict[str, Any]:
    return {
        "downloads": list(downloads),
        "active_count": active,
        "queued_count": queued,
        "total": len(downloads),
    }


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # No stray token, config or local key from the machine running the tests.
    for name in ("TAPEDECK_URL", "TAPEDECK_TOKEN", "TAPEDECK_CONFIG", "STATE_DIRECTORY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "home" / "state"))


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="tapedeck")
    add_client_commands(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = run_client(parse(*argv), out=out, sleep=lambda s: time.sleep(min(s, 0.02)))
    return code, out.getvalue()


async def run_async(*argv: str) -> tuple[int, str]:
    return await asyncio.to_thread(run, *argv)


# --- formats on canned JSON ----------------------------------------------------------------------


def test_sizes_and_bars() -> None:
    assert [human_bytes(n) for n in (None, 512, 4_100_000, 12_300_000_000)] == [
        "?", "512 B", "4.1 MB", "12.3 GB",
    ]  # fmt: skip
    assert progress_bar(0.0, 10) == "░" * 10
    assert progress_bar(1.0, 10) == "█" * 10
    assert progress_bar(0.5, 10) == "█" * 5 + "░" * 5
    assert progress_bar(0.25, 2) == "▌░"  # eighth-cell resolution
    assert all(len(progress_bar(p / 100, 20)) == 20 for p in range(0, 101, 7))


def test_fit_counts_terminal_cells() -> None:
    assert cell_width("音楽") == 4 and cell_width("e\u0301") == 1
    assert fit("short", 10) == "short"
    assert fit("a long title indeed", 8) == "a long …"
    assert cell_width(fit("音楽の時間です", 7)) <= 7


def test_a_line_per_status() -> None:
    line = format_download(download(), 80)
    assert line.startswith("⇣ So What — Kind of Blue")
    assert " 50%" in line and "4.1 MB/8.2 MB" in line and "█" in line
    assert format_download(download(status="pending", wait_reason="waiting for Wi-Fi")).endswith(
        "waiting for Wi-Fi"
    )
    assert format_download(download(status="pending")).endswith("queued")
    assert format_download(download(status="paused")).endswith("paused at 50%")
    assert format_download(download(status="completed", progress=1.0)).endswith("done  8.2 MB")
    failed = download(status="failed", error_message="server unreachable", retry_count=3)
    assert format_download(failed).endswith("failed: server unreachable (after 3 retries)")
    assert format_download(download(status="cancelled")).startswith("⊘")
    for width in (40, 80, 120):
        assert cell_width(format_download(download(title="T" * 200), width)) <= width


def test_the_downloads_list() -> None:
    assert format_downloads(page()) == "No downloads."
    text = format_downloads(page(download(), download(id=2, status="pending"), queued=1))
    lines = text.splitlines()
    assert len(lines) == 3
    assert lines[-1] == "1 downloading · 1 queued · 2 in all"


def test_the_pairing_list() -> None:
    empty = format_pairing_list({"requests": [], "devices": []})
    assert empty == "No pairing request is waiting.\nNo client is paired."
    text = format_pairing_list(
        {
            "requests": [{"request_id": "AbCdEfGhIjKl", "name": "phone", "expires_in": 41.6}],
            "devices": [{"name": "tablet", "created_at": "2025-01-02T03:04:05Z"}],
        }
    )
    assert "AbCdEfGh  phone" in text and "42 s left" in text
    assert "tablet" in text and "since 2025-01-02T03:04:05Z" in text


def no_sleep(_: float) -> None:
    pass


class Pages:
    """Canned answers for `downloads --watch`: one page per poll, then the final lookups."""

    def __init__(self, pages: list[dict[str, Any]], final: dict[int, dict[str, Any]]) -> None:
        self.pages = pages
        self.final = final
        self.polls = 0

    def fetch(self) -> dict[str, Any]:
        self.polls += 1
        return self.pages[min(self.polls, len(self.pages)) - 1]

    def fetch_one(self, download_id: int) -> dict[str, Any]:
        return self.final[download_id]


def test_watch_redraws_in_place_on_a_terminal() -> None:
    pages = Pages(
        [page(download(progress=0.2)), page(download(progress=0.7)), page(active=0)],
        {1: download(status="completed", progress=1.0)},
    )
    out = io.StringIO()
    watch(
        Watch(pages.fetch, pages.fetch_one),
        out,
        tty=True,
        width=lambda: 60,
        rounds=10,
        sleep=no_sleep,
    )
    text = out.getvalue()
    assert pages.polls == 3
    assert text.count("\x1b[J") == 3  # one redraw per poll
    assert text.count("\x1b[2F") == 2  # back up over the previous block (a line + the summary)
    assert " 20%" in text and " 70%" in text and "✓ So What" in text
    assert text.endswith("Nothing left to download.\n")


def test_watch_without_a_terminal_prints_changes_only() -> None:
    same = page(download(progress=0.51))
    pages = Pages([same, page(download(progress=0.55)), page(download(progress=0.9))], {})
    out = io.StringIO()
    watch(
        Watch(pages.fetch, pages.fetch_one),
        out,
        tty=False,
        width=lambda: 80,
        rounds=3,
        sleep=no_sleep,
    )
    lines = out.getvalue().splitlines()
    assert len(lines) == 2  # 51% and 55% are the same tenth
    assert "\x1b" not in out.getvalue()


# --- against live services -----------------------------------------------------------------------


def url(client: Client) -> str:
    return str(client.make_url("")).rstrip("/")


async def test_transport_commands_against_the_service(client: Client) -> None:
    base = url(client)
    album = (await (await client.get("/api/v1/library/albums")).json())["items"][0]
    await client.post("/api/v1/queue", json={"album_id": album["id"], "mode": "replace"})
    code, text = await run_async("play", "--url", base)
    assert code == 0 and text.startswith("▶ ") and "vol" in text
    code, text = await run_async("pause", "--url", base)
    assert text.startswith("⏸ ")
    code, text = await run_async("next", "--url", base)
    assert code == 0
    code, text = await run_async("volume", "+5", "--url", base, "--json")
    assert json.loads(text)["volume"] == 75
    code, text = await run_async("queue", "--url", base)
    assert code == 0 and text.splitlines()[1].startswith("▶   2. ")
    code, text = await run_async("stop", "--url", base)
    assert text.startswith("■ stopped")
    code, text = await run_async("status", "--url", base, "--json")
    assert json.loads(text)["state"] == "stopped"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_service_that_is_not_running(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run("status", "--url", f"http://127.0.0.1:{free_port()}")
    err = capsys.readouterr().err
    assert code == 1
    assert "not running" in err and "connection refused" in err and "--url" in err


async def test_an_api_error_is_printed_with_its_message(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = await run_async("volume", "500", "--url", url(client))
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("tapedeck: 'volume' must be at most 100 (HTTP 422)")


@pytest.fixture
async def paired(aiohttp_client: AiohttpClient, tmp_path: Path, engine: FakeEngine) -> Client:
    app = create_app(service_config(tmp_path, security={"pairing": True}), engine=engine)
    client = await aiohttp_client(app)
    await asyncio.wait_for(app[SERVICES].media.scanned.wait(), 30)
    return client


async def approve_when_asked(client: Client) -> None:
    pairing = client.app[SERVICES].pairing
    assert pairing is not None
    for _ in range(500):  # bounded: the CLI thread asks within moments
        if pairing.requests.waiting():
            assert pairing.approve_pending() is not None  # the play button's long press
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the CLI never asked to pair")


async def test_pairing_from_the_command_line(
    paired: Client, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = url(paired)
    code, _ = await run_async("status", "--url", base)
    assert code == 1
    assert "needs pairing" in capsys.readouterr().err
    asking = asyncio.create_task(run_async("pair", "request", "laptop", "--url", base))
    await approve_when_asked(paired)
    code, text = await asking
    assert code == 0 and "Paired." in text
    token = text.split("TAPEDECK_TOKEN=")[1].split()[0]
    code, text = await run_async("status", "--url", base, "--token", token)
    assert code == 0 and text.startswith("■ stopped")
    state = str(tmp_path / "state")
    code, text = await run_async("pair", "list", "--url", base, "--state-dir", state)
    assert code == 0 and "laptop" in text and "No pairing request is waiting." in text
    code, text = await run_async("pair", "revoke", "laptop", "--url", base, "--state-dir", state)
    assert text.strip() == "Revoked 1 token of 'laptop'."
    code, _ = await run_async("status", "--url", base, "--token", token)
    assert code == 1
    assert "not valid" in capsys.readouterr().err


async def test_pair_approve_on_the_device(paired: Client, tmp_path: Path) -> None:
    base, state = url(paired), str(tmp_path / "state")
    resp = await paired.post("/api/v1/pairing", json={"name": "phone"})
    request_id = (await resp.json())["request_id"]
    code, text = await run_async("pair", "list", "--url", base, "--state-dir", state, "--json")
    assert json.loads(text)["requests"][0]["request_id"] == request_id
    code, text = await run_async(
        "pair", "approve", request_id[:6], "--url", base, "--state-dir", state
    )
    assert code == 0 and text.strip().startswith("Approved 'phone'")
    poll = await (await paired.get(f"/api/v1/pairing/{request_id}")).json()
    assert poll["state"] == "approved" and poll["token"]


async def test_pair_approve_explains_what_is_missing(
    paired: Client, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = url(paired)
    code, _ = await run_async("pair", "approve", "--url", base, "--state-dir", str(tmp_path / "x"))
    assert code == 1 and "no local key found" in capsys.readouterr().err
    code, _ = await run_async(
        "pair", "approve", "--url", base, "--state-dir", str(tmp_path / "state")
    )
    assert code == 1 and "no pairing request is waiting" in capsys.readouterr().err


async def test_pairing_when_the_device_has_it_off(
    client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = await run_async("pair", "request", "laptop", "--url", url(client))
    assert code == 1 and "security.pairing" in capsys.readouterr().err


async def test_downloads_commands_against_a_canned_service(
    aiohttp_client: AiohttpClient,
) -> None:
    """The downloads routes are the download manager's; this server answers with their shape."""
    polls: list[str] = []

    async def listing(request: web.Request) -> web.Response:
        polls.append(request.query_string)
        progress = min(1.0, 0.4 * len(polls))
        rows = [download(progress=progress)] if progress < 1.0 else []
        return web.json_response(page(*rows, active=len(rows)))

    async def one(request: web.Request) -> web.Response:
        return web.json_response(download(status="completed", progress=1.0))

    app = web.Application()
    app.router.add_get("/api/v1/downloads", listing)
    app.router.add_get("/api/v1/downloads/{id}", one)
    client = await aiohttp_client(app)
    base = url(client)
    code, text = await run_async("downloads", "--url", base, "--status", "downloading,pending")
    assert code == 0 and "So What" in text and text.strip().endswith("1 in all")
    assert polls[-1] == "limit=100&status=downloading,pending"
    polls.clear()
    code, text = await run_async("downloads", "--watch", "--url", base)
    assert code == 0 and text.endswith("Nothing left to download.\n")
    assert polls[0] == "limit=100&status=pending,downloading,paused" and len(polls) == 3
    assert "✓ So What" in text


async def test_tokens_ride_along_with_every_command(aiohttp_client: AiohttpClient) -> None:
    seen: list[str | None] = []

    async def player(request: web.Request) -> web.Response:
        seen.append(request.headers.get("Authorization"))
        return web.json_response({"state": "stopped", "item": None, "volume": 40})

    app = web.Application()
    app.router.add_get("/api/v1/player", player)
    client = await aiohttp_client(app)
    code, text = await run_async("status", "--url", url(client), "--token", "s3cret")
    assert code == 0 and text.strip() == "■ stopped  (volume 40)"
    assert seen == ["Bearer s3cret"]
