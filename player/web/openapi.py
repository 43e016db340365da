"""The OpenAPI 3.1 document, built from the RouteTable so the routes and the document cannot drift."""

from __future__ import annotations

import re
from typing import Any

from player.web.spec import RouteSpec


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": required or list(props)}


S, INT, N, B = {"type": "string"}, {"type": "integer"}, {"type": "number"}, {"type": "boolean"}
NULL_S = {"type": ["string", "null"]}
NULL_I = {"type": ["integer", "null"]}
NULL_N = {"type": ["number", "null"]}
STRS = {"type": "array", "items": S}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


COMPONENTS: dict[str, Any] = {
    "Room": _obj(
        {"id": S, "name": S, "connected": B, "volume": INT, "muted": B, "latency": INT, "in_group": B,
         "this_device": B}  # beyond api.md: the room role's own snapclient
    ),
    "Sleep": _obj(
        {"active": B, "ends_at": NULL_S, "mode": {"enum": ["minutes", "end_of_track", "end_of_queue", None]}}
    ),
    "Alarm": _obj(
        {
            "id": S, "time": S, "days": {"type": "array", "items": {"enum": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}},
            "enabled": B, "play": {"type": "object"}, "volume": INT, "fade_seconds": N, "next_at": NULL_S,
            "source": {"enum": ["config", "api"]},
        }
    ),
    "Station": _obj({"id": S, "name": S, "url": S, "source": {"enum": ["config", "api"]}}),
    "StationList": _obj({"stations": {"type": "array", "items": _ref("Station")}}),
    "StationItem": _obj({"id": S, "title": S, "station": _ref("Station")}),
    "AlarmList": _obj(
        {"alarms": {"type": "array", "items": _ref("Alarm")}, "ringing": NULL_S, "snoozed_until": NULL_S}
    ),
    "RoomList": _obj({"rooms": {"type": "array", "items": _ref("Room")}}),
    "Error": _obj({"error": _obj({"code": S, "message": S})}),
    "Repair": _obj({"what": S, "problem": S, "action": S, "at": S}),
    "Health": _obj(
        {
            "status": {"const": "ok"}, "version": S, "name": S,
            "repairs": {"type": "array", "items": _ref("Repair")}, "problems": STRS,
            "sources": {"type": "array", "items": _ref("SourceStatus")},
        }
    ),
    "SourceStatus": _obj(
        {"name": S, "error": {"oneOf": [{"type": "null"}, _obj({"code": S, "message": S})]}}
    ),
    "Track": _obj(
        {
            "id": S, "title": S, "album": S, "album_id": S, "artists": STRS, "duration": N,
            "track_number": NULL_I, "disc_number": NULL_I, "container": S, "size": INT,
            "source": {"enum": ["jellyfin", "local", "slskd", "subsonic", "radio"]}, "available_offline": B,
        }
    ),
    "Album": _obj(
        {
            "id": S, "title": S, "artists": STRS, "year": NULL_I, "track_count": INT, "duration": N,
            "available_offline": {"enum": ["none", "partial", "full"]},
            "tracks": {"type": "array", "items": _ref("Track")},
        },
        ["id", "title", "artists", "year", "track_count", "duration", "available_offline"],
    ),
    "AlbumPage": _obj({"items": {"type": "array", "items": _ref("Album")}, "total": INT}),
    "SearchResult": _obj(
        {
            "tracks": {"type": "array", "items": _ref("Track")}, "albums": {"type": "array", "items": _ref("Album")},
            "artists": {"type": "array", "items": _ref("Artist")},
        }
    ),
    "Artist": _obj(
        {
            "id": S, "name": S, "album_count": INT, "source": {"enum": ["jellyfin", "local", "slskd", "subsonic", "mixed"]},
            "albums": {"type": "array", "items": _ref("Album")},
        },
        ["id", "name", "album_count", "source"],
    ),
    "ArtistPage": _obj({"items": {"type": "array", "items": _ref("Artist")}, "total": INT}),
    "Playlist": _obj(
        {
            "id": S, "name": S, "track_count": INT, "duration": N,
            "source": {"enum": ["jellyfin", "local", "slskd", "subsonic"]},
            "available_offline": {"enum": ["none", "partial", "full"]}, "skipped": INT,
            "entries": {"type": "array", "items": _ref("Track")},
        },
        ["id", "name", "track_count", "duration", "source", "available_offline", "skipped"],
    ),
    "PlaylistPage": _obj({"items": {"type": "array", "items": _ref("Playlist")}, "total": INT}),
    "Player": _obj(
        {
            "state": {"enum": ["playing", "paused", "stopped"]},
            "item": {"oneOf": [_ref("Track"), _ref("StationItem"), {"type": "null"}]},
            "position": N, "duration": NULL_N, "volume": {"type": "integer", "minimum": 0, "maximum": 100},
            "muted": B, "repeat": {"enum": ["off", "all", "one"]}, "shuffle": B, "queue_index": NULL_I,
            "playing_from": {"enum": ["local", "stream", None]},
        }
    ),
    "Entry": _obj({"entry_id": S, "item": _ref("Track")}),
    "Queue": _obj(
        {
            "entries": {"type": "array", "items": _ref("Entry")}, "index": NULL_I, "version": INT,
            "offset": INT, "total": INT,  # a page: the first entry's index, the queue's length
        },
        ["entries", "index", "version"],
    ),
    # A `queue` event on /api/v1/events?queue=changes: one change, never the whole queue.
    "QueueChangeEvent": _obj(
        {
            "type": {"const": "queue"},
            "queue": _obj(
                {"index": NULL_I, "version": INT, "total": INT,
                 "entries": {"type": "array", "items": _ref("Entry")}},
                ["index", "version", "total"],
            ),
            "change": _obj(
                {
                    "since": INT, "reset": B,
                    "inserted": {"type": "array", "items": _obj({"index": INT, "entry": _ref("Entry")})},
                    "removed": STRS,
                    "moved": {"type": "array", "items": _obj({"entry_id": S, "to": INT})},
                },
                ["since", "reset"],
            ),
        }
    ),
    "Download": _obj(
        {
            "id": INT, "item_id": S, "user_id": S, "source": S, "origin": {"enum": ["user", "auto"]},
            "title": S, "album": S, "album_id": S,
            "status": {"enum": ["pending", "downloading", "paused", "completed", "failed", "cancelled"]},
            "progress": N, "bytes_downloaded": INT, "file_size": NULL_I, "quality": S, "priority": INT, "error_message": NULL_S,
            "retry_count": INT, "queued_at": NULL_S, "started_at": NULL_S, "completed_at": NULL_S,
            "wait_reason": NULL_S, "can_pause": B,
        }
    ),
    "DownloadBatch": _obj({"downloads": {"type": "array", "items": _ref("Download")}}),
    "DownloadList": _obj(
        {"downloads": {"type": "array", "items": _ref("Download")}, "active_count": INT, "queued_count": INT, "total": INT}
    ),
    "Affected": _obj({"affected": INT}),
    "TrackPage": _obj({"items": {"type": "array", "items": _ref("Track")}, "total": INT}),
    "TrackList": _obj({"items": {"type": "array", "items": _ref("Track")}}),
    "Availability": _obj({"item_id": S, "available": B, "quality": NULL_S}),
    "Network": _obj(
        {
            "kind": {"enum": ["ethernet", "wifi", "cellular", "offline", "unknown"]}, "interface": NULL_S,
            "metered": B, "ssid": NULL_S, "server_reachable": B, "downloads_allowed": B, "reason": S,
        }
    ),
    "CacheConfig": _obj(
        {
            "queue_precache_enabled": B, "queue_precache_count": INT, "album_affinity_enabled": B,
            "album_affinity_threshold": INT, "storage_limit": INT, "min_free_bytes": INT, "wifi_only": B,
            "policy": {"enum": ["seed", "smart"]}, "lookahead_minutes_unmetered": N,
            "lookahead_minutes_metered": N, "whole_queue_on_unmetered": B, "pins_on_metered": B,
            "max_concurrent_downloads": INT, "transcode": S, "transcode_auto": NULL_S,
            "stream_through": B,
        }
    ),
    "SlskdSearchStarted": _obj({"id": S, "state": S}),
    "SlskdFile": _obj({"filename": S, "size": INT, "bitrate": INT, "length": INT}, ["filename", "size"]),
    "SlskdCandidate": _obj(
        {"username": S, "directory": S, "files": {"type": "array", "items": _ref("SlskdFile")}, "score": N}
    ),
    "SlskdSearch": _obj(
        {"id": S, "state": S, "complete": B, "candidates": {"type": "array", "items": _ref("SlskdCandidate")}}
    ),
    "Cache": _obj(
        {
            "config": _ref("CacheConfig"), "used_bytes": INT, "limit_bytes": INT, "disk_free_bytes": INT,
            "items": INT, "pinned_items": INT, "reasons": STRS, "downloaded_bytes": INT,
            "metered_bytes": INT,
        }
    ),
}  # fmt: skip


def _path_for(spec: RouteSpec) -> str:
    # OpenAPI templates are plain names; aiohttp's "{name:regex}" keeps its regex to itself.
    return re.sub(r"\{(\w+):[^}]+\}", r"{\1}", spec.path)


def _operation(spec: RouteSpec) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": spec.summary,
        "tags": [spec.tag],
        "operationId": re.sub(r"\W+", "_", f"{spec.method}_{spec.path}").strip("_").lower(),
    }
    params = [
        {"name": p.name, "in": p.where, "required": p.where == "path", "schema": {"type": p.type}}
        for p in spec.params
    ]
    if params:
        op["parameters"] = params
    if spec.body is not None:
        props = {f.name: f.schema() for f in spec.body}
        schema: dict[str, Any] = {
            "type": "object",
            "properties": props,
            "additionalProperties": False,
        }
        required = [f.name for f in spec.body if f.required]
        if required:
            schema["required"] = required
        op["requestBody"] = {
            "required": bool(required),
            "content": {"application/json": {"schema": schema}},
        }
    op["responses"] = _responses(spec)
    return op


def _responses(spec: RouteSpec) -> dict[str, Any]:
    error = {"content": {"application/json": {"schema": _ref("Error")}}, "description": "error"}
    if spec.websocket:
        ok: dict[str, Any] = {"description": "switching to the WebSocket protocol"}
        return {"101": ok, "403": error}
    if spec.response is None:
        ok = {"description": "done"}
    elif spec.response.startswith("binary:"):
        ok = {"description": "bytes", "content": {spec.response[7:]: {}}}
    else:
        ok = {"description": "ok", "content": {"application/json": {"schema": _ref(spec.response)}}}
    codes = {str(spec.status if not spec.websocket else 101): ok, "403": error, "404": error}
    if spec.body is not None:
        codes |= {"400": error, "415": error, "422": error}
    return codes


def build_openapi(
    specs: list[RouteSpec], version: str, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for spec in specs:
        paths.setdefault(_path_for(spec), {})[spec.method.lower()] = _operation(spec)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "tapedeck",
            "version": version,
            "description": "Control a tapedeck speaker.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": COMPONENTS | (extra or {})},
    }
