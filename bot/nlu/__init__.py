"""Custom NLU pieces: the offline spaCy pipeline and the crisis safety net."""
