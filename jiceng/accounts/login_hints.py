"""What the login page lists while ``DEBUG`` is on: the demo accounts and their password.

The demo app registers them in its ``AppConfig.ready()`` (:func:`register_demo_accounts`), so accounts
names no demo code; without a registration the page lists nothing.
"""

from __future__ import annotations

_accounts: list[tuple[str, str]] = []
_password: str = ""


def register_demo_accounts(accounts, password: str) -> None:
    """``accounts``: (username, who they are) pairs, listed in this order; ``password``: theirs."""
    global _accounts, _password
    _accounts, _password = list(accounts), password


def demo_accounts() -> tuple[list[tuple[str, str]], str]:
    return _accounts, _password
