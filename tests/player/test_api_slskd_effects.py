"""Issue 13, finding 15, over the API of an in-process service and the fake slskd: the bulk
commands treat Soulseek rows as what they are (slskd cannot pause; a failed row can be retried),
and each row says whether it can pause, so the page never offers a Pause slskd would refuse."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes.slskd import FakeSlskd
from tests.player.test_api_slskd import (  # noqa: F401 (fixtures)
    REMOTE,
    Client,
    client,
    enqueue,
    fake,
    fake_server,
    search,
    slskd_dir,
    until,
)


@pytest.fixture
def slskd_options() -> dict[str, Any]:
    return {"max_retries": 0}  # a transfer that fails at slskd fails the download at once


async def _row(api: Client, download_id: int) -> dict[str, Any]:
    body: dict[str, Any] = await (await api.get(f"/api/v1/downloads/{download_id}")).json()
    return body


async def _bulk(api: Client, verb: str) -> int:
    response = await api.post(f"/api/v1/downloads/{verb}")
    assert response.status == 200
    return int((await response.json())["affected"])


async def test_pause_all_leaves_soulseek_rows_running(client: Client, fake: FakeSlskd) -> None:  # noqa: F811
    download = await enqueue(client, (await search(client, "slow tones"))["candidates"][1])
    assert download["can_pause"] is False  # the page shows no Pause for it
    listed = await (await client.get("/api/v1/downloads")).json()
    assert [d["can_pause"] for d in listed["downloads"]] == [False]
    assert await _bulk(client, "pause-all") == 0
    assert (await _row(client, download["id"]))["status"] == "pending"
    fake.progress(fake.by_name(REMOTE).id, 500)  # slskd goes on, and tapedeck still follows it

    async def downloading() -> bool:
        return (await _row(client, download["id"]))["status"] == "downloading"

    await until(downloading)
    single = await client.post(f"/api/v1/downloads/{download['id']}/pause")
    assert single.status == 409


async def test_resume_all_retries_failed_soulseek_rows(client: Client, fake: FakeSlskd) -> None:  # noqa: F811
    download = await enqueue(client, (await search(client, "slow tones"))["candidates"][1])
    first = fake.by_name(REMOTE).id
    fake.fail(first, exception="peer went away")

    async def failed() -> bool:
        return (await _row(client, download["id"]))["status"] == "failed"

    await until(failed)
    assert await _bulk(client, "resume-all") == 1
    again = await _row(client, download["id"])
    assert (again["status"], again["retry_count"], again["error_message"]) == ("pending", 0, None)
    retried = fake.by_name(REMOTE)
    assert retried.id != first and retried.username == "slow peer"  # enqueued at slskd again
    fake.complete(retried.id, b"x" * 1000)

    async def completed() -> bool:
        return (await _row(client, download["id"]))["status"] == "completed"

    await until(completed)
