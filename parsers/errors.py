"""The one error a parser raises for a document it cannot read."""


class DocumentError(ValueError):
    """The document cannot be turned into text; the message says why, in one line."""
