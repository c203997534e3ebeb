"""Signals the leads app sends. Receivers connect in their AppConfig.ready().

lead_creating -- sent by leads.services.create_lead / create_leads BEFORE the leads are
    inserted, once per call (one signal for a whole import batch):

        lead_creating.send(sender=Lead, leads=[...unsaved Lead objects...],
                           created_by=user, route=bool)

    `leads` are unsaved (no pk). A lead that arrives with an owner (chosen by a person, the
    `owner=` argument, an import's owner column) is not routed: receivers leave it alone. When
    `route` is True the caller asks for the routing rules: a receiver sets `lead.owner` (a
    User or a Team) on each lead that has no owner yet. When `route` is False nothing is
    routed. After the signal every lead still without an owner gets `created_by`, so no lead
    is ever stored without one. Receivers must not save the leads
    (the service inserts them) and should not query per lead (batches can be 1,000 rows).

lead_created -- sent after the insert (inside the transaction), once per call:

        lead_created.send(sender=Lead, leads=[...saved...], created_by=user, route=bool)

    For work that needs the primary keys, e.g. writing the routing explanation.

lead_assigned -- sent after commit whenever a lead gets a new owner (created with an owner,
    assigned by hand, routed):

        lead_assigned.send(sender=Lead, lead=lead, owner=user_or_team,
                           assigned_by=user_or_None, reason="created"|"assigned"|"routed")

    E.g. the notification e-mail to the new owner.

lead_reassigned -- sent inside the transaction when a person gives an existing lead to another
owner by hand (leads.services.assign_lead), after the row is saved:

        lead_reassigned.send(sender=Lead, lead=lead, owner=user_or_team, assigned_by=user)

    E.g. the routing app's record of who assigned the lead (the "why this owner" panel).

leads_imported -- sent once when a (not dry-run) import batch is done, inside the transaction
that marks it done (leads.imports), so a batch finished twice (resumed, raced) sends it once:

        leads_imported.send(sender=ImportBatch, batch=batch, owner_counts={"user id": n})

    `owner_counts`: how many of the batch's new leads each user got. E.g. routing's one
    digest e-mail per owner per import (instead of lead_assigned per lead).
"""

from django.dispatch import Signal

lead_creating = Signal()
lead_created = Signal()
lead_assigned = Signal()
lead_reassigned = Signal()
leads_imported = Signal()
