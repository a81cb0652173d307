"""The demo practice page: its small web server (``server``) and the chat widget's files beside it.

The widget talks to the Rasa server's socket channel (``bot/channels/widget.py``); nothing here
runs inside the Rasa server.
"""
