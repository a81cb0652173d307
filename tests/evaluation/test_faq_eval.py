"""How the FAQ evaluation scores replies: acceptable, wrong answer, abstained."""

from evaluation.faq_eval import Parsed, gate_curve, load_real, reply, score_heldout, score_real


def parsed(intent, *ranking, gated=False):
    return Parsed("q", intent, list(ranking), gated)


SURE = parsed("faq", ("faq/cost", 0.9), ("faq/referral", 0.05))
UNSURE = parsed("nlu_fallback", ("faq/cost", 0.4), ("faq/referral", 0.3), gated=True)


def test_reply_follows_the_pipeline_and_recomputes_the_gate():
    assert reply(SURE) == "faq/cost"
    assert reply(UNSURE) == "nlu_fallback"
    assert reply(UNSURE, threshold=0.3, margin=0.0) == "faq/cost"
    assert reply(SURE, threshold=0.95, margin=0.0) == "nlu_fallback"
    # the classifier's own fallback (not the gate's) stays a fallback whatever the gate says
    assert reply(parsed("nlu_fallback", ("faq/cost", 0.9)), threshold=0.0, margin=0.0) == "nlu_fallback"
    assert reply(parsed("crisis", ("faq/cost", 0.9))) == "crisis"
    followup = parsed("faq_followup", ("faq/format", 0.8), ("faq/cost", 0.1), gated=True)
    assert reply(followup) == "faq/format"


def test_scoring_real_questions():
    items = [SURE, SURE, UNSURE, UNSURE, parsed("out_of_scope"), parsed("crisis"), parsed("crisis")]
    accepts = [["cost"], ["referral"], ["cost"], ["out_of_scope"], ["out_of_scope"], ["crisis"], ["cost"]]
    result = score_real(items, accepts)
    assert result["acceptable"] == 4  # right topic, abstained on out-of-scope, declined, crisis
    assert result["wrong_answer"] == 1
    assert result["abstained"] == 1 and result["abstained_right_suggested"] == 1
    assert result["other"] == 1
    assert abs(result["acceptable_rate"] - 4 / 7) < 1e-9


def test_gate_curve_trades_wrong_answers_for_abstentions():
    items = [
        parsed("faq", ("faq/cost", 0.9), ("faq/x", 0.05)),
        parsed("faq", ("faq/past", 0.45), ("faq/x", 0.3)),
    ]
    rows = {(r["threshold"], r["margin"]): r for r in gate_curve(items, [["cost"], ["cost"]])}
    assert rows[(0.0, 0.0)]["wrong_answer"] == 1
    assert rows[(0.5, 0.0)]["wrong_answer"] == 0 and rows[(0.5, 0.0)]["abstained"] == 1


def test_heldout_scoring():
    result = score_heldout([SURE, UNSURE, parsed("greet")], ["faq/cost", "faq/cost", "greet"])
    assert abs(result["accuracy"] - 2 / 3) < 1e-9
    assert result["faq_accuracy"] == 0.5
    assert result["errors"] == [("q", "faq/cost", "nlu_fallback")]


def test_loads_the_real_dev_split(tmp_path):
    (tmp_path / "dev.yml").write_text(
        "questions:\n- text: Is it private?\n  accept: [confidentiality]\n"
        "- text: How do I train?\n  accept: [decline]\n"
    )
    assert load_real("dev", tmp_path) == [
        ("Is it private?", ["confidentiality"]),
        ("How do I train?", ["out_of_scope"]),
    ]
