"""The one signal for "the preview does not model this": raised, reported, never guessed."""

from __future__ import annotations


class NotSimulated(Exception):
    """A step whose result the preview does not model; the message says which and why.

    The simulator stops the record's path there and reports the message as an
    ``unknown`` note, so every prediction it does print is one it can stand by.
    """
