"""Connection-level commands: the command and tag lists, password, ping, close, decoders."""

from __future__ import annotations

import hmac

from cache.local.tags import AUDIO_SUFFIXES
from player.mpd.deck import COMMANDS, Client, Deck, command
from player.mpd.protocol import AckCode, AckError, Answer
from player.mpd.songs import TAG_NAMES, canonical_tag


@command("commands", public=True)
async def commands(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    for name in sorted(COMMANDS):
        if client.authenticated or COMMANDS[name].public:
            out.add("command", name)


@command("notcommands", public=True)
async def notcommands(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    if not client.authenticated:
        for name in sorted(COMMANDS):
            if not COMMANDS[name].public:
                out.add("command", name)


@command("password", 1, 1, public=True)
async def password(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    wanted = deck.config.password
    if not wanted or not hmac.compare_digest(args[0].encode(), wanted.encode()):
        raise AckError(AckCode.PASSWORD, "incorrect password")
    client.authenticated = True


@command("ping", public=True)
async def ping(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    return


@command("close", public=True)
async def close(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    client.closing = True


@command("clearerror")
async def clearerror(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    return


@command("idle", 0, None)
async def idle(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    raise AssertionError("the session answers idle itself")  # listed here for `commands`


@command("tagtypes", 0, None)
async def tagtypes(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    if not args:
        for name in TAG_NAMES:
            if name in client.tags:
                out.add("tagtype", name)
        return
    action, names = args[0], args[1:]
    if action in ("clear", "all"):
        if names:
            raise AckError(AckCode.ARG, "Too many arguments")
        client.tags = frozenset() if action == "clear" else frozenset(TAG_NAMES)
        return
    if action not in ("enable", "disable") or not names:
        raise AckError(AckCode.ARG, "Unknown sub command")
    chosen = {_known_or_none(n) for n in names}
    chosen.discard(None)
    picked = frozenset(n for n in chosen if n is not None)
    client.tags = client.tags | picked if action == "enable" else client.tags - picked


def _known_or_none(name: str) -> str | None:
    # MPD refuses unknown names; names it knows but tapedeck does not keep are accepted and
    # ignored, so a client's `tagtypes enable Genre` (MPD knows it) does not fail.
    tag = canonical_tag(name)
    if tag is None and name.lower() not in _MPD_TAGS:
        raise AckError(AckCode.ARG, f"Unknown tag type: {name}")
    return tag


_MPD_TAGS = {
    n.lower()
    for n in [
        "Artist",
        "ArtistSort",
        "Album",
        "AlbumSort",
        "AlbumArtist",
        "AlbumArtistSort",
        "Title",
        "Track",
        "Name",
        "Genre",
        "Date",
        "OriginalDate",
        "Composer",
        "ComposerSort",
        "Performer",
        "Conductor",
        "Work",
        "Movement",
        "MovementNumber",
        "Ensemble",
        "Location",
        "Grouping",
        "Comment",
        "Disc",
        "Label",
        "MUSICBRAINZ_ARTISTID",
        "MUSICBRAINZ_ALBUMID",
        "MUSICBRAINZ_ALBUMARTISTID",
        "MUSICBRAINZ_TRACKID",
        "MUSICBRAINZ_RELEASETRACKID",
        "MUSICBRAINZ_WORKID",
    ]
}


@command("urlhandlers")
async def urlhandlers(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    return  # queue entries come from the library only; no URL is fetched for a client


@command("decoders")
async def decoders(deck: Deck, client: Client, args: list[str], out: Answer) -> None:
    out.add("plugin", "mpv")
    for suffix in sorted(AUDIO_SUFFIXES):
        out.add("suffix", suffix.lstrip("."))
