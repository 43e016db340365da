"""The device's edges: physical buttons into the controller, and the zeroconf announcement."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator

from aiohttp import web

from player import __version__
from player.buttons import Buttons, parse_gpio_config
from player.buttons.actions import ButtonAction, GpioCommand
from player.playback import commands as c
from player.services import Services
from player.system.discovery import Advertisement, Advertiser, stable_device_id
from player.web.keys import SERVICES

log = logging.getLogger(__name__)

SIMPLE: dict[ButtonAction, c.Command] = {
    ButtonAction.TOGGLE: c.Toggle(),
    ButtonAction.NEXT: c.Next(),
    ButtonAction.PREVIOUS: c.Previous(),
    ButtonAction.STOP: c.Stop(),
}


def button_command(cmd: GpioCommand) -> c.Command | None:
    """The player command a button asks for (None for actions that are not the player's)."""
    if cmd.action in (ButtonAction.VOLUME_UP, ButtonAction.VOLUME_DOWN):
        return c.SetVolume(delta=cmd.volume_delta)
    return SIMPLE.get(cmd.action)


def handle_button(svc: Services, cmd: GpioCommand) -> None:
    """Runs on the loop thread (the buttons module bridges gpiozero's thread)."""
    if cmd.action is ButtonAction.APPROVE_PAIRING:
        if svc.pairing is not None:
            svc.pairing.approve_pending()
        return
    command = button_command(cmd)
    if command is not None:
        svc.controller.submit_nowait(command)


async def buttons_ctx(app: web.Application) -> AsyncIterator[None]:
    svc = app[SERVICES]
    buttons = Buttons(parse_gpio_config(svc.config.gpio), lambda cmd: handle_button(svc, cmd))
    buttons.start()
    yield
    buttons.close()


def advertiser_for(svc: Services, port: int) -> Advertiser:
    config = svc.config
    ad = Advertisement(
        name=config.server.name,
        port=port,
        version=__version__,
        device_id=stable_device_id(config.state_dir),
        hostname=socket.gethostname().split(".")[0],
        mpd_port=config.mpd.port if config.mpd.enabled else None,
    )
    return Advertiser(config.zeroconf, ad)
