"""Alerts to the practice's staff: the duty email when a conversation is flagged (``duty.py``)."""
