from dataclasses import dataclass

from django.contrib import messages
from django.db.models import F, Func, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.duplicates import account_matches, contact_matches
from accounts.filters import AccountFilter, ContactFilter
from accounts.forms import AccountForm, ContactForm
from accounts.models import Account, Contact
from accounts.services import (
    activate_customer,
    create_customer,
    deactivate_customer,
    deactivation_warnings,
    update_customer,
)
from activities.services import delete_record as delete_customer
from activities.views import delete_page
from crm.errors import DomainError, StaleRecord
from crm.lib.pagination import PAGE_SIZES, list_page, page_size
from crm.permissions import check_permission, editable_or_denied

# Rows each related panel shows (the page passes it to the panels as `related_limit`); the
# page links "see all" past it.
RELATED_LIMIT = 50


def _with_can_edit(queryset, user):
    """Annotate `can_edit` and `can_add` in the same query (no extra round trip per record)."""
    return queryset.with_access(user)


def _count_of(queryset):
    """How many rows `queryset` (correlated through OuterRef) has, as an expression for the
    outer query: SELECT COUNT(*) in a subquery, no GROUP BY, no extra round trip."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _scope_record(request, model, name):
    """The record a list is narrowed to by ?<name>=<pk> (from its page's "see all" link),
    for the list's heading; None when absent or not visible."""
    value = request.GET.get(name, "")
    if not value.isdigit():
        return None
    return model.objects.visible_to(request.user).filter(pk=value).first()


def _filter_data(request):
    """The list's filters; active records only until the user picks otherwise."""
    data = request.GET.copy()
    data.setdefault("is_active", "true")
    return data


def _list_context(request, queryset, *related):
    """The page of the list (the count capped, keyset for deep pages, as the lead list's),
    `related` joined for the page's rows only, and the page size choice."""
    page = list_page(request, queryset, decorate=lambda rows: rows.select_related(*related))
    return {"page": page, "per_page": page_size(request), "page_sizes": PAGE_SIZES}


@dataclass(frozen=True)
class _CustomerPages:
    """The create, edit, deactivate and activate views, written once for accounts and contacts:
    only the model, its form, its template and the words of its messages differ."""

    model: type
    form: type
    template: str
    name: str  # the template's name for the record
    created: str
    saved: str
    deactivated: str
    activated: str
    deleted: str
    list_url: str

    def permission(self, action):
        """The model's permission for `action` (add, change, delete: crm/permissions.py)."""
        return f"accounts.{action}_{self.model._meta.model_name}"

    def create(self, request, form, find_matches):
        """The create page: unless the user chose "save anyway", the records `find_matches`
        (cleaned_data) finds are offered instead; without any, the record is created."""
        check_permission(request.user, self.permission("add"))
        matches = []
        if request.method == "POST" and form.is_valid():
            if "save_anyway" not in request.POST:
                matches = find_matches(form.cleaned_data)
            if not matches:
                record = create_customer(record=form.instance, user=request.user)
                messages.success(request, self.created % {"name": record})
                return redirect(record)
        context = {"form": form, "matches": matches, "creating": True}
        return render(request, self.template, context)

    def edit(self, request, pk):
        record = editable_or_denied(self.model, request.user, pk)
        check_permission(request.user, self.permission("change"))
        form = self.form(request.POST or None, instance=record, user=request.user)
        status = 200
        if request.method == "POST" and form.is_valid():
            try:
                record = update_customer(
                    record=record,
                    user=request.user,
                    data=form.changed_values(),
                    expected_version=form.cleaned_data["expected_version"],
                )
            except StaleRecord as error:
                form.add_error(None, str(error))
                status = 409
            else:
                messages.success(request, self.saved % {"name": record})
                return redirect(record)
        return render(request, self.template, {"form": form, self.name: record}, status=status)

    def deactivate(self, request, pk):
        """GET: the confirmation, with what stays behind (open deals); POST: deactivate."""
        if request.method == "POST":
            return self._set_state(request, pk, deactivate_customer, self.deactivated)
        record = editable_or_denied(self.model, request.user, pk)
        check_permission(request.user, self.permission("change"))
        if not record.is_active:  # a stale tab: say so, as the POST would
            messages.error(request, _("%(record)s is already inactive.") % {"record": record})
            return redirect(record)
        context = {
            "record": record,
            "warnings": deactivation_warnings(record),
            "action": request.path,
        }
        return render(request, "accounts/customer_deactivate.html", context)

    def activate(self, request, pk):
        return self._set_state(request, pk, activate_customer, self.activated)

    def delete(self, request, pk):
        """GET: the confirmation (what goes with it, or why it stays); POST: delete it with
        the reason typed there (administrators: the delete permission)."""
        record = editable_or_denied(self.model, request.user, pk)
        check_permission(request.user, self.permission("delete"))
        return delete_page(
            request,
            record,
            delete=lambda reason: delete_customer(record=record, user=request.user, reason=reason),
            done=self.deleted % {"name": record},
            back=self.list_url,
            template="accounts/customer_delete.html",
        )

    def _set_state(self, request, pk, service, done):
        record = editable_or_denied(self.model, request.user, pk)
        check_permission(request.user, self.permission("change"))
        try:
            record = service(record=record, user=request.user)
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, done % {"name": record})
        return redirect(record)


ACCOUNT = _CustomerPages(
    Account,
    AccountForm,
    "accounts/account_form.html",
    "account",
    created=gettext_lazy("Account %(name)s created."),
    saved=gettext_lazy("Account %(name)s saved."),
    deactivated=gettext_lazy("Account %(name)s deactivated."),
    activated=gettext_lazy("Account %(name)s activated."),
    deleted=gettext_lazy("Account %(name)s deleted."),
    list_url="accounts:account_list",
)
CONTACT = _CustomerPages(
    Contact,
    ContactForm,
    "accounts/contact_form.html",
    "contact",
    created=gettext_lazy("Contact %(name)s created."),
    saved=gettext_lazy("Contact %(name)s saved."),
    deactivated=gettext_lazy("Contact %(name)s deactivated."),
    activated=gettext_lazy("Contact %(name)s activated."),
    deleted=gettext_lazy("Contact %(name)s deleted."),
    list_url="accounts:contact_list",
)


@require_http_methods(["GET"])
def account_list(request):
    filterset = AccountFilter(
        _filter_data(request),
        queryset=Account.objects.visible_to(request.user).order_by("name", "pk"),
        request=request,
    )
    return render(
        request,
        "accounts/account_list.html",
        {
            "filter": filterset,
            **_list_context(request, filterset.qs, "owner_user", "owner_team"),
            "parent": _scope_record(request, Account, "parent_account"),
        },
    )


@require_http_methods(["GET"])
def account_detail(request, pk):
    user = request.user
    # The related panels show RELATED_LIMIT rows each; the totals (for "see all N") are
    # counted in the account's own query, so the page's query count stays fixed. The
    # opportunities and leads panels are other apps' (accounts/apps.py: record panels).
    accounts = _with_can_edit(Account.objects.visible_to(user), user).annotate(
        contact_count=_count_of(Contact.objects.visible_to(user).filter(account=OuterRef("pk"))),
        child_count=_count_of(
            Account.objects.visible_to(user).filter(parent_account=OuterRef("pk"))
        ),
    )
    account = get_object_or_404(
        accounts.select_related("owner_user", "owner_team", "parent_account", "modified_by"), pk=pk
    )
    contacts = account.contacts.visible_to(user).order_by("last_name", "first_name")
    children = account.child_accounts.visible_to(user).order_by("name", "pk")
    return render(
        request,
        "accounts/account_detail.html",
        {
            "account": account,
            "contacts": contacts[:RELATED_LIMIT],
            "children": children[:RELATED_LIMIT],
            "related_limit": RELATED_LIMIT,
        },
    )


@require_http_methods(["GET", "POST"])
def account_create(request):
    def matches(data):
        return account_matches(
            user=request.user,
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            website=data["website"],
        )

    form = AccountForm(request.POST or None, user=request.user)
    return ACCOUNT.create(request, form, matches)


# Edit, deactivate and activate (Dynamics SetState to Active again; same rights as
# deactivating): the same views for accounts and contacts (_CustomerPages).
account_edit = require_http_methods(["GET", "POST"])(ACCOUNT.edit)
account_deactivate = require_http_methods(["GET", "POST"])(ACCOUNT.deactivate)
account_activate = require_POST(ACCOUNT.activate)
account_delete = require_http_methods(["GET", "POST"])(ACCOUNT.delete)


@require_http_methods(["GET"])
def contact_list(request):
    filterset = ContactFilter(
        _filter_data(request),
        queryset=Contact.objects.visible_to(request.user).order_by(
            "last_name", "first_name", "pk"
        ),
        request=request,
    )
    return render(
        request,
        "accounts/contact_list.html",
        {
            "filter": filterset,
            **_list_context(request, filterset.qs, "account", "owner_user", "owner_team"),
            "account": _scope_record(request, Account, "account"),
        },
    )


@require_http_methods(["GET"])
def contact_detail(request, pk):
    user = request.user
    # Its opportunities and leads are other apps' panels (accounts/apps.py: record panels).
    contacts = _with_can_edit(Contact.objects.visible_to(user), user)
    contact = get_object_or_404(
        contacts.select_related("owner_user", "owner_team", "account", "modified_by"), pk=pk
    )
    return render(
        request,
        "accounts/contact_detail.html",
        {"contact": contact, "related_limit": RELATED_LIMIT},
    )


@require_http_methods(["GET", "POST"])
def contact_create(request):
    def matches(data):
        return contact_matches(
            user=request.user,
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            phones=[data["business_phone"], data["mobile_phone"]],
            account=data["account"],
        )

    initial = {}
    account_id = request.GET.get("account", "")
    if request.method == "GET" and account_id.isdigit():
        initial["account"] = Account.objects.visible_to(request.user).filter(pk=account_id).first()
    form = ContactForm(request.POST or None, user=request.user, initial=initial)
    return CONTACT.create(request, form, matches)


contact_edit = require_http_methods(["GET", "POST"])(CONTACT.edit)
contact_deactivate = require_http_methods(["GET", "POST"])(CONTACT.deactivate)
contact_activate = require_POST(CONTACT.activate)
contact_delete = require_http_methods(["GET", "POST"])(CONTACT.delete)
