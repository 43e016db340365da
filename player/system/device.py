"""The device's edges: physical buttons into the controller, and the zeroconf announcement."""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Iterator

from player import __version__
from player.buttons import Buttons
from player.buttons.actions import SLEEP_MINUTES, ButtonAction, GpioCommand
from player.config import Config
from player.playback import commands as c
from player.services import Services
from player.system.discovery import Advertisement, Advertiser, stable_device_id
from player.system.poweroff import request_power_off

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
    if cmd.action is ButtonAction.SLEEP:
        svc.timers.sleep.add_minutes_nowait(SLEEP_MINUTES)
        return
    if cmd.action is ButtonAction.SNOOZE:
        svc.timers.alarms.snooze_nowait()
        return
    if cmd.action is ButtonAction.SHUTDOWN:
        # Only a request: systemd's stop (SIGTERM) is what saves the checkpoint and ends us.
        request_power_off(cmd.source)
        return
    command = button_command(cmd)
    if command is not None:
        svc.controller.submit_nowait(command)


@contextlib.contextmanager
def running_buttons(svc: Services) -> Iterator[Buttons]:
    """The configured buttons, claimed until the service stops."""
    buttons = Buttons(svc.config.gpio, lambda cmd: handle_button(svc, cmd))
    buttons.start()
    try:
        yield buttons
    finally:
        buttons.close()


def advertiser_for(config: Config) -> Advertiser:
    ad = Advertisement(
        name=config.server.name,
        port=config.server.port,
        version=__version__,
        device_id=stable_device_id(config.state_dir),
        hostname=socket.gethostname().split(".")[0],
        mpd_port=config.mpd.port if config.mpd.enabled else None,
    )
    return Advertiser(config.zeroconf, ad)


async def announce_when_listening(svc: Services, advertiser: Advertiser) -> None:
    """Announce on the network once the socket accepts connections (after READY=1)."""
    await svc.listening.wait()
    if svc.config.zeroconf.enabled:
        svc.notifier.status("Announcing on the local network")
    await advertiser.run()
