"""SMS and WhatsApp through Twilio against the running server: signed form posts in, Messages API out."""

import uuid

import pytest

from bot.channels.rendering import NUMBER_PROMPT
from bot.channels.signatures import twilio_signature
from bot.settings import practice
from tests.support.platform_bot import PUBLIC_URL, handoff_links, normalise

pytestmark = pytest.mark.model

SMS_NUMBER, WHATSAPP_NUMBER = "+447700900000", "whatsapp:+14155238886"


def form(sender, text, to=SMS_NUMBER, sid=None):
    """The fields Twilio posts for an incoming message (a representative subset)."""
    sid = sid or f"SM{uuid.uuid4().hex}"  # Twilio's ids are unique per message
    fields = {
        "ToCountry": "GB",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "SmsSid": sid,
        "SmsStatus": "received",
        "Body": text,
        "To": to,
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": "AC00000000000000000000000000000000",
        "From": sender,
        "ApiVersion": "2010-04-01",
    }
    if sender.startswith("whatsapp:"):
        fields.update(ProfileName="Sam", WaId=sender.split("+")[1])
    return fields


def send(platforms, channel, fields, url=None, signature=None):
    url = url or f"{PUBLIC_URL}/webhooks/{channel}/webhook"
    if signature is None:
        signature = twilio_signature(platforms.env["TWILIO_AUTH_TOKEN"], url, fields)
    return platforms.post(channel, data=fields, headers={"X-Twilio-Signature": signature})


def bodies_to(platforms, recipient):
    return [c.body for c in platforms.fake.calls("twilio", "Messages.json") if c.body["To"] == recipient]


def test_sms_offers_numbered_topics_and_a_number_gets_that_answer(platforms):
    sender = "+447700900101"
    response = send(platforms, "sms", form(sender, "hello"))
    assert response.status_code == 200 and "<Response>" in response.text
    [greeting] = bodies_to(platforms, sender)
    assert greeting["From"] == SMS_NUMBER
    assert "automated assistant" in greeting["Body"]
    assert "1. What is psychodynamic therapy?\n2. What happens in a session?" in greeting["Body"]
    assert greeting["Body"].endswith(NUMBER_PROMPT)

    send(platforms, "sms", form(sender, "1", sid="SM0002"))
    answer = bodies_to(platforms, sender)[1]["Body"]
    on_the_web, web_buttons = platforms.rest_reply("sms-web-1", "What is psychodynamic therapy?")
    # The web's "Tell me more" button becomes the answer's numbered option 1 in the SMS.
    assert web_buttons == [{"title": "Tell me more", "payload": "/faq_more"}]
    assert answer.endswith(f"\n\n1. Tell me more\n\n{NUMBER_PROMPT}")
    assert normalise(answer) == f"{on_the_web} 1. Tell me more {NUMBER_PROMPT}"

    send(platforms, "sms", form(sender, "1"))  # now picks that answer's option 1
    stored = platforms.user_events(sender)
    assert [e["input_channel"] for e in stored] == ["sms", "sms", "sms"]
    assert stored[1]["text"] == "What is psychodynamic therapy?"
    assert stored[1]["metadata"]["typed"] == "1" and stored[1]["metadata"]["picked_option"] == 1
    assert stored[2]["text"] == "/faq_more"
    assert stored[2]["metadata"]["typed"] == "1" and stored[2]["metadata"]["picked_option"] == 1


def test_a_number_with_no_options_offered_is_just_a_message(platforms):
    sender = "+447700900102"
    send(platforms, "sms", form(sender, "thank you"))  # a reply with no options and no question
    send(platforms, "sms", form(sender, "1", sid="SM0003"))
    assert platforms.user_events(sender)[-1]["text"] == "1"


def test_crisis_numbers_arrive_as_plain_text_not_links(platforms):
    sender = "+447700900103"
    send(platforms, "sms", form(sender, "I want to kill myself"))
    [reply] = bodies_to(platforms, sender)
    assert "Call Samaritans 116 123" in reply["Body"] and "tel:" not in reply["Body"]
    assert NUMBER_PROMPT not in reply["Body"]


def test_a_leading_slash_does_not_get_past_the_crisis_safety_net(platforms):
    sender = "+447700900106"
    send(platforms, "sms", form(sender, "/I want to kill myself"))
    assert practice().crisis_samaritans in bodies_to(platforms, sender)[0]["Body"]


def test_forged_or_misaddressed_requests_are_refused_and_nothing_is_stored(platforms):
    sender = "+447700900199"
    assert send(platforms, "sms", form(sender, "hello"), signature="").status_code == 403
    assert send(platforms, "sms", form(sender, "hello"), signature="bm90IGEgc2lnbmF0dXJl").status_code == 403
    # Signed for the address the server sees rather than the public one Twilio calls: refused.
    local = f"{platforms.bot.rasa_url}/webhooks/sms/webhook"
    assert send(platforms, "sms", form(sender, "hello"), url=local).status_code == 403
    # Signed for SMS, replayed to WhatsApp: refused.
    fields = form(sender, "hello")
    signature = twilio_signature(
        platforms.env["TWILIO_AUTH_TOKEN"], f"{PUBLIC_URL}/webhooks/sms/webhook", fields
    )
    assert send(platforms, "whatsapp", fields, signature=signature).status_code == 403
    assert platforms.event_count(sender) == 0 and bodies_to(platforms, sender) == []


def test_a_long_sms_answer_is_split_within_1600_characters(platforms):
    sender = "+447700900104"
    send(platforms, "sms", form(sender, "i want to talk to a person"))
    parts = [b["Body"] for b in bodies_to(platforms, sender)]
    assert len(parts) > 1 and all(len(p) <= 1600 for p in parts)
    on_the_web = platforms.rest_answer("sms-web-2", "i want to talk to a person")
    # SMS adds the callback request as option 1 (CALLBACK_KEY is set; the web has its menu).
    assert (
        normalise(" ".join(parts)) == f"{on_the_web} {handoff_links()} 1. Request a callback {NUMBER_PROMPT}"
    )


def test_whatsapp_replies_from_the_whatsapp_sender_with_numbered_topics(platforms):
    sender = "whatsapp:+447700900105"
    send(platforms, "whatsapp", form(sender, "hi there", to=WHATSAPP_NUMBER))
    [greeting] = bodies_to(platforms, sender)
    assert greeting["From"] == WHATSAPP_NUMBER and "2. What happens in a session?" in greeting["Body"]

    send(platforms, "whatsapp", form(sender, "2", to=WHATSAPP_NUMBER, sid="SM0005"))
    answer = bodies_to(platforms, sender)[1]["Body"]
    assert normalise(answer) == platforms.rest_answer("wa-web-1", "What happens in a session?")
    assert [e["input_channel"] for e in platforms.user_events(sender)] == ["whatsapp", "whatsapp"]


def test_a_replayed_signed_message_is_handled_once(platforms):
    """Issue 16, F12: the same validly signed request posted twice is answered and stored once."""
    sender = "+447700900188"
    fields = form(sender, "what is psychodynamic therapy?")
    assert send(platforms, "sms", fields).status_code == 200
    answered, stored = len(bodies_to(platforms, sender)), platforms.event_count(sender)
    replay = send(platforms, "sms", fields)
    assert replay.status_code == 200 and "<Response>" in replay.text
    assert len(bodies_to(platforms, sender)) == answered and platforms.event_count(sender) == stored
