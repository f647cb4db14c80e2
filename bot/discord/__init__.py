"""The Discord adapter: typed app commands from the command table, follow-ups with pictures,
persistent buttons. Only this package imports ``discord``."""
