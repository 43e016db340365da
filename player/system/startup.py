"""What a start holds until the service is up: the dataclass code cache and the cyclic collector.

A start makes ~150,000 objects that live as long as the process (modules, classes, functions,
the routes): the collector's automatic passes over them while they are made (over a hundred,
each walking a growing heap) find nothing to free and cost about a tenth of the time to READY.
Collection resumes once the service is up, where `settle_heap` collects once and freezes them.
"""

from __future__ import annotations

import gc

from player.system import codecache


def begin() -> None:
    """Before the service's modules are imported."""
    codecache.install()
    gc.disable()


def up() -> None:
    """READY is sent (or the command is not the service): collect as usual from now on."""
    codecache.finish()
    gc.enable()
