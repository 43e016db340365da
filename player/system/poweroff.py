"""Powering the device off from a button (`action = "shutdown"`), without any privilege here.

The service runs unprivileged and sandboxed (no capabilities, no polkit in the image), so it
cannot ask logind or systemd itself. It leaves a request file in its runtime directory
(`RuntimeDirectory=tapedeck`, so `$RUNTIME_DIRECTORY`, i.e. /run/tapedeck); systemd's
`tapedeck-poweroff.path` sees it and starts `tapedeck-poweroff.service`, which powers off through
systemd. That is the same road as the ACPI power button (logind -> poweroff.target): systemd
stops tapedeck with SIGTERM, the last checkpoint is written, then the board powers off.
/run is a tmpfs, so a request never outlives the boot that made it (no power-off loop).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

log = logging.getLogger(__name__)

REQUEST_NAME = "poweroff"  # tapedeck-poweroff.path watches /run/tapedeck/poweroff


def request_path(env: Mapping[str, str] | None = None) -> Path | None:
    """Where the request goes: the first of systemd's `$RUNTIME_DIRECTORY` paths, if any."""
    env = os.environ if env is None else env
    first = env.get("RUNTIME_DIRECTORY", "").split(":")[0]
    return Path(first) / REQUEST_NAME if first else None


def request_power_off(source: str, env: Mapping[str, str] | None = None) -> bool:
    """Asks systemd to power off; False (and one log line) when nothing here can do it."""
    path = request_path(env)
    if path is None:
        log.warning(
            "%s asked to power off, but the service has no runtime directory "
            "(run it as tapedeck.service with tapedeck-poweroff.path enabled)",
            source or "a button",
        )
        return False
    try:
        path.write_text(f"{source or 'a button'}\n")
    except OSError as err:
        log.warning("%s asked to power off, but %s cannot be written: %s", source, path, err)
        return False
    log.info("%s asked to power off: systemd stops tapedeck, then the board", source)
    return True
