"""`field__any_of=[ids]`: membership in a literal list, as one array parameter on PostgreSQL.

Django's `__in` writes one placeholder per value (`id IN (%s, %s, …)`). The visibility scope
writes the ids shared with a user into every query it filters (crm.models.OwnedQuerySet), and
a rep with a few thousand shared records then sent queries with thousands of placeholders:
psycopg splits the query text at each one, about 6 ms per query at 2,600 ids, several times a
page. On PostgreSQL this lookup is `id = ANY(%s)` with the list as one array (the same plan:
the btree serves `= ANY`); elsewhere it is `__in`.
"""

from django.db import models
from django.db.models.lookups import In


@models.Field.register_lookup
class AnyOf(In):
    lookup_name = "any_of"

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = [self.lhs.output_field.get_db_prep_value(v, connection) for v in self.rhs]
        values = [v for v in values if v is not None]
        return f"{lhs} = ANY(%s)", (*lhs_params, values)


# Foreign keys keep lookups of their own (owner_user_id__any_of).
models.ForeignObject.register_lookup(AnyOf)
