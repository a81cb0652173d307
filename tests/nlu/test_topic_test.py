"""The one "sure of the topic" test, and its thresholds read from config.yml for both servers."""

import yaml

from actions.answer_followup import is_sure as action_is_sure
from bot.nlu.topic_test import DEFAULT_MARGIN, DEFAULT_THRESHOLD, configured_gate, is_sure
from bot.settings import PROJECT_ROOT


def test_sure_means_high_enough_and_far_enough_ahead():
    assert is_sure([("faq/cost", 0.6), ("faq/referral", 0.3)], 0.5, 0.2)
    assert not is_sure([("faq/cost", 0.45), ("faq/referral", 0.1)], 0.5, 0.2)  # too low
    assert not is_sure([("faq/cost", 0.55), ("faq/referral", 0.4)], 0.5, 0.2)  # too close
    assert is_sure([("faq/cost", 0.9)], 0.5, 0.2)
    assert not is_sure([], 0.0, 0.0)


def test_reads_the_gate_settings_from_a_config_file(tmp_path):
    config = tmp_path / "config.yml"
    config.write_text(
        yaml.safe_dump(
            {
                "pipeline": [
                    {"name": "LogisticRegressionClassifier"},
                    {"name": "bot.nlu.faq_gate.FaqConfidenceGate", "threshold": 0.42, "margin": 0.07},
                ]
            }
        )
    )
    assert configured_gate(config) == (0.42, 0.07)
    bare = tmp_path / "bare.yml"
    bare.write_text(yaml.safe_dump({"pipeline": [{"name": "LogisticRegressionClassifier"}]}))
    assert configured_gate(bare) == (DEFAULT_THRESHOLD, DEFAULT_MARGIN)


def test_the_follow_up_action_applies_the_shipped_gate():
    pipeline = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())["pipeline"]
    [gate] = [c for c in pipeline if c["name"].endswith("FaqConfidenceGate")]
    at = [("faq/cost", gate["threshold"]), ("faq/referral", gate["threshold"] - gate["margin"] - 1e-6)]
    below = [("faq/cost", gate["threshold"] - 0.01), ("faq/referral", 0.0)]
    assert action_is_sure(at) and not action_is_sure(below)
