"""The history manager the portal's audited models use (bookings, organisations, memberships, coaching cases):
`HistoricalRecords(history_manager=KeptHistoryManager)`.

simple_history reaches a model's history through a descriptor that asks `from_queryset()` for the manager's
class on every access, and every save of an audited row accesses it once; Django's `from_queryset()` makes a new
class each time, copying the queryset's methods (inspect.getmembers over QuerySet): about 1,100 Python calls of
each booking. The class depends on nothing but the two classes, so it is made once per process here.
"""

from simple_history.manager import HistoryManager


class KeptHistoryManager(HistoryManager):
    _classes: dict = {}

    @classmethod
    def from_queryset(cls, queryset_class, class_name=None):
        key = (cls, queryset_class, class_name)
        made = KeptHistoryManager._classes.get(key)
        if made is None:
            made = KeptHistoryManager._classes[key] = super().from_queryset(queryset_class, class_name)
        return made
