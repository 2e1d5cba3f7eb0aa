"""What other domains keep about an event's registrants, erased together with the registrations.

Anonymising an event (retention/services.py) erases what the registration and mail
domains hold. A domain that keeps more personal data about registrants (passport
details for visa letters, say) registers an eraser here:

    from eventsys.retention.erasers import register_eraser

    @register_eraser
    def erase_passport_data(event_id: int) -> None:
        '''Forget the passport details given for the event's visa letters.'''
        db.session.execute(sa.update(VisaRequest).where(VisaRequest.event_id == event_id).values(...))

Rules for an eraser:
- it is called with the event id, inside the anonymisation's transaction and after
  the event's row is claimed: it only writes in `db.session` and never commits or
  rolls back. If it raises, nothing of the anonymisation is written, and the next
  run tries again;
- it runs once per event (the event is marked anonymised in the same transaction),
  but should still be harmless if run twice;
- it keeps what the yearly exchange report counts (countries, categories, numbers)
  and erases the rest.

Register at import time of a module the app always imports (the domain's models
module, which `eventsys.models` imports, or a module imported from `create_app`), so
that the web app, the worker and `flask` commands all know the eraser. Registering
the same function again (each test builds an app) changes nothing.
"""

from collections.abc import Callable

Eraser = Callable[[int], object]

#: module.qualname → eraser, in the order they were registered
_erasers: dict[str, Eraser] = {}


def register_eraser(eraser: Eraser) -> Eraser:
    """Have anonymisation call eraser(event_id) in its transaction; usable as a decorator."""
    _erasers[f"{eraser.__module__}.{eraser.__qualname__}"] = eraser
    return eraser


def registered_erasers() -> list[Eraser]:
    """The erasers other domains registered, in registration order."""
    return list(_erasers.values())


def run_erasers(event_id: int) -> None:
    """Call every registered eraser with the event id (inside the caller's transaction)."""
    for eraser in registered_erasers():
        eraser(event_id)


def forget_eraser(eraser: Eraser) -> None:
    """Stop calling eraser (a test's own, once the test is over)."""
    _erasers.pop(f"{eraser.__module__}.{eraser.__qualname__}", None)
