"""The power list's part of `sunlit demo`: the shipped default list, loaded once."""

from __future__ import annotations

from sunlit.lib.clock import simulated_clock
from sunlit.lib.rooms import DemoContext
from sunlit.powers.selectors import current_version
from sunlit.powers.services import default_source, powers_load

DEFAULT_LABEL = "涟源市村级小微权力清单（2024年版）"


def seed(ctx: DemoContext) -> None:
    """Load the default list (a byte-identical file is a no-op), dated at the demo's epoch so
    every village's record reads forward in time."""
    if current_version() is not None:
        return
    with simulated_clock() as clock:
        clock.set(ctx.epoch)
        powers_load(source=default_source(), label=DEFAULT_LABEL, by=None)
