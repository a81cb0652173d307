"""The assistant's own package: NLU components, response rendering, storage and tooling.

Rasa's files (domain, config, data) describe *what* the bot says; this package holds the
Python that Rasa loads to make it safe, practice-specific and observable.
"""
