"""Record panels: higher apps add sections to a lower app's record page.

The lead page shows routing's "why this owner" and capture's web-form panel, an account page
its opportunities and leads, without the page's app knowing those apps (STYLE.md: imports
point up). An app registers its panels from its AppConfig.ready(); the page's template says
where they go with `{% load panels %}{% record_panels record %}` (or a named slot:
`{% record_panels record "actions" %}`), and they render there in `order`.

A panel may run queries, but a fixed number of them: the page's query count must not grow
with the rows it shows.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model


@dataclass(frozen=True)
class Panel:
    """One section of a record page.

    template  the partial that renders it.
    context   context(template_context, record) -> dict, the partial's whole context (it
              does not see the page's); None from it leaves the panel out. Without one, the
              partial gets `record` and `request`.
    order     lower first, among the panels of one slot.
    slot      where on the page: "main" (the page's body) or another name the page renders.
    """

    template: str
    context: Callable | None = None
    order: int = 100
    slot: str = "main"


_panels: dict[str, list[tuple[int, int, Panel]]] = {}


def _label(model) -> str:
    if isinstance(model, str):
        return model.lower()
    return model._meta.label_lower  # a model, an instance, or a lazy request.user


def register_panel(model, template, *, context=None, order=100, slot="main"):
    """Show `template` on the pages of `model` (a model class or "app_label.ModelName").
    Call from AppConfig.ready()."""
    panels = _panels.setdefault(_label(model), [])
    panel = Panel(template, context, order, slot)
    if any(entry[2] == panel for entry in panels):
        return  # registered already (ready() ran again)
    panels.append((order, len(panels), panel))
    panels.sort(key=lambda entry: entry[:2])


def panels_for(record: Model | type[Model] | str, slot: str = "main") -> list[Panel]:
    """The panels of `record`'s model in `slot`, in order."""
    return [panel for _, _, panel in _panels.get(_label(record), []) if panel.slot == slot]
