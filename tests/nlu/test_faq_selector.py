"""The encoder FAQ selector: trains deterministically, writes Rasa's ResponseSelector structure, persists."""

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.faq_selector import EncoderFaqSelector, ExampleMemory

EXAMPLES = {
    "cost": ["how much does it cost", "what are your fees", "is it expensive", "price per session"],
    "format": [
        "can i have sessions online",
        "do you offer video sessions",
        "is it on the phone or in person",
    ],
    "children": ["do you see teenagers", "can my child have therapy", "is it suitable for kids"],
}


def training_data():
    examples = [
        Message(data={"text": text, "intent": "faq", "intent_response_key": f"faq/{topic}"})
        for topic, texts in EXAMPLES.items()
        for text in texts
    ]
    examples.append(Message(data={"text": "hello there", "intent": "greet"}))
    responses = {f"utter_faq/{topic}": [{"text": f"About {topic}."}] for topic in EXAMPLES}
    return TrainingData(training_examples=examples, responses=responses)


@pytest.fixture()
def trained(tmp_path):
    storage = LocalModelStorage(tmp_path)
    resource = Resource("faq_selector")
    context = ExecutionContext(None, "faq_selector")
    config = EncoderFaqSelector.get_default_config()
    selector = EncoderFaqSelector.create(config, storage, resource, context)
    selector.train(training_data())
    return selector, storage, resource, context, config


def test_writes_the_structure_rasa_response_selector_writes(trained):
    selector = trained[0]
    [message] = selector.process([Message(data={"text": "what do sessions cost?"})])
    properties = message.get("response_selector")
    assert properties["all_retrieval_intents"] == ["faq"]
    response = properties["faq"]["response"]
    assert response["intent_response_key"] == "faq/cost"
    assert response["utter_action"] == "utter_faq/cost"
    assert response["responses"] == [{"text": "About cost."}]
    ranking = properties["faq"]["ranking"]
    assert [r["intent_response_key"] for r in ranking][0] == "faq/cost"
    assert {"id", "confidence", "intent_response_key"} <= set(ranking[0])
    assert abs(sum(r["confidence"] for r in ranking) - 1.0) < 1e-5
    assert response["confidence"] == ranking[0]["confidence"]


def test_same_data_same_model(trained):
    first = trained[0].model
    again = EncoderFaqSelector.create(trained[4], trained[1], Resource("again"), trained[3])
    again.train(training_data())
    assert first.labels == again.model.labels
    assert np.array_equal(first.weights, again.model.weights)


def test_persisted_model_loads_and_predicts_the_same(trained):
    selector, storage, resource, context, config = trained
    loaded = EncoderFaqSelector.load(config, storage, resource, context)
    text = "do you do sessions over video call"
    a = selector.process([Message(data={"text": text})])[0].get("response_selector")
    b = loaded.process([Message(data={"text": text})])[0].get("response_selector")
    assert a == b
    assert a["faq"]["response"]["intent_response_key"] == "faq/format"


def test_a_follow_up_gets_a_ranking_in_the_context_of_each_topic(trained):
    [message] = trained[0].process([Message(data={"text": "what about for teenagers?"})])
    context = message.get("faq_context")
    assert set(context) == {"faq/cost", "faq/format", "faq/children"}
    assert all(len(rows) == 3 and rows[0][1] >= rows[1][1] for rows in context.values())
    [plain] = trained[0].process([Message(data={"text": "how much is a session"})])
    assert plain.get("faq_context") is None


def test_without_faq_data_messages_pass_through(tmp_path):
    storage = LocalModelStorage(tmp_path)
    selector = EncoderFaqSelector.create(
        EncoderFaqSelector.get_default_config(), storage, Resource("empty"), ExecutionContext(None, "empty")
    )
    selector.train(TrainingData(training_examples=[Message(data={"text": "hi", "intent": "greet"})]))
    [message] = selector.process([Message(data={"text": "hi"})])
    assert message.get("response_selector") is None


def test_retrieval_scores_each_topic_by_its_nearest_stored_vectors():
    eye = np.eye(3, dtype=np.float32)
    memory = ExampleMemory.build(["faq/a", "faq/b"], eye, ["faq/a", "faq/b", "faq/b"], k=2, temperature=0.1)
    probs = memory.probabilities(np.array([[1.0, 0.0, 0.0], [0.0, 0.7, 0.7]], dtype=np.float32))
    assert np.allclose(probs.sum(axis=1), 1.0)
    assert probs[0, 0] > probs[0, 1]  # a's one vector is the query itself
    assert probs[1, 1] > 0.99  # b's two vectors both lean towards the second query


def test_retrieval_is_mixed_in_and_can_be_switched_off(trained, tmp_path):
    selector, _, _, context, config = trained
    plain = EncoderFaqSelector.create(
        {**config, "retrieval_weight": 0.0}, LocalModelStorage(tmp_path), Resource("plain"), context
    )
    plain.train(training_data())
    text = "is it expensive"  # a training example: retrieval is sure of it, the regression less so
    mixed = selector.process([Message(data={"text": text})])[0].get("response_selector")["faq"]["response"]
    alone = plain.process([Message(data={"text": text})])[0].get("response_selector")["faq"]["response"]
    assert plain.memory is None and selector.memory is not None
    assert mixed["intent_response_key"] == alone["intent_response_key"] == "faq/cost"
    assert mixed["confidence"] > alone["confidence"]
