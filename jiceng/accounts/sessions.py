"""The session engine: Django's database sessions, with the read every request makes written once.

``SESSION_ENGINE = "jiceng.accounts.sessions"``. Saving, expiry, ``clearsessions`` and the cookie are
Django's (``django.contrib.sessions.backends.db``); only the lookup of a session by its key is one
SQL string instead of a query the ORM builds on every logged-in request.
``test_scope_and_session_loading.py`` checks it answers what Django's store answers for live, expired, unknown and
tampered sessions.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        key = self.session_key
        model = self.model
        row = None
        if key:
            connection = connections[router.db_for_read(model)]
            qn = connection.ops.quote_name
            now = connection.ops.adapt_datetimefield_value(timezone.now())
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {qn('session_data')} FROM {qn(model._meta.db_table)}"
                    f" WHERE {qn('session_key')} = %s AND {qn('expire_date')} > %s",
                    [key, now],
                )
                row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django's store: a new key is made when the session is saved
            return None
        return model(session_key=key, session_data=row[0])
