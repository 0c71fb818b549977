"""Errors a user can meet. Each message says what happened and what to do; no traceback needed.

The classes form one hierarchy and each carries the exit code the CLI ends with (README, "The
staff CLI"): 1 any other knowledge-base error, 2 bad input (a question, a question file, a file
that does not exist), 3 setup missing or stale (model, index), 4 the corpus cannot be loaded.
Callers decide by class, never by number.
"""


class KnowledgeBaseError(Exception):
    exit_code = 1


class BadInputError(KnowledgeBaseError):
    """What the user gave cannot be used."""

    exit_code = 2


class BadQuestionError(BadInputError):
    """The question itself is unusable (empty, unknown topic)."""


class QuestionFileError(BadInputError, ValueError):
    """A question file (JSON lines with a "question" field) cannot be read; names file and line."""


class SetupError(KnowledgeBaseError):
    """Something `make` provides is missing or does not match; the message names the target."""

    exit_code = 3


class ConfigError(SetupError):
    """A setting (an environment variable) has a value the knowledge base cannot use."""


class ModelMissingError(SetupError):
    pass


class IndexMissingError(SetupError):
    pass


class IndexInvalidError(SetupError):
    """The index manifest is unreadable or does not match the configured model."""


class CorpusError(KnowledgeBaseError, ValueError):
    """The corpus folder holds something that cannot be loaded; the message says what and where."""

    exit_code = 4
