"""Response rendering that fills in the practice's details.

Answers in YAML say ``{practice_phone}`` rather than a number, so another practice deploys
the assistant by editing ``practice.yml`` (or the environment), never the answers. This runs
inside the Rasa server, so the phone line and the crisis lines render even when the action
server is down. Enabled in ``endpoints.yml`` under ``nlg: type: bot.nlg.PracticeResponseGenerator``.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import settings
from bot.alerts import hook as alerts


class PracticeResponseGenerator(TemplatedNaturalLanguageGenerator):
    """Rasa's templated responses, with practice settings available as template values."""

    def __init__(
        self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None
    ) -> None:
        domain = domain or Domain.empty()
        super().__init__(domain.responses)
        self.practice_values = settings.practice().template_values()

    async def generate(
        self,
        utter_action: Text,
        tracker: DialogueStateTracker,
        output_channel: Text,
        **kwargs: Any,
    ) -> Optional[Dict[Text, Any]]:
        # Slots and explicit kwargs win over practice defaults, as in Rasa's own generator.
        values = {**self.practice_values, **kwargs}
        alerts.on_response(utter_action, tracker, output_channel)  # the duty alert, in the background
        return await super().generate(utter_action, tracker, output_channel, **values)
