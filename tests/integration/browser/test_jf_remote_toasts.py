"""Issue 16 on the phone page: a message sent from a Jellyfin app shows as a toast, and so does a
cast the deck could not play (api.md's `message` and `error` events), light and dark."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.jellyfin import FakeJellyfin
from tests.integration.jellyfin_thread import FakeJellyfinThread, deck_with, serving
from tests.integration.jf_remote_kit import PASSWORD, USER, Cast
from tests.integration.service import ServiceProcess

pytestmark = [pytest.mark.browser, pytest.mark.slow]

UNKNOWN_CAST = '{"MessageType": "Play", "Data": {"ItemIds": ["%s"], "PlayCommand": "PlayNow"}}'


@pytest.fixture(scope="module")
def jellyfin() -> Iterator[FakeJellyfinThread]:
    fake = FakeJellyfin()
    fake.add_user(USER, PASSWORD)
    fake.add_album("Blue", [1000])
    with serving(fake) as server:
        yield server


@pytest.fixture(scope="module")
def deck(
    tmp_path_factory: pytest.TempPathFactory, jellyfin: FakeJellyfinThread
) -> Iterator[ServiceProcess]:
    with deck_with(tmp_path_factory.mktemp("deck"), jellyfin, USER, PASSWORD) as service:
        yield service


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_messages_and_failed_casts_show_as_toasts(
    deck: ServiceProcess,
    jellyfin: FakeJellyfinThread,
    open_page: Callable[..., Any],
    shots: Path,
    scheme: str,
) -> None:
    cast = Cast.find(jellyfin)
    page = open_page(deck.base_url + "/", scheme)
    cast.app.message(cast.session_id, "Kitchen", "Dinner is ready")
    info = page.wait_for_selector(".toast.info")
    assert info.inner_text() == "Kitchen: Dinner is ready"
    cast.send_raw(UNKNOWN_CAST % ("f" * 32))
    error = page.wait_for_selector(".toast.error")
    assert "could be found" in error.inner_text()
    page.screenshot(path=str(shots / f"jf-remote-toasts-{scheme}.png"))
