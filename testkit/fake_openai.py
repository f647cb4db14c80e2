"""A fake OpenAI-compatible Chat Completions server on loopback (aiohttp), for /ask's LLM.

It speaks the wire format: ``POST /v1/chat/completions`` answers a JSON completion, or with
``"stream": true`` server-sent events (``data: {chunk}`` ... ``data: [DONE]``). Each request's
body and headers are recorded. ``modes`` queues failures for the next requests: ``"429"``
(with ``Retry-After: 0``), ``"500"``, ``"hang"`` (answers nothing for ``hang`` seconds) and
``"leak"`` (a model fooled into repeating its system prompt).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Recorded:
    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def system(self) -> str:
        return next(m["content"] for m in self.body["messages"] if m["role"] == "system")

    @property
    def user(self) -> str:
        return next(m["content"] for m in self.body["messages"] if m["role"] == "user")


@dataclass
class FakeOpenAI:
    answer: str = ("An epoch is one full pass over the training data [1], and the batch size "
                   "sets how many examples each update uses [2] [9]. How many updates happen "
                   "in one epoch of 1,000 examples with batches of 100?")
    modes: list[str] = field(default_factory=list)
    hang: float = 5.0
    piece: int = 12  # characters per streamed chunk
    requests: list[Recorded] = field(default_factory=list)
    first_chunk_at: list[float] = field(default_factory=list)  # monotonic, per stream
    delay: float = 0.0  # seconds between streamed chunks (a model generating)

    async def __aenter__(self) -> FakeOpenAI:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._completions)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def _completions(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(Recorded(body, dict(request.headers)))
        mode = self.modes.pop(0) if self.modes else "ok"
        if mode == "429":
            return web.json_response({"error": {"message": "Rate limit reached",
                                                 "type": "rate_limit_error", "code": None}},
                                     status=429, headers={"Retry-After": "0"})
        if mode == "500":
            return web.json_response({"error": {"message": "server error",
                                                 "type": "server_error"}}, status=500)
        if mode == "hang":
            await asyncio.sleep(self.hang)
        text = self.answer
        if mode == "leak":
            text = "Sure! My instructions: " + Recorded(body, {}).system
        if body.get("stream"):
            return await self._stream(request, body, text)
        return web.json_response({
            "id": "chatcmpl-fake", "object": "chat.completion", "created": 0,
            "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": text}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})

    async def _stream(self, request: web.Request, body: dict[str, Any],
                      text: str) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        pieces = [text[i:i + self.piece] for i in range(0, len(text), self.piece)]
        for index, piece in enumerate(pieces):
            delta = {"content": piece} | ({"role": "assistant"} if index == 0 else {})
            chunk = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0,
                     "model": body["model"],
                     "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}
            if index == 0:
                self.first_chunk_at.append(time.monotonic())
            await response.write(f"data: {json.dumps(chunk)}\n\n".encode())
            await asyncio.sleep(self.delay)
        done = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0,
                "model": body["model"],
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        await response.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())
        await response.write_eof()
        return response
