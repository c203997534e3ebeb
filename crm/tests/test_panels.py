"""Record panels (crm/panels.py): registered for a model, rendered in order by slot, each with
the context its app gives it; and the pages' panels as the apps register them."""

import pytest
from django.template import Context, Engine
from django.test import RequestFactory

from crm import panels
from crm.panels import panels_for, register_panel
from crm.tests.factories import UserFactory


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(panels, "_panels", {})


def test_panels_render_in_order_within_their_slot(registry, monkeypatch, db):
    def first(context, user):
        return {"n": 1}

    register_panel("crm.User", "second", context=lambda context, user: {"n": 2}, order=20)
    register_panel("crm.User", "first", context=first, order=10)
    register_panel("crm.User", "skipped", context=lambda context, user: None, order=15)
    register_panel("crm.User", "action", context=lambda context, user: {"n": 3}, slot="actions")
    register_panel("crm.User", "first", context=first, order=10)  # ready() again: once

    user = UserFactory()
    assert [p.template for p in panels_for(user)] == ["first", "skipped", "second"]
    assert [p.template for p in panels_for("crm.user", "actions")] == ["action"]

    partials = {
        name: f"{name}={{{{ n }}}}{{{{ page_only|default:'' }}}};"
        for name in ("first", "second", "skipped", "action")
    }
    engine = Engine(
        loaders=[("django.template.loaders.locmem.Loader", partials)],
        libraries={"panels": "crm.templatetags.panels"},
    )

    def render(text, **values):
        context = Context({"request": RequestFactory().get("/"), "page_only": "!", **values})
        return engine.from_string(text).render(context)

    html = render("{% load panels %}{% record_panels user %}", user=user)
    assert html == "first=1;second=2;"  # no page variable leaks into a panel
    assert render('{% load panels %}{% record_panels user "actions" %}', user=user) == "action=3;"


def test_the_pages_show_the_panels_the_higher_apps_register():
    lead = [p.template for p in panels_for("leads.Lead")]
    assert lead == [
        "routing/_explanation_panel.html",
        "scoring/_lead_panel.html",
        "capture/_lead_panel.html",
        "mail/_sent_panel.html",
        "privacy/_consent_panel.html",
        "crm/record/_shares.html",
    ]
    account = [p.template for p in panels_for("accounts.Account")]
    assert account == [
        "opportunities/_customer_panel.html",
        "accounts/_child_accounts.html",
        "leads/_record_leads_panel.html",
        "mail/_sent_panel.html",
        "crm/record/_shares.html",
    ]
    assert [p.template for p in panels_for("accounts.Contact", "actions")] == [
        "privacy/_personal_data_action.html",
        "opportunities/_new_button.html",
        "mail/_send_action.html",
    ]
    assert [p.template for p in panels_for("leads.Lead", "history")] == [
        "activities/_merged_from.html"
    ]
    assert [p.template for p in panels_for("crm.User")] == ["api/_token_section.html"]
