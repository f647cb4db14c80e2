"""The ports: what the use cases need from the outside world, and nothing about how."""
