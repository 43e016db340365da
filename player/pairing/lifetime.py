"""Pairing for the life of the service: the stored tokens and this run's local admin key."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from player.pairing.core import Pairing, PairingRequests
from player.pairing.store import TOKENS_FILE, TokenStore, create_local_key, remove_local_key


@contextlib.asynccontextmanager
async def open_pairing(enabled: bool, state_dir: Path) -> AsyncIterator[Pairing | None]:
    """Pairing when `security.pairing` is on (None otherwise); the key file goes at the end."""
    if not enabled:
        yield None
        return
    key = await asyncio.to_thread(create_local_key, state_dir)
    try:
        tokens = await asyncio.to_thread(TokenStore.load, state_dir / TOKENS_FILE)
        yield Pairing(PairingRequests(), tokens, key)
    finally:
        await asyncio.to_thread(remove_local_key, state_dir)
