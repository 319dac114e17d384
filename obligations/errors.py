"""Errors a user can cause, each turned into one line and an exit code at the CLI edge."""


class RegwatchError(Exception):
    """Base class for errors caused by input or configuration, not by a bug."""

    exit_code = 2


class ConfigError(RegwatchError):
    """A settings value, sources file or command argument is invalid."""


class DatabaseError(RegwatchError):
    """The database cannot be reached or is not initialised."""

    exit_code = 3


class InputFileError(RegwatchError):
    """A file given to a command cannot be read or parsed."""


class NotFoundError(RegwatchError):
    """A referenced row (document, obligation, control, user) does not exist."""


class PermissionDeniedError(RegwatchError):
    """The acting user's role does not allow the action."""


class ConflictError(RegwatchError):
    """Somebody else changed the row first; reload and try again."""
