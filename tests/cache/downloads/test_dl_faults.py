"""The fault matrix: each fault ends in a byte-identical file or a failed row that says why."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from cache.downloads import DownloadStatus
from cache.downloads.paths import absolute, part_path
from tests.cache.downloads.conftest import Env, wait_ended
from tests.fakes.jellyfin import Fault, FaultKind

SIZE = 2_000_000
CUT = 1_200_000


@dataclass(frozen=True)
class Case:
    faults: tuple[Fault, ...]
    completes: bool
    error: str = ""  # expected in error_message when it fails
    sleeps: tuple[float, ...] | None = None  # the retry delays asked for, when they matter
    resumed: bool = False  # a later request must carry Range with a start > 0
    new_size: int | None = None
    changed: bool = False
    extra: dict[str, object] = field(default_factory=dict)


def f(kind: FaultKind, **kwargs: object) -> Fault:
    return Fault(kind, **kwargs)  # type: ignore[arg-type]


CASES = {
    "truncate_once": Case((f(FaultKind.TRUNCATE, after=CUT),), True, resumed=True, sleeps=(5.0,)),
    "truncate_thrice": Case(
        (f(FaultKind.TRUNCATE, after=CUT // 3, times=3),), True, sleeps=(5.0, 15.0, 45.0)
    ),
    "truncate_forever": Case(
        (f(FaultKind.TRUNCATE, after=1000, times=10),), False, "gave up after 3 retries"
    ),
    "truncate_then_range_ignored": Case(
        (f(FaultKind.TRUNCATE, after=CUT), f(FaultKind.IGNORE_RANGE)), True
    ),
    "changed_midway": Case((f(FaultKind.CHANGE, after=CUT),), True, changed=True),
    # Issue 13 item 8: a proxy answers 206 from the changed file; splicing it would be corrupt.
    "changed_then_if_range_ignored": Case(
        (f(FaultKind.CHANGE, after=CUT), f(FaultKind.IGNORE_IF_RANGE)), True, changed=True
    ),
    "changed_size_then_if_range_ignored": Case(
        (f(FaultKind.CHANGE, after=CUT, new_size=SIZE + 777), f(FaultKind.IGNORE_IF_RANGE)),
        True,
        changed=True,
        new_size=SIZE + 777,
    ),
    "changed_midway_new_size": Case(
        (f(FaultKind.CHANGE, after=CUT, new_size=SIZE + 12345),),
        True,
        changed=True,
        new_size=SIZE + 12345,
    ),
    "http_503_once": Case((f(FaultKind.STATUS, status=503),), True, sleeps=(5.0,)),
    "http_500_thrice": Case(
        (f(FaultKind.STATUS, status=500, times=3),), True, sleeps=(5.0, 15.0, 45.0)
    ),
    "http_502_forever": Case(
        (f(FaultKind.STATUS, status=502, times=9),), False, "server error (502"
    ),
    "http_429_retry_after": Case(
        (f(FaultKind.STATUS, status=429, retry_after="2"),), True, sleeps=(2.0,)
    ),
    "http_429_retry_after_capped": Case(
        (f(FaultKind.STATUS, status=429, retry_after="99999"),), True, sleeps=(300.0,)
    ),
    "stall": Case((f(FaultKind.STALL, after=CUT),), True, "", resumed=True),
    "connection_reset": Case((f(FaultKind.RESET, after=CUT),), True, sleeps=(5.0,)),
    "reset_at_first_byte": Case((f(FaultKind.RESET, after=0, times=2),), True),
    "content_length_too_big": Case((f(FaultKind.WRONG_LENGTH, delta=1000),), True),
    "content_length_too_small": Case((f(FaultKind.WRONG_LENGTH, delta=-1000),), True),
    "content_length_always_wrong": Case(
        (f(FaultKind.WRONG_LENGTH, delta=-1000, times=9),), False, "size mismatch"
    ),
    "http_404": Case((f(FaultKind.STATUS, status=404),), False, "no longer has this item"),
    "http_400": Case((f(FaultKind.STATUS, status=400),), False, "refused the download (400"),
    "http_401_relogin": Case((f(FaultKind.STATUS, status=401),), True, sleeps=()),
    "http_401_twice": Case(
        (f(FaultKind.STATUS, status=401, times=2),), False, "rejected our session"
    ),
}


@pytest.mark.parametrize("name", list(CASES))
async def test_fault(env: Env, name: str) -> None:
    case = CASES[name]
    _album, (track,) = env.fake.add_album("Faulty", [SIZE])
    for fault in case.faults:
        env.fake.add_fault(fault)
    manager = env.manager()
    await manager.start()
    queued, created = await manager.download_item(track.id)
    assert created
    done = await wait_ended(manager, queued.id)
    final = absolute(env.cache_dir, done.file_path or "")
    assert not part_path(final).exists() or not case.completes
    if case.completes:
        assert done.status == DownloadStatus.COMPLETED, done.error_message
        assert final.read_bytes() == track.data(), "completed with a wrong file"
        assert done.file_size == (case.new_size or SIZE)
        if case.changed:
            assert track.mtime > 1_700_000_000
    else:
        assert done.status == DownloadStatus.FAILED
        assert case.error in (done.error_message or ""), done.error_message
        assert not final.exists()
    if case.sleeps is not None:
        assert tuple(env.sleeps) == case.sleeps
    if case.resumed:
        starts = [r.range for r in env.fake.downloads]
        assert any(r and r.startswith("bytes=") and r != "bytes=0-" for r in starts), starts
    assert env.kinds(done.id)[:2] == ["queued", "started"]
    assert env.kinds(done.id)[-1] == ("completed" if case.completes else "failed")


async def test_forbidden_user_fails_with_clear_message(env: Env) -> None:
    env.fake.users.clear()
    env.fake.add_user("alice", "secret", can_download=False)
    _album, (track,) = env.fake.add_album("Locked", [1000])
    manager = env.manager()
    await manager.start()
    queued, _ = await manager.download_item(track.id)
    done = await wait_ended(manager, queued.id)
    assert done.status == DownloadStatus.FAILED
    assert "does not allow this user to download (403" in (done.error_message or "")


async def test_server_unreachable_fails_after_retries(env: Env) -> None:
    _album, (track,) = env.fake.add_album("Gone", [1000])
    manager = env.manager()
    queued, _ = await manager.download_item(track.id)  # queued while the server is up
    await env.fake.close()
    await manager.start()
    done = await wait_ended(manager, queued.id)
    assert done.status == DownloadStatus.FAILED
    assert "cannot reach the server" in (done.error_message or "")
    assert env.sleeps == [5.0, 15.0, 45.0]
