"""Dialogue policies of our own (config.yml): the crisis flow and its safety check-in."""
