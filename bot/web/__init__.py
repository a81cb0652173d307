"""The website chat widget's server side: its socket channel and the demo page's web server.

``channel`` is the socket.io channel the widget talks to (inside the Rasa server);
``server`` serves the practice page, the widget's files and its configuration (``make run``).
The browser side lives in ``web/``.
"""
