"""Errors a user can meet. Each message says what happened and what to do; no traceback needed."""


class KnowledgeBaseError(Exception):
    exit_code = 1


class BadQuestionError(KnowledgeBaseError):
    exit_code = 2


class ModelMissingError(KnowledgeBaseError):
    exit_code = 3


class IndexMissingError(KnowledgeBaseError):
    exit_code = 3


class IndexInvalidError(KnowledgeBaseError):
    """The index manifest is unreadable or does not match the configured model."""

    exit_code = 3
