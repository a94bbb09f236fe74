"""The one error the archive raises for a user to read."""


class ArchiveError(Exception):
    """The archive cannot be opened or used as asked; the message says why, in one line."""
