"""The `lang` entity: the language of each user message, found inside Rasa's NLU pipeline.

Rasa fills the `lang` slot from this entity (a `from_entity` mapping), so no second call to the
action server is needed per message: the slot-mapping validation action used to cost a round
trip and a parse of the whole tracker on the action server for every message (issue 12's
profile). A message whose language says nothing (digits, emoji, a third language) carries no
entity, so the slot keeps the conversation's language; button payloads (`/intent`) never reach
the pipeline and keep it too.
"""
from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from knowledge_base.language import message_language

ENTITY = "lang"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageEntityExtractor(GraphComponent, EntityExtractorMixin):
    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LanguageEntityExtractor":
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            lang = message_language(text)
            if lang is None:
                continue
            entity = {"entity": ENTITY, "value": lang, "start": 0, "end": len(text)}
            message.set(ENTITIES, message.get(ENTITIES, []) + self.add_extractor_name([entity]),
                        add_to_output=True)
        return messages
