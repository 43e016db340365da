"""Artists and playlists through the API on the demo library: list, detail, queue, search,
download a playlist (local files: nothing to fetch), bad ids as 404 and bad bodies as 422."""

from __future__ import annotations

from typing import Any

from aiohttp.test_utils import TestClient

from cache.local.demo import ARTIST
from player.web.keys import SERVICES

Client = TestClient[Any, Any]


async def _json(client: Client, path: str, status: int = 200) -> Any:
    resp = await client.get(path)
    assert resp.status == status, await resp.text()
    return await resp.json()


async def _demo_playlist(client: Client) -> dict[str, Any]:
    media = client.app[SERVICES].media
    (media.settings.music_dir / "Mix.m3u8").write_text(
        f"#EXTM3U\n{ARTIST}/Evening Tapes/01 - Lanterns.wav\n"
        f"{ARTIST}/Morning Tapes/02 - Kettle Song.wav\n/etc/passwd\n",
        encoding="utf-8",
    )
    await media.scanner.scan()
    page = await _json(client, "/api/v1/library/playlists")
    assert page["total"] == 1
    return page["items"][0]  # type: ignore[no-any-return]


async def test_artists_list_with_their_albums_and_play_all(client: Client) -> None:
    page = await _json(client, "/api/v1/library/artists")
    assert page["total"] == 1
    artist = page["items"][0]
    assert artist["name"] == ARTIST and artist["album_count"] == 2 and artist["source"] == "local"
    one = await _json(client, f"/api/v1/library/artists/{artist['id']}")
    assert [a["title"] for a in one["albums"]] == ["Morning Tapes", "Evening Tapes"]  # by year
    second = await _json(client, f"/api/v1/library/artists/{artist['id']}?offset=1&limit=1")
    assert [a["title"] for a in second["albums"]] == ["Evening Tapes"]
    body = {"artist_id": artist["id"], "mode": "replace", "play": True}
    resp = await client.post("/api/v1/queue", json=body)
    assert resp.status == 200, await resp.text()
    queue = await resp.json()
    assert [e["item"]["album"] for e in queue["entries"]] == ["Morning Tapes"] * 3 + [
        "Evening Tapes"
    ] * 3
    found = await _json(client, "/api/v1/library/search?q=" + ARTIST.split()[0][:4])
    assert [a["id"] for a in found["artists"]] == [artist["id"]]
    await _json(client, "/api/v1/library/artists/ar-12345", 404)
    await _json(client, "/api/v1/library/artists/nonsense", 404)


async def test_a_local_playlist_lists_queues_and_downloads(client: Client) -> None:
    summary = await _demo_playlist(client)
    assert summary["name"] == "Mix" and summary["track_count"] == 2 and summary["skipped"] == 1
    assert summary["source"] == "local" and summary["available_offline"] == "full"
    one = await _json(client, f"/api/v1/library/playlists/{summary['id']}")
    assert [t["title"] for t in one["entries"]] == ["Lanterns", "Kettle Song"]
    body = {"playlist_id": summary["id"], "mode": "replace", "play": True}
    resp = await client.post("/api/v1/queue", json=body)
    assert resp.status == 200, await resp.text()
    titles = [e["item"]["title"] for e in (await resp.json())["entries"]]
    assert titles == ["Lanterns", "Kettle Song"]
    resp = await client.post("/api/v1/downloads/playlist", json={"playlist_id": summary["id"]})
    assert resp.status == 201 and (await resp.json())["downloads"] == []  # on this disk already
    await _json(client, "/api/v1/library/playlists/nope", 404)
    resp = await client.post("/api/v1/downloads/playlist", json={"playlist_id": "nope"})
    assert resp.status == 404
    both = {"playlist_id": summary["id"], "album_id": "x", "mode": "replace"}
    assert (await client.post("/api/v1/queue", json=both)).status == 422
    resp = await client.post("/api/v1/queue", json={"playlist_id": "nope", "mode": "append"})
    assert resp.status == 404
