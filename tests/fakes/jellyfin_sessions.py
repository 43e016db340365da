"""The fake Jellyfin's session API: remote-control targets, their `/socket`, and the app's side.

Built from ecosystem.md §2 (Jellyfin 12 `SessionController`, `SessionInfo.cs`,
`WebSocketController.cs`), with the traps a client meets:
- `POST /Sessions/Capabilities/Full` binds the bare DTO, case-insensitively: a body wrapped in
  `{"Capabilities": ...}` answers 204 and leaves the session with no capabilities; a name in
  `SupportedCommands` that is not a GeneralCommandType (Playstate names such as `Stop`) is a 400.
- `GET /Sessions?controllableByUserId=` lists only sessions with `SupportsMediaControl` AND an open
  socket (and the user's own, unless admin).
- `/socket` is authorised like REST (`Authorization: MediaBrowser ... Token=` or `?ApiKey=`); legacy
  `api_key` and `X-Emby-*` do not authorise (401). On connect the server sends `ForceKeepAlive` with
  `Data: keepalive_timeout` and drops a socket that stays silent that long (60 s by default).
- The controller endpoints an app calls: `POST /Sessions/{id}/Playing` (albums expanded into their
  tracks, PlayShuffle/PlayInstantMix sent as PlayNow), `/Playing/{command}`, `/Command`, `/Message`.
- Reports (`/Sessions/Playing*`) update the session's NowPlayingItem, PlayState and queue.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

KEEPALIVE_TIMEOUT = 60.0  # seconds: Jellyfin's ForceKeepAlive and its drop rule
GENERAL_COMMANDS = frozenset(
    [
        "MoveUp",
        "MoveDown",
        "MoveLeft",
        "MoveRight",
        "PageUp",
        "PageDown",
        "PreviousLetter",
        "NextLetter",
        "ToggleOsd",
        "ToggleContextMenu",
        "Select",
        "Back",
        "TakeScreenshot",
        "SendKey",
        "SendString",
        "GoHome",
        "GoToSettings",
        "VolumeUp",
        "VolumeDown",
        "Mute",
        "Unmute",
        "ToggleMute",
        "SetVolume",
        "SetAudioStreamIndex",
        "SetSubtitleStreamIndex",
        "ToggleFullscreen",
        "DisplayContent",
        "GoToSearch",
        "DisplayMessage",
        "SetRepeatMode",
        "ChannelUp",
        "ChannelDown",
        "Guide",
        "ToggleStats",
        "PlayMediaSource",
        "PlayTrailers",
        "SetShuffleQueue",
        "PlayState",
        "PlayNext",
        "ToggleOsdMenu",
        "Play",
        "SetMaxStreamingBitrate",
        "SetPlaybackOrder",
    ]
)
PLAYSTATE_COMMANDS = frozenset(
    [
        "Stop",
        "Pause",
        "Unpause",
        "NextTrack",
        "PreviousTrack",
        "Seek",
        "Rewind",
        "FastForward",
        "PlayPause",
    ]
)
PLAY_COMMANDS = frozenset(["PlayNow", "PlayNext", "PlayLast", "PlayInstantMix", "PlayShuffle"])


@dataclass
class FakeSession:
    """One device's session: made on first sight of its token."""

    id: str
    user_id: str
    device_id: str
    client: str
    device_name: str
    version: str
    capabilities: dict[str, Any] | None = None
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    received: list[Any] = field(default_factory=list)  # every message the device sent on a socket
    now_playing: str | None = None
    play_state: dict[str, Any] = field(default_factory=dict)
    queue: list[dict[str, Any]] = field(default_factory=list)
    capability_posts: int = 0

    @property
    def controllable(self) -> bool:
        caps = self.capabilities or {}
        return bool(caps.get("supportsmediacontrol")) and any(not s.closed for s in self.sockets)

    def dto(self) -> dict[str, Any]:
        caps = self.capabilities or {}
        body: dict[str, Any] = {
            "Id": self.id,
            "UserId": self.user_id,
            "Client": self.client,
            "DeviceName": self.device_name,
            "DeviceId": self.device_id,
            "ApplicationVersion": self.version,
            "IsActive": True,
            "SupportsMediaControl": bool(caps.get("supportsmediacontrol")),
            "SupportsRemoteControl": self.controllable,
            "PlayableMediaTypes": caps.get("playablemediatypes", []),
            "SupportedCommands": caps.get("supportedcommands", []),
            "PlayState": self.play_state,
            "NowPlayingQueue": self.queue,
        }
        if self.now_playing is not None:
            body["NowPlayingItem"] = {"Id": self.now_playing, "Type": "Audio", "MediaType": "Audio"}
        return body


@dataclass
class SessionHub:
    """The sessions of one fake server; `install` adds the routes to its app."""

    # (request) -> (user id, device id, auth fields); raises 401 when unauthenticated
    identify: Callable[[web.Request], tuple[str, str, dict[str, str]]]
    expand: Callable[[list[str]], list[str]]  # album ids into their tracks, in order
    keepalive_timeout: float = KEEPALIVE_TIMEOUT
    sessions: dict[str, FakeSession] = field(default_factory=dict)  # by device id
    drops: list[str] = field(default_factory=list)  # device ids whose socket went silent too long
    sent: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (session id, message)

    def install(self, app: web.Application) -> None:
        r = app.router
        r.add_post("/Sessions/Capabilities/Full", self._capabilities)
        r.add_get("/Sessions", self._list)
        r.add_get("/socket", self._socket)
        r.add_post("/Sessions/{id}/Playing", self._play)
        r.add_post("/Sessions/{id}/Playing/{command}", self._playstate)
        r.add_post("/Sessions/{id}/Command", self._command)
        r.add_post("/Sessions/{id}/Message", self._message)
        app.on_shutdown.append(self._close_sockets)

    # --- sessions ---------------------------------------------------------------------------

    def session_of(self, request: web.Request) -> FakeSession:
        user_id, device_id, fields = self.identify(request)
        session = self.sessions.get(device_id)
        if session is None or session.user_id != user_id:
            session = FakeSession(
                uuid.uuid4().hex, user_id, device_id, fields.get("Client", ""),
                fields.get("Device", ""), fields.get("Version", ""),
            )  # fmt: skip
            self.sessions[device_id] = session
        return session

    def by_name(self, device_name: str) -> FakeSession | None:
        return next((s for s in self.sessions.values() if s.device_name == device_name), None)

    def _target(self, request: web.Request) -> FakeSession:
        self.identify(request)
        wanted = request.match_info["id"]
        for session in self.sessions.values():
            if session.id == wanted:
                return session
        raise web.HTTPNotFound(text="Session not found")

    def on_report(self, request: web.Request, path: str, body: Any) -> None:
        """A playback report updates what the session shows to controlling apps."""
        if not isinstance(body, dict):
            return
        session = self.session_of(request)
        if path.endswith("/Stopped"):
            session.now_playing = None
            session.play_state = {}
        else:
            session.now_playing = body.get("ItemId")
            keys = ("PositionTicks", "IsPaused", "IsMuted", "VolumeLevel", "RepeatMode",
                    "PlaybackOrder", "PlayMethod", "CanSeek")  # fmt: skip
            session.play_state = {k: body[k] for k in keys if k in body}
        if "NowPlayingQueue" in body:
            session.queue = list(body["NowPlayingQueue"])

    # --- handlers --------------------------------------------------------------------------

    async def _capabilities(self, request: web.Request) -> web.Response:
        session = self.session_of(request)
        try:
            raw = await request.json()
        except ValueError:
            return web.Response(status=400, text="bad JSON")
        dto = {str(k).lower(): v for k, v in raw.items()} if isinstance(raw, dict) else {}
        bad = [c for c in dto.get("supportedcommands", []) if c not in GENERAL_COMMANDS]
        if bad:
            return web.Response(status=400, text=f"The JSON value could not be converted: {bad[0]}")
        # Unknown keys (such as a wrapping "Capabilities") bind to nothing: an empty DTO.
        known = ("playablemediatypes", "supportedcommands", "supportsmediacontrol",
                 "supportspersistentidentifier")  # fmt: skip
        session.capabilities = {k: dto[k] for k in known if k in dto}
        session.capability_posts += 1
        return web.Response(status=204)

    async def _list(self, request: web.Request) -> web.Response:
        self.identify(request)
        q = {k.lower(): v for k, v in request.query.items()}
        found = list(self.sessions.values())
        controller = q.get("controllablebyuserid", "").replace("-", "")
        if controller:
            found = [s for s in found if s.controllable and s.user_id == controller]
        return web.json_response([s.dto() for s in found])

    async def _socket(self, request: web.Request) -> web.StreamResponse:
        session = self.session_of(request)  # 401 before the upgrade when unauthenticated
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        session.sockets.append(ws)
        await ws.send_str(envelope("ForceKeepAlive", self.keepalive_timeout))
        try:
            await self._read(session, ws)
        finally:
            session.sockets.remove(ws)
        return ws

    async def _read(self, session: FakeSession, ws: web.WebSocketResponse) -> None:
        while not ws.closed:
            try:
                msg = await ws.receive(timeout=self.keepalive_timeout)
            except TimeoutError:
                self.drops.append(session.device_id)
                await ws.close(code=1000, message=b"keep-alive timeout")
                return
            if msg.type is not WSMsgType.TEXT:
                return
            try:
                body = json.loads(msg.data)
            except ValueError:
                body = msg.data
            session.received.append(body)
            if isinstance(body, dict) and body.get("MessageType") == "KeepAlive":
                await ws.send_str(envelope("KeepAlive", None))

    async def _play(self, request: web.Request) -> web.Response:
        session = self._target(request)
        q = {k.lower(): v for k, v in request.query.items()}
        command = q.get("playcommand", "")
        if command not in PLAY_COMMANDS:
            return web.Response(status=400, text=f"bad playCommand {command!r}")
        ids = self.expand([i.replace("-", "") for i in q.get("itemids", "").split(",") if i])
        if command in ("PlayShuffle", "PlayInstantMix"):  # the server does these itself
            random.shuffle(ids)
            command = "PlayNow"
        data: dict[str, Any] = {"ItemIds": ids, "PlayCommand": command}
        data["ControllingUserId"] = self.identify(request)[0]
        for key, name in (
            ("startindex", "StartIndex"),
            ("startpositionticks", "StartPositionTicks"),
        ):
            if key in q:
                data[name] = int(q[key])
        await self.send(session, "Play", data)
        return web.Response(status=204)

    async def _playstate(self, request: web.Request) -> web.Response:
        session = self._target(request)
        command = request.match_info["command"]
        if command not in PLAYSTATE_COMMANDS:
            return web.Response(status=400, text=f"bad command {command!r}")
        data: dict[str, Any] = {"Command": command, "ControllingUserId": self.identify(request)[0]}
        q = {k.lower(): v for k, v in request.query.items()}
        if "seekpositionticks" in q:
            data["SeekPositionTicks"] = int(q["seekpositionticks"])
        await self.send(session, "Playstate", data)
        return web.Response(status=204)

    async def _command(self, request: web.Request) -> web.Response:
        session = self._target(request)
        body = await request.json()
        name = body.get("Name") if isinstance(body, dict) else None
        if name not in GENERAL_COMMANDS:
            return web.Response(status=400, text=f"bad command {name!r}")
        args = {str(k): str(v) for k, v in (body.get("Arguments") or {}).items()}
        data = {"Name": name, "Arguments": args, "ControllingUserId": self.identify(request)[0]}
        await self.send(session, "GeneralCommand", data)
        return web.Response(status=204)

    async def _message(self, request: web.Request) -> web.Response:
        session = self._target(request)
        body = await request.json()
        args = {k: str(body[k]) for k in ("Header", "Text", "TimeoutMs") if body.get(k) is not None}
        await self.send(session, "GeneralCommand", {"Name": "DisplayMessage", "Arguments": args})
        return web.Response(status=204)

    # --- sending ----------------------------------------------------------------------------

    async def send(self, session: FakeSession, kind: str, data: Any) -> None:
        """A message to every open socket of the session (none open: it is lost, as on Jellyfin)."""
        text = envelope(kind, data)
        self.sent.append((session.id, json.loads(text)))
        await self.send_raw(session, text)

    async def send_raw(self, session: FakeSession, text: str) -> None:
        """Any text, well-formed or not (tests of a client's robustness)."""
        for ws in list(session.sockets):
            if not ws.closed:
                await ws.send_str(text)

    async def _close_sockets(self, _app: web.Application) -> None:
        for session in self.sessions.values():
            for ws in list(session.sockets):
                await ws.close(code=1001, message=b"server shutting down")
            session.capabilities = None  # a restarted server has forgotten them


def envelope(kind: str, data: Any) -> str:
    """The server's message envelope (32-hex MessageId, null Data left out)."""
    body: dict[str, Any] = {"MessageType": kind, "MessageId": uuid.uuid4().hex}
    if data is not None:
        body["Data"] = data
    return json.dumps(body)
