"""Measuring the NLU: held-out accuracy, crisis recall and false alarms, latency."""
