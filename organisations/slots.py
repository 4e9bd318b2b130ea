"""Slots on the organisation home ("Unser Verband") that later apps fill: bookings, coaching, learning, certificates.

An offer app registers a callable once (in its AppConfig.ready):

    from organisations.slots import home_slots
    home_slots.append(my_slot)

`my_slot(*, request, organisation)` returns None (nothing to show) or a dict with "title" and "html"
(already rendered and safe, e.g. from render_to_string). The home page shows the slots in order of
registration; organisations itself never imports the offer apps. A slot renders its template without the
request where the template needs nothing of it: with it, Django runs every context processor once more for each
slot (4 % of the page).
"""

from collections.abc import Callable

home_slots: list[Callable[..., dict | None]] = []
