"""The staff console: a small web application over the conversations the assistant stored.

Staff review transcripts, tag and flag them, see what people ask that the bot could not
answer, read analytics and export conversations. Layout:

- ``app``        the Flask application factory, security headers, request hooks
- ``auth``       password hashing, sessions, roles
- ``guards``     request guards: login on every page, roles, CSRF, cookies, headers
- ``events``     how a stored Rasa event reads to a person (pure functions)
- ``db/``        the console's own tables, migrations, summary refresh, queries, retention
- ``views/``     one module per screen; ``templates/`` and ``static/`` beside them
- ``charts``     server-side SVG charts (no JavaScript anywhere)
- ``cli``        ``python -m console ...``: serve, users, refresh, retention, delete
"""
