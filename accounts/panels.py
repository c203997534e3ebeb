"""The account page's own "child accounts" panel (crm/panels.py), placed among the panels
other apps add: opportunities before it, leads after it."""


def child_accounts(context, account):
    """The children the view loaded (their number counted in the account's own query)."""
    return {
        "account": account,
        "children": context["children"],
        "related_limit": context["related_limit"],
    }
