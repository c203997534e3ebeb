"""Receivers the opportunities app connects in its ready()."""


def customer_renamed(sender, instance, created=False, raw=False, **kwargs):
    """post_save of an account or a contact: opportunities are found by their customer's name
    (opportunities.search), so a renamed customer rewrites its opportunities' search text (one
    UPDATE per opportunity whose text changed; nothing when the name stayed)."""
    from opportunities.models import Opportunity

    if created or raw or not getattr(instance, "renamed", False):
        return
    field = instance._meta.model_name  # "account" or "contact"
    deals = Opportunity.objects.filter(**{field: instance}).select_related("account", "contact")
    for deal in deals:
        before = deal.search_text
        deal.refresh_search_text()
        if deal.search_text != before:
            Opportunity.objects.filter(pk=deal.pk).update(search_text=deal.search_text)


def opportunities_moved(pks):
    """A merge moved these opportunities to another customer (activities/merge.py): their
    search text names the new one."""
    from opportunities.models import Opportunity

    for deal in Opportunity.objects.filter(pk__in=pks).select_related("account", "contact"):
        before = deal.search_text
        deal.refresh_search_text()
        if deal.search_text != before:
            Opportunity.objects.filter(pk=deal.pk).update(search_text=deal.search_text)
