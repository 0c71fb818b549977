"""Start the action server on 127.0.0.1 in one process (`python -m actions.server`).

rasa-sdk's own launcher binds 0.0.0.0 and spawns a worker process that would load the model a
second time; this one serves the same app from a single process on the configured address.
"""
from __future__ import annotations

import argparse
import logging
import sys

from rasa_sdk import Action
from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor

from knowledge_base.config import get_settings
from knowledge_base.threads import limit_numeric_threads
from shared_state.env import SettingError

from .answer_policy import ActionAnswerPolicy
from .config import ActionSettings
from .eligibility_form import (ActionCorrectAnswer, ActionEligibilityVerdict,
                               ActionResetEligibility, ValidateReinvestmentEligibilityForm)
from .handoff import ActionHandoff
from .kb_service import KnowledgeBaseService


def all_actions(kb: KnowledgeBaseService) -> list[Action]:
    """Every custom action of domain.yml, made with what it needs.

    rasa-sdk's register_package() would make each Action subclass itself, without arguments; its
    register_action() also takes instances, so the service reaches the actions that search by
    their constructor instead of a module global: importing `actions` loads nothing, and a test
    hands an action a service over its own knowledge base.
    """
    return [ActionAnswerPolicy(kb), ActionHandoff(kb.settings), ActionEligibilityVerdict(),
            ActionResetEligibility(), ActionCorrectAnswer(),
            ValidateReinvestmentEligibilityForm()]


def create_executor(kb: KnowledgeBaseService) -> ActionExecutor:
    executor = ActionExecutor()
    for action in all_actions(kb):
        executor.register_action(action)
    return executor


def main(argv=None) -> None:
    try:
        # Every setting of the process is read (and a bad one refused) before anything starts.
        settings = ActionSettings()
        kb_settings = get_settings()
    except SettingError as exc:
        sys.exit(f"action server not started: {exc}")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.port)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.threads_per_search:
        limit_numeric_threads(settings.threads_per_search)
    service = KnowledgeBaseService(settings, kb_settings)
    if settings.preload:
        service.preload()
    app = create_app(create_executor(service), cors_origins=None)
    app.run(host=args.host, port=args.port, single_process=True, access_log=False,
            motd=False)


if __name__ == "__main__":
    main()
