"""Errors the services raise; the views and the API turn them into Chinese messages and HTTP codes."""

from django.core.exceptions import PermissionDenied, ValidationError

__all__ = ["OutOfScope", "PermissionDenied", "ValidationError", "Conflict"]


class OutOfScope(PermissionDenied):
    """The target node lies outside the actor's subtree."""

    def __init__(self, message: str = "目标不在您的管辖范围内，操作被拒绝。"):
        super().__init__(message)


class Conflict(Exception):
    """The object changed under the actor (e.g. a transition no longer allowed)."""
