"""``field__any=[...]``: membership in a list, as one array parameter on PostgreSQL.

``field__in=[500 values]`` is written out as ``IN (%s, %s, …)``: Django prepares each value, psycopg
splits and binds 500 placeholders, and the server parses a new statement for every list length. The
import asks "which of these 500 ID hashes / rooms exist" for every batch; ``= ANY(%s)`` sends the list
as one array. Elsewhere (SQLite) it is exactly ``__in``.
"""

from __future__ import annotations

from django.db.models import Field, ForeignObject, Lookup, Model
from django.db.models.lookups import In


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self):
        prep = self.lhs.output_field.get_prep_value
        values = (v.pk if isinstance(v, Model) else v for v in self.rhs)  # ``building__any=[building, …]``
        return [prep(v) for v in dict.fromkeys(values) if v is not None]

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            return In(self.lhs, self.rhs).as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(v, connection, prepared=True) for v in self.rhs]
        return f"{lhs} = ANY(%s)", [*lhs_params, values]


Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)  # ``building__any=[ids]``: a foreign key's own lookups come from here
