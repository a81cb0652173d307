"""Connectors between the assistant and the places people write to it.

Messaging platforms (docs/channels/): ``config`` turns them on from environment variables,
``rendering`` shapes answers for each (pure), ``signatures`` proves a request comes from the
platform (pure), ``base`` holds what their connectors share, and ``telegram``, ``twilio``
(SMS, WhatsApp), ``messenger`` and ``slack`` talk to one platform each. ``safe_rest`` is the
hardened REST channel, with the input rules (``input_rules``) the messaging channels share.
``feedback`` reads visitors' votes on answers (the widget's thumbs, "Was this helpful?" on
text channels); ``callback_flow`` asks the widget's callback form as questions on text channels.
"""
