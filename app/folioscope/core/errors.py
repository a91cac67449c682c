"""Errors a user can cause, and cancellation. Their message is one sentence shown as is."""


class FolioscopeError(Exception):
    """A problem the user can act on (bad file, missing model). str() is the message."""


class UnreadableFile(FolioscopeError):
    """The file cannot be read: corrupt, encrypted, empty, unsupported or too large."""


class Cancelled(Exception):
    """The user cancelled; never reported as an error."""
