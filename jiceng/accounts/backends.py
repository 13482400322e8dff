"""The authentication backend: Django's ``ModelBackend``, with the user of a logged-in request, its
grants and what a resident's or Party member's scope needs read in one SQL query.

``AuthenticationMiddleware`` calls ``get_user`` on every request that carries a session. Django's
backend reads the user with an ORM query, and the first ``restrict()`` then reads the grants
(``UserScope.for_user``) and, for a resident or Party member, their household or reporting community:
two to four queries, each built by the ORM on every request. Here it is one SQL string, joined, and the
scope is filled from it, so nothing is cached between requests and nothing can be stale: a grant
withdrawn is gone on the next request, as before. Logging in (``authenticate``), permissions and
everything else are Django's. ``test_account_backend.py`` checks the user and scope it builds against
the ORM's for every persona.
"""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.db import DEFAULT_DB_ALIAS, connections, router

from jiceng.party.models import PartyMember
from jiceng.people.models import Resident
from jiceng.territory.models import Area

from .models import User
from .scope import Grant, UserScope


def _query(connection) -> tuple[str, list]:
    """The SQL and, per user column, the ORM's converters for it: built once per connection object (a
    thread's own; the converters are bound to it, as SQLite's datetime converter reads its time zone)."""
    cached = getattr(connection, "_jiceng_user_query", None)
    if cached is not None:
        return cached
    from .models import RoleGrant

    qn = connection.ops.quote_name
    fields = User._meta.concrete_fields
    columns = ", ".join(f"u.{qn(f.column)}" for f in fields)
    sql = (
        f"SELECT {columns}, r.{qn('household_id')}, pm.{qn('report_community_id')},"
        f" g.{qn('role')}, g.{qn('area_id')}, a.{qn('path')}, a.{qn('kind')}, a.{qn('name')}"
        f" FROM {qn(User._meta.db_table)} u"
        f" LEFT JOIN {qn(Resident._meta.db_table)} r ON r.{qn('id')} = u.{qn('resident_id')}"
        f" LEFT JOIN {qn(PartyMember._meta.db_table)} pm ON pm.{qn('id')} = u.{qn('party_member_id')}"
        f" LEFT JOIN {qn(RoleGrant._meta.db_table)} g ON g.{qn('user_id')} = u.{qn('id')}"
        f" LEFT JOIN {qn(Area._meta.db_table)} a ON a.{qn('id')} = g.{qn('area_id')}"
        f" WHERE u.{qn('id')} = %s ORDER BY a.{qn('path')}, g.{qn('id')}"
    )
    # The ORM's own conversions of each column (SQLite's booleans and datetimes, time zones), as its
    # query would apply them: (position, converters, column) for the columns that have any.
    converters = []
    for i, f in enumerate(fields):
        col = f.get_col("u")
        found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if found:
            converters.append((i, found, col))
    connection._jiceng_user_query = cached = (sql, converters)
    return cached


def load_user_with_scope(user_id, using: str = DEFAULT_DB_ALIAS) -> User | None:
    """The user with ``user_id`` and its ``scope`` already filled, in one query; ``None`` if none."""
    connection = connections[using]
    sql, converters = _query(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_id])
        rows = cursor.fetchall()
    if not rows:
        return None
    fields = User._meta.concrete_fields
    n = len(fields)
    first = rows[0]
    values = list(first[:n])
    for i, found, col in converters:
        for converter in found:
            values[i] = converter(values[i], col, connection)
    user = User.from_db(using, [f.attname for f in fields], values)
    grants = [Grant(*row[n + 2 :]) for row in rows if row[n + 2] is not None]
    scope = UserScope.of(user, grants, household_id=first[n], report_community_id=first[n + 1])
    user.__dict__["scope"] = scope  # the cached_property, filled
    return user


class AccountBackend(ModelBackend):
    """``ModelBackend`` whose ``get_user`` is :func:`load_user_with_scope` (one query per request)."""

    def get_user(self, user_id):
        user = load_user_with_scope(user_id, using=router.db_for_read(User))
        return user if user is not None and self.user_can_authenticate(user) else None
