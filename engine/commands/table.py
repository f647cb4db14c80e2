"""THE command table: the single source of truth for names, options, help and limits.

Every adapter derives its commands from ``COMMANDS``: the console and Slack parse text with
``parse``; Discord builds typed app commands from the same entries and calls ``build``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from engine.commands.options import (
    BoolOption,
    ChoiceListOption,
    ChoiceOption,
    FloatOption,
    IntListOption,
    IntOption,
    Option,
    TextArg,
    TimeOption,
    WordOption,
    ZoneOption,
)
from engine.domain.errors import BadOption, did_you_mean
from engine.domain.replies import Invocation
from engine.learning.schedule import DAYS, WINDOW_MAX, WINDOW_MIN

NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
OPTION_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
HELP_MAX = 100  # Discord's description limit; Slack's is larger
SCHEDULE_ACTIONS = ("show", "set", "pause", "resume", "remove")  # /quiz-schedule ACTION
# named suggestion sources for free-text values (``Tutor.suggestions``; Discord autocomplete)
TOPICS = "topics"  # the curriculum's concepts, facilitator content included
COMMAND_NAMES = "commands"

SEED = IntOption("seed", "random seed; the same seed gives the same data and picture",
                 default=None, min=0, max=2**31 - 1)


@dataclass(frozen=True)
class Command:
    """One command: its name, one-line help, typed options and how it runs."""

    name: str
    help: str
    options: tuple[Option, ...] = ()
    text: TextArg | None = None
    heavy: bool = False  # a long demo: Discord defers it in public (the pool is the use case's)
    admin: bool = False  # facilitators only
    admin_aware: bool = False  # anyone may run it, but facilitators get more (``ctx.admin``)
    timeout: float = 30.0  # seconds a heavy job may run before it is stopped
    examples: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not NAME_RE.match(self.name) or not 1 <= len(self.help) <= HELP_MAX:
            raise ValueError(f"bad command definition: {self.name!r}")
        names = [o.name for o in self.options]
        if len(set(names)) != len(names) or not all(OPTION_NAME_RE.match(n) for n in names):
            raise ValueError(f"bad option names for /{self.name}: {names}")

    @property
    def handler(self) -> str:
        """The Tutor method that carries out this command."""
        return self.name.replace("-", "_")

    def option(self, name: str) -> Option:
        """The option called ``name``; an unknown name raises a message listing the valid ones."""
        for opt in self.options:
            if opt.name == name:
                return opt
        valid = ", ".join(o.name for o in self.options) or "none"
        raise BadOption(
            f"`/{self.name}` has no option `{name}`{did_you_mean(name, self.option_names)}; "
            f"its options are: {valid}."
        )

    @property
    def option_names(self) -> tuple[str, ...]:
        return tuple(o.name for o in self.options)

    @property
    def usage(self) -> str:
        """``/cmd TEXT [name=default] ...`` (Slack and console syntax)."""
        return LINE.invocation(self.usage_invocation())

    def usage_invocation(self) -> Invocation:
        """The usage line as a structure: each option with its default, all optional."""
        options = tuple((o.name, "…" if o.default in (None, ()) else o.format(o.default))
                        for o in self.options)
        optional = {o.name for o in self.options}
        text, text_name = "", ""
        if self.text:
            text, text_name = self.text.name.upper(), self.text.name
            if not self.text.required:
                optional.add(text_name)
        return Invocation(self.name, options, text, text_name, frozenset(optional))


@dataclass(frozen=True)
class Request:
    """A validated command: every option present (defaults filled in) and the free text."""

    command: str
    options: Mapping[str, Any] = field(default_factory=dict)
    text: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", MappingProxyType(dict(self.options)))

    def __reduce__(self):  # MappingProxyType does not pickle; requests cross process borders
        return (Request, (self.command, dict(self.options), self.text))

    def __getitem__(self, name: str) -> Any:
        return self.options[name]

    def with_options(self, **changes: Any) -> Request:
        """A copy with some options changed (values already validated)."""
        return replace(self, options={**self.options, **changes})

    def invocation(self, spec: Command | None = None) -> Invocation:
        """What reproduces this request (non-defaults and the seed), as a structure each
        adapter writes in its own syntax; ``spec`` is its command when it is not in
        tutorbot's own table."""
        spec = spec or COMMANDS[self.command]
        options = []
        for opt in spec.options:
            value = self.options.get(opt.name, opt.default)
            if value is not None and (value != opt.default or opt.name == "seed"):
                options.append((opt.name, opt.format(value)))
        return Invocation(self.command, tuple(options), self.text,
                          spec.text.name if spec.text else "")

    def canonical(self, spec: Command | None = None) -> str:
        """The exact command string that reproduces this request, in the text syntax
        ``engine.commands.parsing.parse`` reads (stored with each run; button actions)."""
        return LINE.invocation(self.invocation(spec))


class LineSyntax:
    """The command-line syntax ``engine.parsing`` reads, which Slack and the console show:
    ``/name text opt=value``; optional parts in brackets (usage lines). ``display=True``
    makes it safe inside a code span (a backtick in typed text becomes ˋ)."""

    def __init__(self, *, display: bool = False) -> None:
        self.display = display

    def invocation(self, invocation: Invocation) -> str:
        parts = [f"/{invocation.command}"]
        if invocation.text:
            text = invocation.text.replace("`", "ˋ") if self.display else invocation.text
            optional = invocation.text_name in invocation.optional
            parts.append(f"[{text}]" if optional else text)
        for name, value in invocation.options:
            parts.append(f"[{name}={value}]" if name in invocation.optional
                         else f"{name}={value}")
        return " ".join(parts)


LINE = LineSyntax()


# --- /train-demo options (limits from engine.demos, so the table and the maths agree) -------

from engine.commands.compare_option import CompareOption  # noqa: E402
from engine.demos import mlp as _mlp  # noqa: E402
from engine.demos.datasets import DATASETS as _DATASETS  # noqa: E402
from engine.demos.features import ALIASES as _FEATURE_ALIASES  # noqa: E402
from engine.demos.features import FEATURES as _FEATURES  # noqa: E402

_PLAYGROUND_OPTIONS: tuple[Option, ...] = (
    ChoiceOption("dataset", "the points to separate (reg-* are regression)", "circle",
                 choices=tuple(_DATASETS)),
    IntOption("noise", "label noise, as the Playground's slider", 0, min=0, max=50),
    IntOption("train_share", "percent of the points used for training; the rest test", 50,
              min=_mlp.TRAIN_SHARE_RANGE[0], max=_mlp.TRAIN_SHARE_RANGE[1]),
    ChoiceListOption("features", "inputs fed to the network", ("x1", "x2"),
                     choices=tuple(_FEATURES), min_items=1, max_items=len(_FEATURES),
                     aliases=tuple(_FEATURE_ALIASES.items())),
    IntListOption("layers", "neurons per hidden layer: 4,2 = two layers of 4 and 2; 0 = none",
                  (4, 2), min_items=0, max_items=_mlp.MAX_HIDDEN_LAYERS, item_min=1,
                  item_max=_mlp.MAX_NEURONS, empty_words=("0", "none", "")),
    ChoiceOption("activation", "what each hidden neuron applies to its input", "tanh",
                 choices=tuple(_mlp.ACTIVATIONS)),
    FloatOption("lr", "learning rate: the size of each step", 0.03,
                min=_mlp.LR_RANGE[0], max=_mlp.LR_RANGE[1]),
    IntOption("batch", "points per weight update", 10,
              min=_mlp.BATCH_RANGE[0], max=_mlp.BATCH_RANGE[1]),
    ChoiceOption("regularization", "penalty on large weights", "none",
                 choices=("none", "l1", "l2")),
    FloatOption("reg_rate", "strength of the penalty", 0.0,
                min=_mlp.REG_RATE_RANGE[0], max=_mlp.REG_RATE_RANGE[1]),
    IntOption("epochs", f"passes over the training points (at most {_mlp.MAX_EPOCHS})", 100,
              min=1, max=_mlp.MAX_EPOCHS),
)
_COMPARABLE = _PLAYGROUND_OPTIONS

TRAIN_DEMO = Command(
    "train-demo",
    "Train a small neural network on 2-D points, TensorFlow Playground style, and watch it learn",
    options=(
        *_PLAYGROUND_OPTIONS,
        SEED,
        BoolOption("animate", "an animated GIF of the training instead of a still", False),
        BoolOption("show_test", "also draw the test points (black outline)", False),
        CompareOption("compare", "train once per value and show the runs side by side",
                      None, targets=_COMPARABLE),
        ChoiceOption("model", "mlp: the Playground network; transformer: a tiny GPT learns text",
                     "mlp", choices=("mlp", "transformer")),
        IntOption("seconds", "model=transformer: how long the tiny GPT trains", 40,
                  min=5, max=60),
    ),
    heavy=True,
    timeout=80.0,
    examples=(
        "/train-demo",
        "/train-demo dataset=xor layers=0",
        "/train-demo dataset=spiral features=x1,x2,sinx1,sinx2 layers=8,8",
        "/train-demo compare=activation:relu,tanh",
        "/train-demo dataset=circle animate=yes",
        "/train-demo model=transformer seconds=30",
    ),
)


def check_model_options(request: Request) -> None:
    """/train-demo: the Playground options apply to model=mlp only, ``seconds`` to the
    transformer only; say so instead of silently ignoring them."""
    if request.command != "train-demo":
        return
    spec = COMMANDS[request.command]
    if request["model"] == "transformer":
        given = [o.name for o in (*_PLAYGROUND_OPTIONS, spec.option("animate"),
                                  spec.option("show_test"), spec.option("compare"))
                 if request[o.name] != o.default]
        if given:
            verb = "applies" if len(given) == 1 else "apply"
            raise BadOption(f"`{'`, `'.join(given)}` only {verb} to model=mlp; "
                            "model=transformer takes `seconds` and `seed`.")
    elif request["seconds"] != spec.option("seconds").default:
        raise BadOption("`seconds` only applies to model=transformer; model=mlp trains for "
                        "`epochs`.")


# --- the table ------------------------------------------------------------------------------
# Each feature adds its commands below, in its own section.

_TABLE: list[Command] = [
    # core
    Command(
        "help",
        "List the commands, or explain one in detail",
        text=TextArg("command", "a command name such as tokenize", max_len=40, required=False,
                     source=COMMAND_NAMES),
        admin_aware=True,  # lists the facilitators' commands to them
        examples=("/help", "/help tokenize"),
    ),
    # tokenizers and transformers
    Command(
        "tokenize",
        "See how GPT-4's and BERT's tokenizers split your text into tokens, side by side",
        options=(
            ChoiceListOption("tokenizers", "tokenizers to compare; the first is the headline",
                             default=("cl100k_base", "bert-wordpiece"),
                             choices=("cl100k_base", "bert-wordpiece", "utf8-bytes"),
                             min_items=1, max_items=3),
        ),
        text=TextArg("text", "the text to split, e.g. My name is Pawel", max_len=4000),
        heavy=True,
        timeout=20.0,
        examples=("/tokenize My name is Pawel", "/tokenize Tokenization isn't magic 🙂",
                  "/tokenize naïve café tokenizers=cl100k_base,utf8-bytes"),
    ),
    Command(
        "attention",
        "Look inside a real transformer: which words each attention head looks at",
        options=(
            IntOption("layer", "layer 1-6 (default: the layer of the clearest head)",
                      default=None, min=1, max=6),
            IntOption("head", "head 1-12 (default: the clearest head of the layer)",
                      default=None, min=1, max=12),
            ChoiceOption("view", "head = one heatmap, grid = every head, lines = one head as lines",
                         default="head", choices=("head", "grid", "lines")),
            ChoiceOption("model", "minilm = all-MiniLM-L6-v2 (a BERT), tiny-gpt = our tiny GPT",
                         default="minilm", choices=("minilm", "tiny-gpt")),
        ),
        text=TextArg("text", "a sentence, e.g. The cat sat on the mat",
                     max_len=4000),
        heavy=True,
        timeout=30.0,
        examples=("/attention The cat sat on the mat because it was tired",
                  "/attention The cat sat on the mat view=grid",
                  "/attention The cat sat on the mat layer=2 head=9 view=lines"),
    ),
    Command(
        "position",
        "How transformers know word order: sinusoidal, learned and rotary (RoPE) positions",
        options=(
            IntOption("dims", "size of each position vector (an even number)", default=64,
                      min=8, max=512),
        ),
        text=TextArg("text", "optional text whose tokens get marked on the picture",
                     max_len=4000, required=False),
        heavy=True,
        timeout=20.0,
        examples=("/position", "/position My name is Pawel", "/position The cat sat dims=128"),
    ),
    Command(
        "embed",
        "Compare 2-10 sentences by meaning with real sentence embeddings (separate them by |)",
        text=TextArg("sentences", "2 to 10 sentences separated by `|`, e.g. "
                     "A cat sleeps | A kitten naps | Stocks fell", max_len=4000),
        heavy=True,
        timeout=30.0,
        examples=("/embed A cat sleeps on the sofa | A kitten naps on the couch | Stocks fell",),
    ),
    Command(
        "next-token",
        "See a tiny GPT guess the next character at low, medium and high temperature",
        options=(
            FloatOption("temperature", "0 = always the top guess, 1 = as trained, 2 = wild",
                        default=0.8, min=0.0, max=2.0),
            IntOption("top_k", "sample only from the k likeliest characters (default: all)",
                      default=None, min=1, max=50),
            SEED,
        ),
        text=TextArg("text", "the text to continue, e.g. The cat sat on th",
                     max_len=4000),
        heavy=True,
        timeout=20.0,
        examples=("/next-token The cat sat on th", "/next-token A neural network temperature=1.2",
                  "/next-token Attention lets each token top_k=3"),
    ),
    # neural networks
    TRAIN_DEMO,
    # curriculum: lessons, quizzes, progress
    Command(
        "learn",
        "Read the next lesson on your path, or the lesson on a topic",
        text=TextArg("topic", "a topic or lesson number, e.g. `attention` or `12`", max_len=80,
                     required=False, source=TOPICS),
        examples=("/learn", "/learn attention", "/learn 12"),
    ),
    Command(
        "quiz",
        "Answer a question on what you have learned, or on a topic",
        text=TextArg("topic", "a topic, e.g. `tokenization`", max_len=80, required=False,
                     source=TOPICS),
        examples=("/quiz", "/quiz tokenization"),
    ),
    Command(
        "progress",
        "Your record as a picture: mastery per topic, lessons read, streak and XP",
        heavy=True,
        timeout=20.0,
        examples=("/progress",),
    ),
    Command(
        "ask",
        "Ask a question about the course: an answer from the lessons, with sources and a demo",
        text=TextArg("question", "your question in plain words, e.g. `/ask what is an epoch?`",
                     max_len=500),
        examples=("/ask what is an epoch?", "/ask fine-tune or RAG for our support bot?",
                  "/ask why do LLMs make things up?"),
    ),
    Command(
        "forget-me",
        "Delete everything tutorbot stores about you (asks you to confirm first)",
        examples=("/forget-me",),
    ),
    # daily habits: channel quizzes, spaced repetition, settings, weekly views
    Command(
        "quiz-schedule",
        "Facilitators: set, show, pause, resume or remove this channel's daily quiz",
        text=TextArg("action", "set, show, pause, resume or remove (default show)", max_len=10,
                     required=False, choices=SCHEDULE_ACTIONS),
        options=(
            TimeOption("time", "when to post, 24-hour local time"),
            ZoneOption("tz", "the IANA time zone of `time`"),
            ChoiceOption("days", "which days to post", default=None, choices=DAYS),
            WordOption("topic", "a topic to draw questions from, or any", source=TOPICS),
            IntOption("window", "minutes the answers stay open", default=None,
                      min=WINDOW_MIN, max=WINDOW_MAX),
        ),
        admin=True,
        examples=("/quiz-schedule set time=09:00 tz=Europe/Warsaw days=weekdays",
                  "/quiz-schedule set topic=attention window=120", "/quiz-schedule pause"),
    ),
    Command("review", "Answer the questions you are about to forget (spaced repetition)",
            examples=("/review",)),
    Command(
        "settings",
        "Your time zone, daily review reminders and whether you appear on the leaderboard",
        options=(
            ZoneOption("timezone", "your IANA time zone (days, streaks, reminders)"),
            BoolOption("reminders", "a daily direct message when reviews are due", default=None),
            TimeOption("reminder_time", "when to send the reminder, your local time"),
            BoolOption("leaderboard", "show you on the weekly leaderboard", default=None),
            BoolOption("share_questions", "let facilitators read the text of your /ask "
                       "questions (off by default)", default=None),
        ),
        examples=("/settings", "/settings timezone=Europe/Warsaw reminders=on "
                  "reminder_time=08:30", "/settings leaderboard=off",
                  "/settings share_questions=on"),
    ),
    Command("leaderboard", "This week's leaderboard: points for knowing and showing up, not speed",
            examples=("/leaderboard",)),
    Command(
        "cohort",
        "Facilitators: how the group is doing — activity, daily quizzes, hardest concepts",
        options=(
            IntOption("days", "how many days to look back", default=7, min=1, max=28),
            ChoiceOption("digest", "post this every Monday here, or stop", default=None,
                         choices=("here", "off")),
            ZoneOption("timezone", "the group's time zone (weeks start Monday 00:00)"),
            IntOption("ask_answers", "/ask: AI-written answers per learner per day (with an LLM)",
                      default=None, min=0, max=10_000),
            IntOption("ask_tokens", "/ask: LLM tokens per day for the whole workspace",
                      default=None, min=0, max=1_000_000_000),
        ),
        admin=True,
        examples=("/cohort", "/cohort digest=here timezone=Europe/Warsaw",
                  "/cohort ask_answers=20 ask_tokens=100000"),
    ),
]

COMMANDS: Mapping[str, Command] = MappingProxyType({c.name: c for c in _TABLE})
