"""bot/content/topics.yml: button titles and canonical questions for every topic."""

from bot.content.topics import all_topics, something_else_button
from tests.support.project import training_examples


def test_each_canonical_question_is_a_training_example_of_its_topic():
    # A button click sends this text, so the model must have learnt it as that topic.
    examples = training_examples()
    for topic in all_topics().values():
        known = {example.lower().rstrip("?") for example in examples[f"faq/{topic.id}"]}
        assert topic.question.lower().rstrip("?") in known, f"add {topic.question!r} to faq/{topic.id}"


def test_something_else_button_asks_for_help():
    assert something_else_button()["payload"] == "/help"
