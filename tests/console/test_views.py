"""The screens, driven through the app: review actions, unanswered filing, exports, the audit log."""

import csv
import io
import json
import re

import sqlalchemy as sa
import yaml

from console.db import schema, summary
from tests.console.conftest import add, conversation


def stored(engine):
    add(
        engine,
        conversation("crisis-1", days_ago=2).crisis("I want to end it"),
        conversation("faq-1", days_ago=1, channel="telegram").faq('=HYPERLINK("x")', "cost").fallback("dog?"),
    )
    summary.refresh(engine)


def audit_actions(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(schema.audit.c.action).order_by(schema.audit.c.id)).scalars().all()


def test_list_filters_and_opens_a_transcript(admin, engine):
    stored(engine)
    page = admin.get("/conversations?crisis=yes")
    assert "1</strong> conversation match" in page.text and "I want to end it" in page.text
    assert "dog?" not in page.text
    transcript = admin.get("/transcript/crisis-1")
    assert transcript.status_code == 200 and "utter_crisis" in transcript.text and "Crisis" in transcript.text
    assert admin.get("/transcript/nobody").status_code == 404


def test_review_tag_note_and_flag_a_conversation(reviewer, engine):
    stored(engine)

    def post(path, **form):
        return reviewer.post(path, data={"_csrf": reviewer.csrf, "sender_id": "faq-1", **form})

    assert post("/conversations/review").status_code == 302
    assert post("/conversations/tag", tag="  Follow   UP ").status_code == 302
    assert post("/conversations/tag", tag="<bad>").headers["Location"].endswith("notice=bad-tag")
    assert post("/conversations/note", body="Rang them back").status_code == 302
    with engine.connect() as conn:
        user_event = conn.execute(
            sa.select(sa.func.min(schema.events.c.id)).where(
                schema.events.c.sender_id == "faq-1", schema.events.c.type_name == "user"
            )
        ).scalar()
    assert post("/conversations/flag", event_id=str(user_event), reason="wrong answer").status_code == 302
    page = reviewer.get("/transcript/faq-1").text
    assert (
        "Reviewed by rex" in page
        and "follow up" in page
        and "Rang them back" in page
        and "wrong answer" in page
    )
    assert "faq-1" in reviewer.get("/conversations?reviewed=yes&tag=follow+up").text
    assert "faq-1" not in reviewer.get("/conversations?reviewed=no").text
    post("/conversations/review", reviewed="no")
    post("/conversations/tag", tag="follow up", remove="yes")
    post("/conversations/flag", event_id=str(user_event), clear="yes")
    page = reviewer.get("/transcript/faq-1").text
    assert "Not reviewed yet" in page and "No tags" in page and "wrong answer" not in page
    assert {"reviewed", "tag", "note", "flag", "unreviewed", "untag", "unflag"} <= set(audit_actions(engine))


def test_csv_export_follows_the_filters_and_is_spreadsheet_safe(admin, engine):
    stored(engine)
    response = admin.get("/export/conversations.csv?channel=telegram")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {row["conversation_id"] for row in rows} == {"faq-1"}
    texts = [row["text"] for row in rows if row["speaker"] == "user"]
    assert texts == ['\'=HYPERLINK("x")', "dog?"], "formulas are defused"
    assert any(row["topic"] == "faq/cost" and row["confidence"] for row in rows)


def test_json_export(admin, engine):
    stored(engine)
    data = json.loads(admin.get("/export/conversations.json?crisis=yes").text)
    assert data["filters"] == {"crisis": "yes"}
    [only] = data["conversations"]
    assert only["conversation_id"] == "crisis-1" and only["crisis"] and only["referral_offered"]
    assert [m["speaker"] for m in only["messages"]][:3] == ["event", "user", "bot"]
    assert {"export_json"} <= set(audit_actions(engine))


def _row_of(page, example):
    import re

    row = re.search(r'name="example-(\d+)" value="' + re.escape(example) + '"', page).group(1)
    wordings = re.search(rf'name="wordings-{row}" value="([^"]*)"', page).group(1)
    return row, wordings


def test_unanswered_screen_files_a_group_and_exports_yaml(admin, engine):
    stored(engine)
    page = admin.get("/unanswered").text
    assert "dog?" in page and '<label for="topic-1">Topic for' in page, "the topic choice has a visible label"
    row, wordings = _row_of(page, "dog?")
    nothing = admin.post(
        "/unanswered/assign",
        data={
            "_csrf": admin.csrf,
            "save": row,
            f"wordings-{row}": wordings,
            f"example-{row}": "dog?",
            f"topic-{row}": "",
            "back": "/unanswered",
        },
    )
    assert nothing.status_code == 302
    assert "Choose a topic for “dog?”" in admin.get(nothing.headers["Location"]).text
    response = admin.post(
        "/unanswered/assign",
        data={
            "_csrf": admin.csrf,
            "save": row,
            f"wordings-{row}": wordings,
            f"topic-{row}": "faq/therapist",
            "back": "/unanswered",
        },
    )
    assert response.status_code == 302
    confirmed = admin.get(response.headers["Location"]).text
    assert "Filed 1 question under “Choosing a therapist”" in confirmed and 'role="status"' in confirmed
    assert "dog?" not in admin.get("/unanswered").text
    assert "dog?" in admin.get("/unanswered?status=assigned").text
    bad = admin.post(
        "/unanswered/assign",
        data={"_csrf": admin.csrf, "save": row, f"wordings-{row}": wordings, f"topic-{row}": "not_a_topic"},
    )
    assert "not one the bot knows" in admin.get(bad.headers["Location"]).text
    exported = yaml.safe_load(admin.get("/unanswered/training-data.yml").text)
    assert exported["nlu"] == [{"intent": "faq/therapist", "examples": "- dog?\n"}]


def test_bulk_filing_of_ticked_questions(admin, engine):
    add(
        engine,
        conversation("b1").fallback("do you take bupa insurance"),
        conversation("b2").fallback("is there parking near the clinic").fallback("can i bring my dog"),
    )
    summary.refresh(engine)
    page = admin.get("/unanswered").text
    rows = [
        _row_of(page, text) for text in ("do you take bupa insurance", "is there parking near the clinic")
    ]
    form = {
        "_csrf": admin.csrf,
        "bulk": "yes",
        "bulk_topic": "faq/format",
        "pick": [row for row, _ in rows],
        **{f"wordings-{row}": wordings for row, wordings in rows},
    }
    assert (
        "Tick the questions"
        in admin.get(admin.post("/unanswered/assign", data={**form, "pick": []}).headers["Location"]).text
    )
    done = admin.post("/unanswered/assign", data=form)
    assert "Filed 2 questions under" in admin.get(done.headers["Location"]).text
    left = admin.get("/unanswered").text
    assert "can i bring my dog" in left and "bupa" not in left and "parking" not in left


def test_an_admin_deletes_a_conversation_on_request(admin, engine):
    stored(engine)
    assert "Type the conversation id" in admin.get("/conversations/delete?id=faq-1").text
    wrong = admin.post(
        "/conversations/delete", data={"_csrf": admin.csrf, "sender_id": "faq-1", "confirm": "faq"}
    )
    assert wrong.status_code == 400
    done = admin.post(
        "/conversations/delete", data={"_csrf": admin.csrf, "sender_id": "faq-1", "confirm": "faq-1"}
    )
    assert done.status_code == 302
    with engine.connect() as conn:
        left = conn.execute(
            sa.select(sa.func.count()).select_from(schema.events).where(schema.events.c.sender_id == "faq-1")
        ).scalar()
    assert left == 0 and admin.get("/transcript/faq-1").status_code == 404


def test_views_exports_and_deletions_are_audited(admin, engine):
    stored(engine)
    admin.get("/conversations?crisis=yes")
    admin.get("/transcript/crisis-1")
    admin.get("/analytics")
    admin.get("/unanswered")
    admin.get("/export/conversations.csv")
    admin.post("/conversations/delete", data={"_csrf": admin.csrf, "sender_id": "faq-1", "confirm": "faq-1"})
    actions = audit_actions(engine)
    for action in (
        "login",
        "view_list",
        "view_transcript",
        "view_analytics",
        "view_unanswered",
        "export_csv",
        "delete",
    ):
        assert action in actions, action
    log = admin.get("/audit?action=delete").text
    assert "faq-1" in log and "ada" in log


def test_analytics_page_draws_charts(admin, engine):
    stored(engine)
    page = admin.get("/analytics?channel=telegram").text
    assert page.count("<svg") == 5 and "Top topics" in page and "Cost" in page


def test_the_list_shows_typed_words_plain_channels_start_page_and_flags(admin, engine):
    add(engine, conversation("web-1", channel="socketio").opened("/fees").faq("how much is it", "cost"))
    summary.refresh(engine)
    page = admin.get("/conversations").text
    assert "how much is it" in page and "/greet" not in page
    assert "Website chat" in page and "/fees" in page
    transcript = admin.get("/transcript/web-1").text
    assert "/greet" not in transcript


def test_correcting_a_wrong_answer_joins_the_export(admin, engine):
    add(engine, conversation("wrong-1").said("what actually is therapy?", "share_difficulty", "utter_share"))
    summary.refresh(engine)
    with engine.connect() as conn:
        event_id = conn.execute(
            sa.select(schema.events.c.id).where(
                schema.events.c.sender_id == "wrong-1", schema.events.c.type_name == "user"
            )
        ).scalar()
    back = "/conversations?channel=rest"
    assert "← All conversations" in admin.get(f"/transcript/wrong-1?back={back}").text
    form = {"_csrf": admin.csrf, "sender_id": "wrong-1", "event_id": str(event_id), "back": back}
    assert "no-topic" in admin.post("/conversations/correct", data={**form, "topic": ""}).headers["Location"]
    done = admin.post("/conversations/correct", data={**form, "topic": "faq/what_is"})
    assert "back=" in done.headers["Location"], "the filters come along"
    page = admin.get(done.headers["Location"]).text
    assert "Corrected to “What psychodynamic therapy is”" in page
    assert f'href="{back}"' in page.replace("&amp;", "&")
    exported = yaml.safe_load(admin.get("/unanswered/training-data.yml").text)
    assert exported["nlu"] == [{"intent": "faq/what_is", "examples": "- what actually is therapy?\n"}]
    assert "what actually is therapy?" in admin.get("/unanswered?status=all").text
    assert (
        admin.post(
            "/conversations/correct", data={**form, "event_id": "999999", "topic": "faq/cost"}
        ).status_code
        == 404
    )


def test_the_crisis_queue_unreviewed_first_and_next_unreviewed(reviewer, engine):
    add(
        engine,
        conversation("c-old", days_ago=2).crisis("I want to end it"),
        conversation("c-new", days_ago=1).crisis("I cannot go on"),
        conversation("c-done", days_ago=0.5).crisis("I hurt myself"),
        conversation("risk-1", days_ago=0.2).check_in("everything feels heavy lately"),
        conversation("calm").faq("how much", "cost"),
    )
    summary.refresh(engine)
    reviewer.post("/conversations/review", data={"_csrf": reviewer.csrf, "sender_id": "c-done"})
    page = reviewer.get("/crisis").text
    assert page.index("I cannot go on") < page.index("I want to end it") < page.index("I hurt myself")
    assert "everything feels heavy lately" in page and "how much" not in page
    opened = reviewer.get("/transcript/c-new?back=/crisis").text
    assert "Next unreviewed" in opened and "/transcript/c-old" in opened
    done = reviewer.post(
        "/conversations/review", data={"_csrf": reviewer.csrf, "sender_id": "c-new", "back": "/crisis"}
    )
    after = reviewer.get(done.headers["Location"]).text
    assert "Marked as reviewed" in after and "/transcript/c-old" in after
    reviewer.post("/conversations/review", data={"_csrf": reviewer.csrf, "sender_id": "c-old"})
    assert "/transcript/risk-1" in reviewer.get("/transcript/c-old?back=/crisis").text, "then possible risk"
    assert "I want to end it" not in reviewer.get("/crisis?reviewed=no").text


def test_admins_invite_reset_disable_and_change_roles_in_the_console(admin, app, engine):
    from tests.console.conftest import login

    page = admin.get("/staff").text
    assert "Invite someone" in page
    made = admin.post("/staff/invite", data={"_csrf": admin.csrf, "username": "sam", "role": "reviewer"})
    one_time = re.search(r'<code class="secret">([^<]+)</code>', made.text).group(1)
    newcomer = app.test_client()
    assert login(newcomer, "sam", one_time).status_code == 302
    assert newcomer.get("/conversations").headers["Location"] == "/account/password", "must choose their own"
    reset = admin.post("/staff/change", data={"_csrf": admin.csrf, "username": "sam", "action": "reset"})
    second = re.search(r'<code class="secret">([^<]+)</code>', reset.text).group(1)
    assert second != one_time and newcomer.get("/conversations").status_code == 302, "sessions ended"
    admin.post(
        "/staff/change", data={"_csrf": admin.csrf, "username": "sam", "action": "role", "role": "admin"}
    )
    admin.post("/staff/change", data={"_csrf": admin.csrf, "username": "sam", "action": "disable"})
    assert login(app.test_client(), "sam", second).status_code == 401
    myself = admin.post("/staff/change", data={"_csrf": admin.csrf, "username": "ada", "action": "disable"})
    assert myself.status_code == 400 and "cannot disable your own" in myself.text
    actions = audit_actions(engine)
    assert {"staff_invite", "staff_reset", "staff_role", "staff_disable"} <= set(actions)
    with engine.connect() as conn:
        details = " ".join(str(v) for row in conn.execute(sa.select(schema.audit)) for v in row)
    assert one_time not in details and second not in details, "one-time passwords are never logged"


def test_reviewers_cannot_manage_accounts_and_the_login_page_mentions_no_shell(reviewer, app):
    assert reviewer.get("/staff").status_code == 403
    assert reviewer.post("/staff/invite", data={"_csrf": reviewer.csrf, "username": "x1"}).status_code == 403
    login_page = app.test_client().get("/login").text
    assert "python" not in login_page and "<code>" not in login_page


def test_csv_has_notes_review_and_named_local_times(admin, engine):
    stored(engine)
    admin.post(
        "/conversations/note", data={"_csrf": admin.csrf, "sender_id": "crisis-1", "body": "Rang back"}
    )
    admin.post("/conversations/review", data={"_csrf": admin.csrf, "sender_id": "crisis-1"})
    rows = list(csv.DictReader(io.StringIO(admin.get("/export/conversations.csv?crisis=yes").text)))
    assert "time (Europe/London)" in rows[0] and "reviewed_at (Europe/London)" in rows[0]
    assert all(row["reviewed_by"] == "ada" and "Rang back" in row["conversation_notes"] for row in rows)
    assert all(row["time (Europe/London)"][-6:] in ("+00:00", "+01:00") for row in rows)
