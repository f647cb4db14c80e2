"""LLM adapters for /ask (top layer: only the composition root, ``bot.app``, builds one)."""
