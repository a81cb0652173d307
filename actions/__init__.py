"""Custom actions, one concern per module. rasa-sdk registers every Action in this package."""
