"""The shutdown budget and the answers in flight (``bot.shutdown``, shared with Discord)."""

from bot.shutdown import CANCEL_WAIT, SHUTDOWN_BUDGET, InFlight, ShutdownBudget

__all__ = ["CANCEL_WAIT", "SHUTDOWN_BUDGET", "InFlight", "ShutdownBudget"]
