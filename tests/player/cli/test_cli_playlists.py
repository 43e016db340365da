"""`tapedeck playlists`: the list, a playlist played by its name (case ignored, or a part of the
name that only one holds), --append, and a name that matches none or several."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from player.cli.http import ClientError
from player.cli.playlists import pick
from tests.player.cli.test_remote import run_async, url
from tests.player.test_api_collections import _demo_playlist

Client = TestClient[Any, Any]


async def test_list_and_play_a_playlist_by_name(client: Client) -> None:
    await _demo_playlist(client)
    base = url(client)
    code, text = await run_async("playlists", "--url", base)
    assert code == 0 and text.strip() == "Mix  (2 tracks, 1 min, local)"
    code, text = await run_async("playlists", "mix", "--url", base)
    assert code == 0 and text.splitlines()[0].startswith("▶   1. Lanterns")
    code, text = await run_async("playlists", "MI", "--append", "--url", base, "--json")
    titles = [e["item"]["title"] for e in json.loads(text)["entries"]]
    assert code == 0 and titles == ["Lanterns", "Kettle Song"] * 2
    code, _ = await run_async("playlists", "nothing", "--url", base)
    assert code == 1


def test_a_name_picks_one_playlist_or_says_why_not() -> None:
    lists = [{"id": "1", "name": "Morning"}, {"id": "2", "name": "Morning run"}]
    assert pick(lists, "morning")["id"] == "1"  # the exact name wins over the longer one
    assert pick(lists, "RUN")["id"] == "2"
    for name, why in (("morn", "several playlists match"), ("jazz", "no playlist has that name")):
        with pytest.raises(ClientError, match=f"{why}.*Morning run"):
            pick(lists, name)
