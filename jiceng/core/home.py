"""What the personal home pages offer, declared by the apps that own the pages.

A Party member's home (我的党员信息), a unit liaison's and a resident's are built by ``dashboards``,
which sits above every app; the apps add their entries here in their ``AppConfig.ready()``::

    register_home_link("party_member", "我可认领", "needs:need_claimable", hint="居民的微心愿，认领后办理")

Audiences: ``party_member``, ``unit_liaison``, ``resident``. Entries keep ``order``, then registration order.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

AUDIENCES = ("party_member", "unit_liaison", "resident")


@dataclass(frozen=True)
class HomeLink:
    audience: str
    label: str
    url_name: str
    hint: str = ""
    order: int = 100

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_links: list[HomeLink] = []


def register_home_link(audience: str, label: str, url_name: str, *, hint: str = "", order: int = 100) -> None:
    if audience not in AUDIENCES:
        raise ImproperlyConfigured(f"unknown home audience {audience!r} (one of {AUDIENCES})")
    link = HomeLink(audience, label, url_name, hint, order)
    if link not in _links:
        _links.append(link)


def home_links(audience: str) -> list[HomeLink]:
    """The entries of ``audience``'s home, in ``order``."""
    return sorted((link for link in _links if link.audience == audience), key=lambda link: link.order)
