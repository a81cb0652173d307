"""How the project's processes start: the launcher behind ``make run`` and the action server's entry point."""
