"""The pure engine: decide(state, command) -> events, apply(state, event), allowed_actions."""

from flows.engine.apply import apply
from flows.engine.decide import allowed_actions, decide

__all__ = ["allowed_actions", "apply", "decide"]
