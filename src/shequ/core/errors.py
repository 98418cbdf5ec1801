"""Errors raised by services and selectors; views and the API translate them into responses."""

from django.core.exceptions import ValidationError  # noqa: F401  (re-exported for services)


class NotFound(Exception):
    """The object does not exist or lies outside the actor's scope; both answer the same."""


class PermissionDenied(Exception):
    """The actor may see the object but not perform this action on it."""

    def __init__(self, message: str = "", *, action: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.action = action


class InvalidTransition(Exception):
    """A state machine was asked for a transition its table does not contain."""
