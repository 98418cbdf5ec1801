"""The demo's warnings: computed once the cases exist, as the periodic job would, so the list has work to show."""

from shequ.core.demo import DemoContext

from .services import warnings_recompute


def seed(ctx: DemoContext) -> None:
    """Score every open case of the demo and store the warnings (as the demo loader)."""
    result = warnings_recompute(actor=ctx.actor)
    ctx.counts["warnings"] = result.created
