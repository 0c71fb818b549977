"""rasa-sdk custom actions: thin adapters from a Rasa tracker to knowledge_base (a later issue)."""
