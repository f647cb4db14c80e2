"""The Slack adapter: a slack-bolt AsyncApp whose commands come from the engine's table."""
