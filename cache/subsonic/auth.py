"""How a Subsonic request proves who it is: a salted token, the `enc:` password, or an API key.

Token auth (API 1.13+) is tried first because it never sends the password; a server that answers
error 10 or 41 to it (supysonic, old Airsonic) gets the hex-encoded password instead. An OpenSubsonic
`apiKey` goes alone, with no `u`, `p`, `t` or `s` (else error 43). The method that worked is kept, so
later requests do not pay for the probe again.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from enum import StrEnum

CLIENT_NAME = "tapedeck"
# The version we speak until `ping` tells the server's: 1.12.0 is what supysonic offers, and a
# server answers a too-new client version with error 30.
BASE_VERSION = "1.12.0"


class AuthMethod(StrEnum):
    TOKEN = "token"  # t = md5(password + salt), s = salt (fresh every request)
    PASSWORD = "password"  # p = enc:<hex of the UTF-8 password>
    API_KEY = "api_key"  # the OpenSubsonic apiKey extension


# Error codes that mean "this server does not do token auth": 10 (supysonic: p is missing),
# 41 (token authentication not supported).
TOKEN_REFUSED = frozenset({10, 41})


@dataclass(frozen=True, slots=True)
class SubsonicConfig:
    """Where the server is and who we are on it (secrets kept out of repr, hence out of logs)."""

    url: str
    username: str = ""
    password: str = field(default="", repr=False)
    api_key: str = field(default="", repr=False)
    timeout: float = 15.0

    @property
    def first_method(self) -> AuthMethod:
        return AuthMethod.API_KEY if self.api_key else AuthMethod.TOKEN


def salt() -> str:
    """A fresh random salt: 12 hex characters (the spec asks for at least 6)."""
    return secrets.token_hex(6)


def credentials(config: SubsonicConfig, method: AuthMethod) -> dict[str, str]:
    """The query parameters that authenticate one request by `method`."""
    if method is AuthMethod.API_KEY:
        return {"apiKey": config.api_key}
    if method is AuthMethod.TOKEN:
        s = salt()
        token = hashlib.md5((config.password + s).encode("utf-8"), usedforsecurity=False)
        return {"u": config.username, "t": token.hexdigest(), "s": s}
    return {"u": config.username, "p": "enc:" + config.password.encode("utf-8").hex()}


def redact(params: dict[str, str]) -> dict[str, str]:
    """`params` fit for a log line: every secret replaced."""
    secret = {"p", "t", "s", "apiKey"}
    return {k: ("***" if k in secret else v) for k, v in params.items()}
