"""THE command table and its parser: the single source of truth for names, options, help
and limits (``table``), the option types (``options``) and parsing text or typed values into a
validated ``Request`` (``parsing``). Every adapter derives its commands from here.
"""

from engine.commands.table import (
    COMMAND_NAMES,
    COMMANDS,
    LINE,
    SEED,
    TOPICS,
    Command,
    LineSyntax,
    Request,
    check_model_options,
)

__all__ = ["COMMANDS", "COMMAND_NAMES", "LINE", "SEED", "TOPICS", "Command", "LineSyntax",
           "Request", "check_model_options"]
