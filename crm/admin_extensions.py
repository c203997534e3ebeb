"""Admin extensions: a higher app adds actions and inlines to a lower app's model admin
(routing adds "Apply routing rules" and the assignment history to the lead admin), without
the lower app importing it and without patching the registered admin.

The higher app calls `extend_admin(...)` from its admin.py (Django imports every admin.py
when the site starts); a model admin that inherits `ExtensibleAdmin` reads them on each
request.
"""

from django.contrib import admin

_actions: dict[str, list] = {}
_inlines: dict[str, list] = {}


def _label(model) -> str:
    return model.lower() if isinstance(model, str) else model._meta.label_lower


def extend_admin(model, *, actions=(), inlines=()):
    """Add admin `actions` (functions) and `inlines` (InlineModelAdmin classes) to the admin
    of `model` (a model class or "app_label.ModelName")."""
    for registry, added in ((_actions, actions), (_inlines, inlines)):
        entries = registry.setdefault(_label(model), [])
        entries.extend(item for item in added if item not in entries)


class ExtensibleAdmin(admin.ModelAdmin):
    """A model admin other apps extend: its own actions are `base_actions` (instead of
    `actions`), the registered ones follow; its inlines are followed by the registered ones."""

    base_actions: list = []

    @property
    def actions(self):
        return [*self.base_actions, *_actions.get(_label(self.model), [])]

    def get_inlines(self, request, obj):
        return [*super().get_inlines(request, obj), *_inlines.get(_label(self.model), [])]
