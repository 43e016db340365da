"""The unit's SSL_CERT_FILE=/dev/null keeps https verified: CAs come from the hashed directory.

The unit drops the CA bundle file so aiohttp's import-time TLS contexts stop parsing it at every
start; OpenSSL then looks CAs up in its certificate directory when a handshake needs one. Checked
with a CA made here, in a directory of our own (SSL_CERT_DIR), and a local https server.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from tests.unit_env import unit_environment

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl makes the CA")


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


def _ca_and_server(tmp: Path) -> tuple[Path, Path, Path]:
    """A CA (its certificate), and a server key and certificate for 127.0.0.1 signed by it."""
    ca_key, ca, key, csr, cert = (tmp / n for n in ("ca.key", "ca.pem", "s.key", "s.csr", "s.pem"))
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key), "-out",
             str(ca), "-days", "2", "-subj", "/CN=tapedeck test CA")  # fmt: skip
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr),
             "-subj", "/CN=127.0.0.1")  # fmt: skip
    ext = tmp / "ext.cnf"
    ext.write_text("subjectAltName=IP:127.0.0.1\n")
    _openssl("x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
             "-CAcreateserial", "-out", str(cert), "-days", "2", "-extfile", str(ext))  # fmt: skip
    return ca, key, cert


async def _fetch(url: str) -> str:
    """A GET through a default (verifying) context made as aiohttp's own is."""
    async with aiohttp.ClientSession() as session:
        try:
            async with session.get(url, ssl=ssl.create_default_context()) as res:
                return str(res.status)
        except aiohttp.ClientConnectorCertificateError:
            return "refused"


async def _ok(_: web.Request) -> web.Response:
    return web.Response(text="ok")


async def test_https_is_verified_from_the_certificate_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert unit_environment()["SSL_CERT_FILE"] == "/dev/null"
    ca, key, cert = _ca_and_server(tmp_path)
    trusted, empty = tmp_path / "trusted", tmp_path / "empty"
    trusted.mkdir(), empty.mkdir()
    shutil.copy(ca, trusted / "ca.pem")
    _openssl("rehash", str(trusted))  # <hash>.0 links: how /etc/ssl/certs is laid out
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    app = web.Application()
    app.router.add_get("/", _ok)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_ctx)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        monkeypatch.setenv("SSL_CERT_FILE", unit_environment()["SSL_CERT_FILE"])
        monkeypatch.setenv("SSL_CERT_DIR", str(trusted))
        assert await _fetch(f"https://127.0.0.1:{port}/") == "200"
        monkeypatch.setenv("SSL_CERT_DIR", str(empty))  # verification is on: no CA, no talk
        assert await _fetch(f"https://127.0.0.1:{port}/") == "refused"
    finally:
        await runner.cleanup()
