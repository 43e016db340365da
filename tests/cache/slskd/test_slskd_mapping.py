"""Pure logic: state strings, listing shapes, matching, grace period, parsing, candidate ranking."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cache.slskd.candidates import rank_candidates
from cache.slskd.mapping import (
    TransferCategory,
    Wanted,
    flatten_downloads,
    is_bulk_clearable,
    map_state,
    match_transfers,
    missing_after_poll,
)
from cache.slskd.wire import (
    SearchResponse,
    Transfer,
    TransferId,
    parse_timespan,
    parse_timestamp,
)

C = TransferCategory


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("None", C.QUEUED),
        ("Requested", C.QUEUED),
        ("Queued", C.QUEUED),
        ("Queued, Locally", C.QUEUED),
        ("Queued, Remotely", C.QUEUED),
        ("Initializing", C.DOWNLOADING),
        ("InProgress", C.DOWNLOADING),
        ("Completed, Succeeded", C.COMPLETED),
        ("Completed, Cancelled", C.CANCELLED),
        ("Completed, TimedOut", C.FAILED),
        ("Completed, Errored", C.FAILED),
        ("Completed, Rejected", C.FAILED),
        ("Completed, Aborted", C.FAILED),
        ("Cancelled", C.CANCELLED),
        ("Canceled", C.CANCELLED),
        ("Failed", C.FAILED),
        ("Errored", C.FAILED),
        ("TimedOut", C.FAILED),
        ("Rejected", C.FAILED),
        ("Aborted", C.FAILED),
        ("Completed", C.FAILED),
    ],
)
def test_every_state_string_maps(state: str, expected: TransferCategory) -> None:
    assert map_state(state) is expected


def test_bulk_clearable_only_succeeded_and_cancelled() -> None:
    assert is_bulk_clearable("Completed, Succeeded")
    assert is_bulk_clearable("Completed, Cancelled")
    assert not is_bulk_clearable("Completed, Errored")
    assert not is_bulk_clearable("InProgress")


def _file(tid: str, name: str, user: str = "u", **extra: object) -> dict[str, object]:
    return {
        "id": tid,
        "username": user,
        "filename": name,
        "size": 10,
        "state": "InProgress",
    } | extra


def test_flatten_both_shapes_and_username_from_group() -> None:
    nested = [
        {
            "username": "u",
            "directories": [{"directory": "a", "fileCount": 1, "files": [_file("1", "a\\x")]}],
        }
    ]
    flat = [
        {
            "username": "v",
            "files": [{"id": "2", "filename": "b\\y", "size": 3, "state": "Requested"}],
        }
    ]
    both = [
        {
            "username": "w",
            "files": [_file("3", "c", "w")],
            "directories": [{"files": [_file("3", "c", "w")]}],
        }
    ]
    assert [t.id for t in flatten_downloads(nested)] == ["1"]
    (only,) = flatten_downloads(flat)
    assert (only.id, only.username) == ("2", "v")
    assert [t.id for t in flatten_downloads(both)] == ["3"]  # listed twice, counted once
    assert flatten_downloads([]) == []


def _t(tid: str, name: str, user: str = "u", at: int = 0) -> Transfer:
    when = datetime(2026, 1, 1, 0, 0, at, tzinfo=UTC)
    return Transfer(TransferId(tid), user, name, 10, "InProgress", requested_at=when)


def test_match_by_id_first() -> None:
    wanted = [Wanted(1, "u", "a\\01.flac", TransferId("t2"))]
    got = match_transfers(wanted, [_t("t1", "a\\01.flac"), _t("t2", "b\\01.flac")])
    assert got[1].transfer.id == "t2"
    assert not got[1].corrected


def test_basename_fallback_is_case_insensitive_and_corrects_id() -> None:
    wanted = [Wanted(1, "u", "@@x\\Music\\Album\\01 - Song.FLAC", TransferId("gone"))]
    got = match_transfers(wanted, [_t("new", "@@x\\Music\\Album\\01 - song.flac")])
    assert got[1].transfer.id == "new"
    assert got[1].corrected


def test_fallback_needs_the_same_peer() -> None:
    wanted = [Wanted(1, "u", "a\\01.flac", None)]
    assert match_transfers(wanted, [_t("t", "a\\01.flac", user="someone else")]) == {}


def test_one_transfer_never_matched_twice() -> None:
    wanted = [
        Wanted(1, "u", "a\\01.flac", None),
        Wanted(2, "u", "b\\01.flac", TransferId("t1")),
        Wanted(3, "u", "c\\01.flac", None),
    ]
    got = match_transfers(wanted, [_t("t1", "a\\01.flac"), _t("t2", "c\\01.flac")])
    assert got[2].transfer.id == "t1"  # the id claim wins over the name match of download 1
    assert got[3].transfer.id == "t2"  # exact path preferred
    assert 1 not in got  # both same-named transfers are taken
    assert len({m.transfer.id for m in got.values()}) == len(got)


def test_fallback_prefers_exact_path_then_newest() -> None:
    wanted = [Wanted(1, "u", "a\\01.flac", None)]
    got = match_transfers(wanted, [_t("old", "a\\01.flac", at=1), _t("new", "a\\01.flac", at=5)])
    assert got[1].transfer.id == "new"


def test_grace_period_three_polls_and_reset() -> None:
    v1 = missing_after_poll(False, 0)
    v2 = missing_after_poll(False, v1.missing_polls)
    v3 = missing_after_poll(False, v2.missing_polls)
    assert (v1.gone, v2.gone, v3.gone) == (False, False, True)
    assert missing_after_poll(True, 2).missing_polls == 0


def test_timestamps_with_and_without_z_and_timespans() -> None:
    with_z = parse_timestamp("2026-08-22T18:04:07.1234567Z")
    without = parse_timestamp("2026-08-22T18:04:07.1234567")
    assert with_z == without
    assert with_z is not None and with_z.tzinfo is not None
    assert parse_timestamp("0001-01-01T00:00:00") is not None
    assert parse_timestamp(None) is None
    assert parse_timespan("00:00:31.2250000") == pytest.approx(31.225)
    assert parse_timespan("1.00:00:01") == 86401


def test_transfer_reads_remaining_time_not_time_remaining() -> None:
    t = Transfer.from_json({
        "id": "x", "username": "u", "filename": "f", "size": 1000, "state": "InProgress",
        "bytesTransferred": 500, "averageSpeed": 100.0, "remainingTime": "00:00:07",
        "timeRemaining": 999,
    })  # fmt: skip
    assert t.eta_seconds == 7
    assert t.progress == 0.5
    no_time = Transfer.from_json({"id": "x", "filename": "f", "size": 1000, "bytesTransferred": 500,
                                  "averageSpeed": 250.0})  # fmt: skip
    assert no_time.eta_seconds == 2.0  # bytes/s, so 500 bytes at 250 B/s


def _resp(user: str, files: list[dict[str, object]], **kw: object) -> SearchResponse:
    base: dict[str, object] = {"username": user, "files": files, "hasFreeUploadSlot": True,
                               "queueLength": 0, "uploadSpeed": 2_000_000}  # fmt: skip
    return SearchResponse.from_json(base | kw)


def test_candidates_grouped_ranked_and_shaped() -> None:
    flac = [{"filename": f"A\\Album\\0{i}.flac", "size": 100, "extension": "flac", "length": 200}
            for i in (1, 2)]  # fmt: skip
    mp3 = [{"filename": f"B\\Album\\0{i}.mp3", "size": 50, "bitRate": 128} for i in (1, 2)]
    mixed = [*mp3, {"filename": "B\\Other\\cover.jpg", "size": 5}]
    responses = [
        _resp("slow", flac, hasFreeUploadSlot=False, queueLength=50, uploadSpeed=1000),
        _resp("good", flac),
        _resp("lossy", mixed),
    ]
    ranked = rank_candidates(responses, expected_files=2)
    assert ranked[0].username == "good"
    assert all(c.directory.endswith("Album") for c in ranked)  # cover.jpg's folder held no audio
    body = ranked[0].to_json()
    assert set(body) == {"username", "directory", "files", "score"}
    assert body["files"][0] == {"filename": "A\\Album\\01.flac", "size": 100, "length": 200}
    lossy = next(c for c in ranked if c.username == "lossy").to_json()
    assert lossy["files"][0]["bitrate"] == 128
    assert ranked[0].score > ranked[-1].score


def test_candidates_skip_locked_files() -> None:
    resp = SearchResponse.from_json({
        "username": "u", "files": [], "lockedFiles": [{"filename": "A\\x.flac", "size": 1}],
    })  # fmt: skip
    assert rank_candidates([resp]) == []
