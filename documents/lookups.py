"""`in` on an integer column ignores values no such column can hold.

Django's own `exact`, `gt`, `lt`… lookups already treat an integer beyond the column's range
as matching nothing; `in` sends it to the database, where SQLite raises OverflowError (a 500
for `pk__in=[10**25]`, which every ModelMultipleChoiceField runs on what it is given, the
admin's included). Registered on IntegerField, so every integer and auto field has it.
"""

from __future__ import annotations

from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            internal_type = self.lhs.output_field.get_internal_type()
            low, high = connection.ops.integer_field_range(internal_type)
            self.rhs = [value for value in self.rhs if _within(value, low, high)]
        return super().process_rhs(compiler, connection)


def _within(value: object, low: int | None, high: int | None) -> bool:
    if not isinstance(value, int):
        return True
    return (low is None or value >= low) and (high is None or value <= high)


def register() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
