"""Errors the services raise; the views and the API turn them into Chinese messages and HTTP codes."""

from django.core.exceptions import PermissionDenied, ValidationError

__all__ = ["OutOfScope", "PermissionDenied", "ValidationError", "Conflict"]


class OutOfScope(PermissionDenied):
    """The target node lies outside the actor's subtree."""

    def __init__(self, message: str = "目标不在您的管辖范围内，操作被拒绝。"):
        super().__init__(message)


class Conflict(Exception):
    """The object changed under the actor (e.g. a transition no longer allowed)."""


def join_messages(messages) -> str:
    """Several Chinese messages as one sentence: "甲；乙。", never "甲。；乙。" (each message is a sentence)."""
    parts = [str(m).strip().rstrip("。；") for m in messages]
    parts = [p for p in parts if p]
    return "；".join(parts) + "。" if parts else ""
