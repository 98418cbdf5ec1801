"""Parts of the case pages that apps above cases contribute: sections of the case page, buttons of the queue.

cases names none of those apps. An app registers a template for a slot in its `AppConfig.ready()`; the page
includes the slot's templates in the order they were registered, each with the page's own context (`case`,
`request`, …), and decides itself whether it shows anything. With nothing registered the slot is empty.
"""

CASE_PANELS = "case_panels"  # sections at the end of the case page, after the photos
QUEUE_ACTIONS = "queue_actions"  # buttons in the work queue's header, after 诉求办理指标

_SLOTS: dict[str, list[str]] = {CASE_PANELS: [], QUEUE_ACTIONS: []}


def register(slot: str, template_name: str) -> None:
    """Include `template_name` in `slot` (once, however often it is registered); an unknown slot is a KeyError."""
    names = _SLOTS[slot]
    if template_name not in names:
        names.append(template_name)


def templates(slot: str) -> tuple[str, ...]:
    """The templates registered for `slot`, in registration order."""
    return tuple(_SLOTS[slot])
