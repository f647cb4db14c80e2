"""Loopback stand-ins for the platforms tutorbot talks to, shared by tests/ and bench/.

- ``fake_slack``: Slack's Web API, file uploads, response_urls and Socket Mode;
  ``slack_requests``: requests signed and shaped as Slack sends them.
- ``fake_discord``: Discord's REST API and gateway; ``discord_payloads``: INTERACTION_CREATE
  payloads as Discord sends them.
- ``loopback``: a guard that refuses any look-up or connection off loopback.

Never imported by ``bot`` or ``engine`` (an import-linter contract says so).
"""
