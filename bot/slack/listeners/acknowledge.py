"""``ack()`` first, always: a listener middleware that acknowledges before the listener runs.

Acknowledging here, before Bolt starts the listener task, means the HTTP answer (or the
Socket Mode ack envelope) is ready at once, without Bolt's 10 ms polling for an ``ack()``
made inside the task. It also keeps a learner error raised right after an in-listener ack
from erasing that ack (Bolt resets it when the listener fails), which would turn a good
request into a 404 after 3 s.
"""

from __future__ import annotations

from typing import Any


async def ack_first(ack: Any, next: Any) -> None:
    """Acknowledge with an empty 200, then let the listener do the work."""
    await ack()
    await next()
