"""Curated content that is not a Rasa response: topic titles for buttons, source checks."""
