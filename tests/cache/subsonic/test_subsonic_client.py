"""The Subsonic client against the fake (what supysonic cannot do): token auth with a fresh salt,
the fallback to `enc:` on error 10/41, `apiKey` alone, wrong credentials; `c`, `f` and the server's
`v` on every call; errors inside HTTP 200."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from cache.downloads.source import TranscodeSource
from cache.errors import SourceNotFoundError
from cache.quality import Codec, Profile
from cache.subsonic import AuthMethod, SubsonicConfig
from cache.subsonic.client import SubsonicClient
from cache.subsonic.errors import SubsonicCredentialsError
from cache.subsonic.source import SubsonicSource
from tests.fakes.subsonic import FakeSubsonic

USER, PASSWORD = "kitchen", "sesame pässword"


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


async def serving(fake: FakeSubsonic) -> FakeSubsonic:
    fake.users[USER] = PASSWORD
    fake.add_album("Harbour Lights", "The Band", ["Breakwater", "Lanterns"])
    await fake.start()
    return fake


@pytest.fixture
async def fake() -> AsyncIterator[FakeSubsonic]:
    server = await serving(FakeSubsonic())
    try:
        yield server
    finally:
        await server.close()


def client_for(fake: FakeSubsonic, session: aiohttp.ClientSession, **keys: str) -> SubsonicClient:
    config = SubsonicConfig(fake.url, keys.get("username", USER), keys.get("password", PASSWORD),
                            keys.get("api_key", ""))  # fmt: skip
    return SubsonicClient(config, session)


def one(params: dict[str, list[str]], key: str) -> str:
    (value,) = params[key]
    return value


async def test_token_auth_with_a_fresh_salt_and_the_servers_version(
    fake: FakeSubsonic, session: aiohttp.ClientSession
) -> None:
    client = client_for(fake, session)
    await client.call("getAlbumList2", {"type": "alphabeticalByName", "size": "500"})
    await client.call("getAlbum", {"id": "al-1"})
    assert client.method is AuthMethod.TOKEN and client.version == "1.16.1"
    assert fake.methods() == ["ping", "getAlbumList2", "getAlbum"]
    salts = set()
    for method, params in fake.calls:
        assert (one(params, "c"), one(params, "f"), one(params, "u")) == ("tapedeck", "json", USER)
        assert "p" not in params and "apiKey" not in params
        salt = one(params, "s")
        assert len(salt) >= 6
        assert one(params, "t") == hashlib.md5((PASSWORD + salt).encode()).hexdigest()
        salts.add(salt)
        if method != "ping":
            assert one(params, "v") == "1.16.1"  # the version ping gave
    assert len(salts) == 3  # a fresh salt for every request


@pytest.mark.parametrize("code", [10, 41])
async def test_falls_back_to_the_enc_password_and_remembers_it(
    session: aiohttp.ClientSession, code: int
) -> None:
    fake = await serving(FakeSubsonic(token_auth=False, token_error=code, version="1.12.0"))
    try:
        client = client_for(fake, session)
        await client.call("getAlbum", {"id": "al-1"})
        await client.call("getAlbum", {"id": "al-1"})
        assert client.method is AuthMethod.PASSWORD
        assert fake.methods() == ["ping", "ping", "getAlbum", "getAlbum"]  # one refused ping
        first, *rest = [params for _, params in fake.calls]
        assert "t" in first and "p" not in first
        for params in rest:
            assert one(params, "p") == "enc:" + PASSWORD.encode().hex()
            assert "t" not in params and "s" not in params
        assert one(rest[-1], "v") == "1.12.0"
    finally:
        await fake.close()


async def test_api_key_goes_alone(fake: FakeSubsonic, session: aiohttp.ClientSession) -> None:
    fake.api_keys.add("k3y")
    client = client_for(fake, session, username="", password="", api_key="k3y")
    body = await client.call("getAlbum", {"id": "al-1"})
    assert body["album"]["name"] == "Harbour Lights"
    assert client.method is AuthMethod.API_KEY
    for _, params in fake.calls:
        assert one(params, "apiKey") == "k3y"
        assert not {"u", "p", "t", "s"} & set(params)


async def test_wrong_credentials_are_an_unauthorized_error(
    fake: FakeSubsonic, session: aiohttp.ClientSession
) -> None:
    client = client_for(fake, session, password="wrong")
    with pytest.raises(SubsonicCredentialsError) as caught:
        await client.call("getAlbum", {"id": "al-1"})
    assert caught.value.code == "unauthorized" and caught.value.subsonic_code == 40
    assert "wrong" not in str(caught.value)  # never the password
    assert client.method is AuthMethod.TOKEN  # 40 is not a reason to send the password
    fake.api_keys.add("good")
    with pytest.raises(SubsonicCredentialsError):
        await client_for(fake, session, api_key="bad").call("ping")


async def test_an_error_inside_http_200_is_an_error(
    fake: FakeSubsonic, session: aiohttp.ClientSession
) -> None:
    client = client_for(fake, session)
    with pytest.raises(SourceNotFoundError, match="Album not found"):
        await client.call("getAlbum", {"id": "al-404"})


async def test_media_urls_carry_auth_and_raw_format(
    fake: FakeSubsonic, session: aiohttp.ClientSession
) -> None:
    client = client_for(fake, session)
    stream = await client.stream_url("tr-1-1")
    assert "/rest/stream?" in stream and "format=raw" in stream and "id=tr-1-1" in stream
    request = await client.download_request("tr-1-1")
    assert "/rest/download?" in request.url and "application/json" in request.error_types
    async with session.get(request.url) as resp:
        assert resp.status == 200
        assert await resp.read() == fake.albums["al-1"].songs[0].data
    assert await client.cover("al-1") == (b"\x89PNG\r\n\x1a\nfake", "image/png")


async def test_a_transcoded_copy_is_asked_of_stream_with_format_and_bitrate(
    fake: FakeSubsonic, session: aiohttp.ClientSession
) -> None:
    """Issue 20: originals from `download`, transcodes from `stream?format=&maxBitRate=`."""
    assert issubclass(SubsonicSource, TranscodeSource)
    client = client_for(fake, session)
    request = await client.transcode_request("tr-1-1", Profile(Codec.OPUS, 128))
    parts = urlsplit(request.url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert parts.path.endswith("/rest/stream") and query["id"] == "tr-1-1"
    assert (query["format"], query["maxBitRate"], query["estimateContentLength"]) == (
        "opus",
        "128",
        "true",
    )
    assert "u" in query or "apiKey" in query  # authorised like every media URL
