"""Everything the Rasa server loads: channels (the widget's socket too), NLU components, policies,
reply rendering, storage, privacy, duty alerts and the practice's settings.

Rasa's files (domain, config, data) describe *what* the bot says; this package holds the
Python that Rasa loads to make it safe, practice-specific and observable. It never imports
the console, the tooling (``bench``, ``evaluation``) or the tests.
"""
