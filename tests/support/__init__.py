"""Helpers shared by the test suites: starting the real servers on free local ports."""
