"""The routing app's reactions to the leads app's signals (connected in apps.py)."""

from leads.routing import services


def route_creating_leads(sender, leads, created_by, route, **kwargs):
    """lead_creating: owners from the rules table for leads nobody chose an owner for."""
    if route:
        services.route_new_leads(leads=leads, created_by=created_by)


def explain_created_leads(sender, leads, created_by, route, **kwargs):
    """lead_created: the explanations need the leads' primary keys."""
    if route:
        services.write_explanations(leads=leads, performed_by=created_by)


def notify_assigned_owner(sender, lead, owner, assigned_by, reason, **kwargs):
    """lead_assigned (after commit): an e-mail to the new owner."""
    services.notify_new_owner(lead=lead, owner=owner, assigned_by=assigned_by, reason=reason)


def explain_assignment(sender, lead, owner, assigned_by, **kwargs):
    """lead_reassigned (in the transaction): record who gave the lead to whom."""
    services.explain_assignment(lead=lead, owner=owner, assigned_by=assigned_by)
