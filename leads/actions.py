"""What other apps add to the lead list: bulk actions, buttons in the bulk bar, and extras in a
row's owner cell (routing adds Claim, "Apply routing rules" and the row's Claim button), so
this app does not import them (STYLE.md: imports point up).

Register from your AppConfig.ready().
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class BulkAction:
    """One choice of the bulk bar's "Action".

    key    the posted value.
    label  shown in the choice list (after the lead app's own actions).
    run    run(request, leads) -> None: carries the action out on the ticked leads and adds
           its messages; the view then goes back to the list.
    pick   which leads may be ticked: "editable" (the user may change them) or "visible"
           (the user sees them: the action itself refuses, and says why).
    """

    key: str
    label: Any
    run: Callable
    pick: str = "editable"
    # confirm(count) -> what will happen, shown before running it ("Claim 3 leads…");
    # None runs at once.
    confirm: Callable | None = None
    # The permission ("app_label.codename") the action needs: without it the action is not
    # offered and the bulk view answers 403.
    permission: str = ""


@dataclass(frozen=True)
class RowExtra:
    """A partial shown in each row's owner cell (it gets `lead`), with the annotations it
    reads: annotate(user) -> {name: expression}, added to the query that reads the page's
    rows (after the page's ids are chosen)."""

    template: str
    annotate: Callable


_actions: dict[str, BulkAction] = {}
_buttons: list[str] = []
_row_extras: list[RowExtra] = []


_automatic_owner_checks: list[Callable] = []


def register_automatic_owner(check: Callable) -> None:
    """check() -> bool: whether a new lead typed in by hand should get its owner from the
    rules by default (routing: an active rule exists)."""
    if check not in _automatic_owner_checks:
        _automatic_owner_checks.append(check)


def automatic_owner_by_default() -> bool:
    return any(check() for check in _automatic_owner_checks)


_owner_previews: list[Callable] = []


def register_owner_preview(preview: Callable) -> None:
    """preview(leads, created_by=user) -> [(owner, routed)]: who each unsaved, ownerless lead
    would get now and whether a rule decided it (routing's dry run; an import's dry run
    says where its rows will go). Writes nothing."""
    if preview not in _owner_previews:
        _owner_previews.append(preview)


def preview_owners(leads: list, *, created_by) -> list[tuple]:
    """[(owner, routed)] per lead: the registered preview's, else the creator's (unrouted)."""
    for preview in _owner_previews:
        return preview(leads, created_by=created_by)
    return [(created_by, False) for _lead in leads]


def register_bulk_action(action: BulkAction) -> None:
    _actions[action.key] = action


def register_bulk_button(template: str) -> None:
    """A partial in the bulk bar, after "Apply": e.g. a submit button with its own
    `formaction`, posting the ticked leads elsewhere."""
    if template not in _buttons:
        _buttons.append(template)


def register_row_extra(extra: RowExtra) -> None:
    if extra not in _row_extras:
        _row_extras.append(extra)


def bulk_actions() -> list[BulkAction]:
    return list(_actions.values())


def bulk_action(key) -> BulkAction | None:
    return _actions.get(key)


def bulk_buttons() -> list[str]:
    return list(_buttons)


def row_extras() -> list[RowExtra]:
    return list(_row_extras)


def row_annotations(user) -> dict:
    return {name: value for extra in _row_extras for name, value in extra.annotate(user).items()}
