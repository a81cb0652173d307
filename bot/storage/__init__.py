"""Where conversations are kept: Rasa's SQL tracker store, configured from bot.settings."""
