"""`python -m tests.integration.modules_at_exit --config PATH`: `python -m player` as shipped, which
writes the names of every module it imported during its whole run to $TAPEDECK_MODULES_OUT when
it exits (after SIGTERM: the service's own clean stop).

`sys.modules` rather than `python -X importtime`: modules loaded through importlib (the lazy
package names of cache.lazy) do not show in importtime's report.
"""

from __future__ import annotations

import atexit
import os
import sys
from pathlib import Path


def _write_modules() -> None:
    Path(os.environ["TAPEDECK_MODULES_OUT"]).write_text("\n".join(sorted(sys.modules)) + "\n")


atexit.register(_write_modules)

from player.cli.main import main  # noqa: E402  (after the hook: the service's imports count)

sys.exit(main(["serve", *sys.argv[1:]]))
