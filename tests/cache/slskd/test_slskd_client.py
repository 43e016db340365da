"""The slskd client against the fake: shapes, version quirks, errors and retries."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from cache.slskd import errors
from cache.slskd.client import ClientConfig, SlskdClient
from cache.slskd.wire import FileRequest, TransferId
from tests.cache.slskd.conftest import ALBUM, FILES, MakeClient
from tests.fakes.slskd import FakeSlskd, Peer

SONG = f"{ALBUM}\\01 - Mouth for War.flac"
REQ = FileRequest(SONG, len(FILES[SONG]))


async def test_wrong_key_is_auth_error(make_client: MakeClient) -> None:
    client = await make_client(api_key="not-the-key-at-all")
    with pytest.raises(errors.SlskdAuthError):
        await client.list_downloads()


async def test_500_and_unreachable_are_unavailable(
    make_client: MakeClient, fake: FakeSlskd, session: aiohttp.ClientSession
) -> None:
    client = await make_client()
    fake.fail_status = 500
    with pytest.raises(errors.SlskdUnavailableError):
        await client.list_downloads()
    dead = SlskdClient(session, ClientConfig("http://127.0.0.1:9", "k" * 16, request_timeout=2))
    with pytest.raises(errors.SlskdUnavailableError):
        await dead.list_downloads()


async def test_search_responses_stay_empty_until_complete(client: SlskdClient) -> None:
    search = await client.start_search("mouth war")
    assert search.state == "Requested"
    assert not search.is_complete
    assert await client.search_responses(search.id) == []
    done = await client.wait_search(search.id, interval=0)
    assert done.is_complete
    assert done.state == "Completed, TimedOut"
    (resp,) = await client.search_responses(search.id)
    assert resp.username == "peer one"
    assert [f.filename for f in resp.files] == [SONG]
    assert resp.files[0].bit_rate is None  # left out by slskd, not null


async def test_unknown_search_is_not_found(client: SlskdClient) -> None:
    with pytest.raises(errors.SlskdNotFoundError):
        await client.get_search("9a1c0000-0000-0000-0000-000000000000")  # type: ignore[arg-type]


async def test_overlapping_requests_get_429_and_are_retried(
    client: SlskdClient, fake: FakeSlskd
) -> None:
    fake.busy_next = 2
    search = await client.start_search("mouth")
    assert search.search_text == "mouth"
    fake.delay = 0.05  # hold the search semaphore so the second search overlaps for real
    first, second = await asyncio.gather(client.start_search("a"), client.start_search("b"))
    assert {first.search_text, second.search_text} == {"a", "b"}


async def test_busy_forever_raises(make_client: MakeClient, fake: FakeSlskd) -> None:
    client = await make_client(busy_retries=2)
    fake.busy_next = 10
    with pytest.raises(errors.SlskdBusyError):
        await client.enqueue("peer one", [REQ])


async def test_enqueue_uses_batches_on_026(client: SlskdClient, fake: FakeSlskd) -> None:
    result = await client.enqueue("peer one", [REQ])
    assert result.confirmed
    (t,) = result.enqueued
    assert t.state == "Queued, Locally"
    assert ("POST", "/api/v0/transfers/downloads/batches") in fake.requests
    again = await client.enqueue("peer one", [REQ])  # already in progress → a failure entry
    assert again.failed == (SONG,)


@pytest.mark.parametrize(
    ("version", "confirmed"), [((0, 23), False), ((0, 24), True), ((0, 25), True)]
)
async def test_legacy_enqueue_bodies(
    make_client: MakeClient, fake: FakeSlskd, version: tuple[int, int], confirmed: bool
) -> None:
    fake.version = version
    client = await make_client()
    result = await client.enqueue("peer one", [REQ])
    assert result.confirmed is confirmed
    assert len(result.enqueued) == (1 if confirmed else 0)
    # The batches POST reached the legacy route as user "batches" (400), then the legacy call.
    assert fake.requests[-2:] == [
        ("POST", "/api/v0/transfers/downloads/batches"),
        ("POST", "/api/v0/transfers/downloads/peer one"),  # aiohttp's decoded path
    ]
    await client.enqueue("peer one", [FileRequest(f"{ALBUM}\\02 - A New Level.flac", 4000)])
    batches = [r for r in fake.requests if r[1].endswith("/batches")]
    assert len(batches) == 1  # remembered: no second try of the missing endpoint


async def test_legacy_026_failed_entries_are_objects(
    make_client: MakeClient, fake: FakeSlskd
) -> None:
    client = await make_client(enqueue_mode="legacy")
    await client.enqueue("peer one", [REQ])
    again = await client.enqueue("peer one", [REQ])
    assert again.failed == ("",)  # `{}`: slskd does not say which file


async def test_offline_user(make_client: MakeClient, fake: FakeSlskd) -> None:
    fake.peers["peer one"].online = False
    client = await make_client()
    with pytest.raises(errors.SlskdNotFoundError):  # batches: 404 for an offline user
        await client.enqueue("peer one", [REQ])
    legacy = await make_client(enqueue_mode="legacy")
    with pytest.raises(errors.SlskdUnavailableError):  # legacy: 500 with a message
        await legacy.enqueue("peer one", [REQ])


async def test_usernames_are_encoded_once(make_client: MakeClient, fake: FakeSlskd) -> None:
    odd = "a/b c%d+é"
    fake.add_peer(Peer(odd, {"x\\Album\\01.flac": b"z" * 10}))
    client = await make_client(enqueue_mode="legacy")
    result = await client.enqueue(odd, [FileRequest("x\\Album\\01.flac", 10)])
    (t,) = result.enqueued
    assert t.username == odd
    assert await client.get_download(odd, t.id) is not None
    await client.cancel(odd, t.id)
    assert fake.usernames_seen == [odd, odd, odd]


@pytest.mark.parametrize("flat", [False, True])
async def test_listing_both_shapes_and_fields(
    client: SlskdClient, fake: FakeSlskd, flat: bool
) -> None:
    fake.flat_shape = flat
    (t,) = (await client.enqueue("peer one", [REQ])).enqueued
    fake.progress(t.id, 1500, speed=300.0)
    (listed,) = await client.list_downloads()
    assert listed.id == t.id
    assert listed.username == "peer one"
    assert listed.state == "InProgress"
    assert listed.average_speed == 300.0
    assert listed.eta_seconds == pytest.approx(5.0)  # from remainingTime: 1500 B at 300 B/s
    assert listed.progress == 0.5
    assert listed.requested_at is not None and listed.started_at is not None


async def test_get_by_id_cancel_remove_and_clear(client: SlskdClient, fake: FakeSlskd) -> None:
    (t,) = (await client.enqueue("peer one", [REQ])).enqueued
    got = await client.get_download("peer one", t.id)
    assert got is not None and got.id == t.id
    missing = TransferId("00000000-0000-0000-0000-000000000000")
    assert await client.get_download("peer one", missing) is None
    await client.cancel("peer one", missing, remove=True)  # unknown ids still give 204
    await client.cancel("peer one", t.id, remove=True)  # in flight: cancelled, not removed
    (listed,) = await client.list_downloads()
    assert listed.state == "Completed, Cancelled"
    await client.clear_completed()
    assert await client.list_downloads() == []
    removed = await client.get_download("peer one", t.id)  # still found by id
    assert removed is not None and removed.removed


async def test_events_log_gives_local_filename(
    client: SlskdClient, fake: FakeSlskd, downloads_dir: Path
) -> None:
    (t,) = (await client.enqueue("peer one", [REQ])).enqueued
    fake.complete(t.id)
    (done,) = await client.list_downloads()
    local = await client.local_filename(done)
    assert local == str(downloads_dir / "Vulgar Display" / "01 - Mouth for War.flac")
    # A second download of the same file lands under slskd's rename rule.
    (t2,) = (await client.enqueue("peer one", [REQ])).enqueued
    fake.complete(t2.id)
    again = await client.get_download("peer one", t2.id)
    assert again is not None
    renamed = await client.local_filename(again)
    assert renamed is not None and renamed != local
    assert Path(renamed).name.startswith("01 - Mouth for War_")
