"""The one JSON form of a download, for every source, made in player/web/wire.py."""

from __future__ import annotations

from cache.downloads import Download, DownloadEvent, DownloadEventKind, DownloadId, DownloadStatus
from player.web.wire import download_json, event_json

API_KEYS = {
    "id", "item_id", "user_id", "source", "origin", "title", "album", "album_id", "status",
    "progress", "bytes_downloaded", "file_size", "priority", "error_message", "retry_count",
    "queued_at", "started_at", "completed_at", "wait_reason",
}  # fmt: skip
ROW = Download(DownloadId(7), "abc", DownloadStatus.DOWNLOADING, source="slskd", can_pause=False)


def test_a_download_is_api_md_object_plus_its_capability() -> None:
    body = download_json(ROW)
    # plus `quality` (issue 20): which copy the download keeps
    assert set(body) == API_KEYS | {"can_pause", "quality"}
    assert body["quality"] == "original"
    assert (body["id"], body["status"], body["origin"], body["can_pause"]) == (
        7,
        "downloading",
        "user",
        False,
    )


def test_speed_and_eta_only_from_a_source_that_reports_them() -> None:
    fetched = event_json(DownloadEvent(DownloadEventKind.PROGRESS, ROW))
    assert fetched["type"] == "download" and fetched["event"] == "progress"
    assert "speed" not in fetched["download"]
    reported = event_json(DownloadEvent(DownloadEventKind.PROGRESS, ROW, speed=2.0, eta=None))
    assert (reported["download"]["speed"], reported["download"]["eta"]) == (2.0, None)
