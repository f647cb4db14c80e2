"""The glossary: the shipped file is valid and tied to real lessons and real commands; the
loader names the entry and the field of every problem in a bad file."""

import textwrap

import pytest

from engine.commands import check_model_options
from engine.commands.parsing import parse
from engine.domain.errors import TutorError
from engine.knowledge.glossary import (
    GLOSSARY_FILE,
    GlossaryError,
    load_glossary,
    normalise,
)
from tests.engine.knowledge.lesson_ids import EXISTING_LESSON_IDS, LESSON_IDS

GLOSSARY = load_glossary(lesson_ids=LESSON_IDS)


def test_the_glossary_is_large_enough_and_covers_every_lesson():
    assert len(GLOSSARY) >= 150
    cited = {entry.lesson for entry in GLOSSARY}
    assert cited == LESSON_IDS, f"lessons without a glossary term: {sorted(LESSON_IDS - cited)}"


def test_the_terms_product_teams_ask_about_are_there():
    wanted = ["epoch", "batch", "gradient descent", "loss", "overfitting", "regularization",
              "activation", "embedding", "token", "tokenizer", "BPE", "context window",
              "attention", "self-attention", "head", "transformer", "encoder", "decoder",
              "positional encoding", "RoPE", "temperature", "top-p", "top-k", "logits",
              "softmax", "hallucination", "RAG", "vector database", "chunking", "fine-tuning",
              "LoRA", "RLHF", "instruction tuning", "prompt", "system prompt", "few-shot",
              "chain of thought", "agent", "tool use", "function calling", "prompt injection",
              "guardrails", "evaluation", "benchmark", "precision", "recall", "latency",
              "throughput", "quantization", "distillation", "mixture of experts", "inference",
              "training cost", "open weights", "multimodal", "diffusion", "bias", "fairness",
              "PII", "data leakage"]
    missing = [name for name in wanted if GLOSSARY.find(name) is None]
    assert not missing


def test_no_name_belongs_to_two_entries():
    names = [normalise(name) for entry in GLOSSARY for name in entry.names]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("entry", [e for e in GLOSSARY if e.demo], ids=lambda e: e.term)
def test_every_demo_is_a_valid_command(entry):
    request = parse(entry.demo)
    check_model_options(request)
    assert request.command in {"tokenize", "attention", "position", "embed", "next-token",
                               "train-demo"}


def test_definitions_are_plain_and_short():
    for entry in GLOSSARY:
        assert 30 <= len(entry.definition) <= 600, entry.term
        assert "\n" not in entry.definition, entry.term
        assert entry.definition[0].isupper() or entry.definition[0] in "\"'", entry.term


def test_find_ignores_case_hyphens_and_spacing():
    assert GLOSSARY.find("Top K").term == "Top-k sampling"
    assert GLOSSARY.find("top_k").term == "Top-k sampling"
    assert GLOSSARY.find("  llm ").term == "Large language model"
    assert GLOSSARY.find("Fine Tuning").term == "Fine-tuning"
    assert GLOSSARY.find("byte pair encoding").term == "Byte-pair encoding"
    assert GLOSSARY.find("biases").term == "Bias term"
    assert GLOSSARY.find("bias").lesson == "bias"
    assert GLOSSARY.find("quantum gravity") is None


def test_a_curriculum_without_some_lessons_gets_the_entries_it_can_cite():
    without = EXISTING_LESSON_IDS - {"adapting-models"}  # e.g. a trimmed facilitator course
    existing = GLOSSARY.for_lessons(without)
    assert 0 < len(existing) < len(GLOSSARY)
    assert {entry.lesson for entry in existing} == set(without)
    assert existing.find("epoch") is not None and existing.find("LoRA") is None


def test_an_entry_reads_as_one_passage():
    entry = GLOSSARY.find("RAG")
    assert entry.text.startswith("Retrieval-augmented generation (RAG")
    assert entry.definition in entry.text


def test_the_default_file_loads_without_lesson_ids():
    assert len(load_glossary(GLOSSARY_FILE)) == len(GLOSSARY)


# --- the loader's messages --------------------------------------------------------------------

def _write(tmp_path, body: str):
    path = tmp_path / "glossary.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


GOOD = """\
  - term: Epoch
    aliases: [epochs]
    definition: One full pass of training over all the training examples.
    lesson: batches-epochs
    demo: /train-demo epochs=5
"""


def _problems(tmp_path, body: str, **kwargs) -> list[str]:
    with pytest.raises(GlossaryError) as caught:
        load_glossary(_write(tmp_path, body), **kwargs)
    return [str(p) for p in caught.value.problems]


def test_a_good_file_loads(tmp_path):
    glossary = load_glossary(_write(tmp_path, "terms:\n" + GOOD), lesson_ids={"batches-epochs"})
    (entry,) = glossary.entries
    assert (entry.term, entry.aliases, entry.lesson, entry.demo) == (
        "Epoch", ("epochs",), "batches-epochs", "/train-demo epochs=5")
    assert entry.definition == "One full pass of training over all the training examples."


def test_every_problem_is_reported_with_file_line_entry_and_field(tmp_path):
    body = "terms:\n" + GOOD + """\
  - term: Logits
    definition: Raw scores. They become probabilities. Softmax does it. Then we sample.
    lesson: next-token
    colour: blue
  - term: Softmax
    definition: Turns scores into probabilities that add up to one.
    lesson: Next Token
    demo: softmax please
  - term: Epochs again
    aliases: [EPOCHS]
    definition: A duplicate name under another term, which must be refused.
    lesson: batches-epochs
  - definition: An entry without a term, which must be refused as well.
    lesson: batches-epochs
"""
    problems = _problems(tmp_path, body)
    text = "\n".join(problems)
    assert "glossary.yaml:7: entry 'Logits', field 'definition': one to 3 sentences, got 4" in text
    assert "glossary.yaml:7: entry 'Logits', field 'colour': unknown field" in text
    assert "entry 'Softmax', field 'lesson': 'Next Token' is not a lesson id" in text
    assert "entry 'Softmax', field 'demo': must be one command line starting with /" in text
    assert ("entry 'Epochs again', field 'aliases': 'EPOCHS' already names the entry 'Epoch'"
            in text)
    assert "glossary.yaml:19: field 'term': is required and must be non-empty text" in text
    assert len(problems) == 6


def test_unknown_lesson_ids_are_refused_when_lessons_are_given(tmp_path):
    problems = _problems(tmp_path, "terms:\n" + GOOD, lesson_ids={"loss"})
    assert problems == [f"{tmp_path / 'glossary.yaml'}:2: entry 'Epoch', field 'lesson': "
                        "no lesson has the id 'batches-epochs'"]


@pytest.mark.parametrize(("body", "message"), [
    ("- term: Epoch\n", "expected a mapping with one key, `terms:`"),
    ("terms: [unclosed\n", "cannot read the file"),
    ("terms:\n  - just a string\n", "an entry must be a mapping"),
    ("terms:\n  - term: X\n    aliases: one\n    definition: A definition long enough to pass.\n"
     "    lesson: loss\n", "field 'aliases': must be a list of names"),
    ("terms:\n  - term: X\n    definition: Too short.\n    lesson: loss\n",
     "must be 30 to 600 characters, got 10"),
    ("terms:\n  - term: X\n    definition: A definition long enough but with no full stop\n"
     "    lesson: loss\n", "must end with a full stop"),
    ("terms:\n  - term: X\n    definition: A definition long enough to pass the length check.\n"
     f"    lesson: loss\n    demo: /embed {'a | ' * 30}b\n", "field 'demo': at most 96"),
])
def test_malformed_files_get_a_clear_message(tmp_path, body, message):
    assert any(message in problem for problem in _problems(tmp_path, body))


def test_a_missing_file_is_a_clear_error(tmp_path):
    problems = _problems_for_missing(tmp_path)
    assert "cannot read the file" in problems[0]


def _problems_for_missing(tmp_path) -> list[str]:
    with pytest.raises(GlossaryError) as caught:
        load_glossary(tmp_path / "nope.yaml")
    return [str(p) for p in caught.value.problems]


def test_demo_check_uses_the_real_parser():
    """The demo test above would catch a typo: the parser refuses unknown options."""
    with pytest.raises(TutorError):
        parse("/next-token The cat temprature=3")
