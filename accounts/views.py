from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.duplicates import account_matches, contact_matches
from accounts.filters import AccountFilter, ContactFilter
from accounts.forms import AccountForm, ContactForm
from accounts.models import Account, Contact
from accounts.services import (
    activate_customer,
    create_customer,
    deactivate_customer,
    update_customer,
)
from crm.errors import DomainError, StaleRecord

PAGE_SIZE = 25
RELATED_LIMIT = 50


def _opportunities():
    """Opportunity, through the reverse relation: opportunities builds on accounts, so this
    app does not import it."""
    return Account._meta.get_field("opportunities").related_model.objects


def _with_can_edit(queryset, user):
    """Annotate `can_edit` in the same query (no extra round trip per record)."""
    editable = queryset.model.objects.editable_by(user).filter(pk=OuterRef("pk"))
    return queryset.annotate(can_edit=Exists(editable))


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


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@require_http_methods(["GET"])
def account_list(request):
    accounts = Account.objects.visible_to(request.user).select_related("owner_user", "owner_team")
    filterset = AccountFilter(
        _filter_data(request),
        queryset=accounts.order_by("name", "pk"),
        request=request,
    )
    return render(
        request,
        "accounts/account_list.html",
        {
            "filter": filterset,
            "page": _page(request, filterset.qs),
            "parent": _scope_record(request, Account, "parent_account"),
        },
    )


@require_http_methods(["GET"])
def account_detail(request, pk):
    user = request.user
    # The related panels show RELATED_LIMIT rows each; the totals (for "see all N") are
    # counted in the account's own query, so the page's query count stays fixed.
    accounts = _with_can_edit(Account.objects.visible_to(user), user).annotate(
        contact_count=_count_of(Contact.objects.visible_to(user).filter(account=OuterRef("pk"))),
        opportunity_count=_count_of(
            _opportunities().visible_to(user).filter(account=OuterRef("pk"))
        ),
        child_count=_count_of(
            Account.objects.visible_to(user).filter(parent_account=OuterRef("pk"))
        ),
    )
    account = get_object_or_404(
        accounts.select_related("owner_user", "owner_team", "parent_account", "modified_by"), pk=pk
    )
    contacts = account.contacts.visible_to(user).order_by("last_name", "first_name")
    opportunities = account.opportunities.visible_to(user).select_related("currency")
    children = account.child_accounts.visible_to(user).order_by("name", "pk")
    return render(
        request,
        "accounts/account_detail.html",
        {
            "account": account,
            "contacts": contacts[:RELATED_LIMIT],
            "opportunities": opportunities.order_by("state", "-created_at")[:RELATED_LIMIT],
            "children": children[:RELATED_LIMIT],
            "related_limit": RELATED_LIMIT,
        },
    )


@require_http_methods(["GET", "POST"])
def account_create(request):
    form = AccountForm(request.POST or None, user=request.user)
    matches = []
    if request.method == "POST" and form.is_valid():
        if "save_anyway" not in request.POST:
            data = form.cleaned_data
            matches = account_matches(
                user=request.user,
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                website=data["website"],
            )
        if not matches:
            account = create_customer(record=form.instance, user=request.user)
            messages.success(request, _("Account %(name)s created.") % {"name": account})
            return redirect(account)
    return render(
        request, "accounts/account_form.html", {"form": form, "matches": matches, "creating": True}
    )


@require_http_methods(["GET", "POST"])
def account_edit(request, pk):
    account = get_object_or_404(Account.objects.editable_by(request.user), pk=pk)
    form = AccountForm(request.POST or None, instance=account, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            account = update_customer(
                record=account,
                user=request.user,
                data=form.changed_values(),
                expected_version=form.cleaned_data["expected_version"],
            )
        except StaleRecord as error:
            form.add_error(None, str(error))
            status = 409
        else:
            messages.success(request, _("Account %(name)s saved.") % {"name": account})
            return redirect(account)
    return render(
        request, "accounts/account_form.html", {"form": form, "account": account}, status=status
    )


@require_POST
def account_deactivate(request, pk):
    account = get_object_or_404(Account.objects.editable_by(request.user), pk=pk)
    try:
        account = deactivate_customer(record=account, user=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Account %(name)s deactivated.") % {"name": account})
    return redirect(account)


@require_POST
def account_activate(request, pk):
    """Reactivate an inactive account (Dynamics SetState to Active); same rights as
    deactivating."""
    account = get_object_or_404(Account.objects.editable_by(request.user), pk=pk)
    try:
        account = activate_customer(record=account, user=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Account %(name)s activated.") % {"name": account})
    return redirect(account)


@require_http_methods(["GET"])
def contact_list(request):
    contacts = Contact.objects.visible_to(request.user).select_related(
        "account", "owner_user", "owner_team"
    )
    filterset = ContactFilter(
        _filter_data(request),
        queryset=contacts.order_by("last_name", "first_name", "pk"),
        request=request,
    )
    return render(
        request,
        "accounts/contact_list.html",
        {
            "filter": filterset,
            "page": _page(request, filterset.qs),
            "account": _scope_record(request, Account, "account"),
        },
    )


@require_http_methods(["GET"])
def contact_detail(request, pk):
    user = request.user
    # The contact's opportunities: as the customer, or as the contact person at an account.
    its_opportunities = (
        _opportunities()
        .visible_to(user)
        .filter(Q(contact=OuterRef("pk")) | Q(parent_contact=OuterRef("pk")))
    )
    contacts = _with_can_edit(Contact.objects.visible_to(user), user).annotate(
        opportunity_count=_count_of(its_opportunities)
    )
    contact = get_object_or_404(
        contacts.select_related("owner_user", "owner_team", "account", "modified_by"), pk=pk
    )
    opportunities = (
        _opportunities()
        .visible_to(user)
        .filter(Q(contact=contact) | Q(parent_contact=contact))
        .select_related("currency")
    )
    return render(
        request,
        "accounts/contact_detail.html",
        {
            "contact": contact,
            "opportunities": opportunities.order_by("state", "-created_at")[:RELATED_LIMIT],
            "related_limit": RELATED_LIMIT,
        },
    )


@require_http_methods(["GET", "POST"])
def contact_create(request):
    initial = {}
    account_id = request.GET.get("account", "")
    if request.method == "GET" and account_id.isdigit():
        initial["account"] = Account.objects.visible_to(request.user).filter(pk=account_id).first()
    form = ContactForm(request.POST or None, user=request.user, initial=initial)
    matches = []
    if request.method == "POST" and form.is_valid():
        if "save_anyway" not in request.POST:
            data = form.cleaned_data
            matches = contact_matches(
                user=request.user,
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                phones=[data["business_phone"], data["mobile_phone"]],
                account=data["account"],
            )
        if not matches:
            contact = create_customer(record=form.instance, user=request.user)
            messages.success(request, _("Contact %(name)s created.") % {"name": contact})
            return redirect(contact)
    return render(
        request, "accounts/contact_form.html", {"form": form, "matches": matches, "creating": True}
    )


@require_http_methods(["GET", "POST"])
def contact_edit(request, pk):
    contact = get_object_or_404(Contact.objects.editable_by(request.user), pk=pk)
    form = ContactForm(request.POST or None, instance=contact, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            contact = update_customer(
                record=contact,
                user=request.user,
                data=form.changed_values(),
                expected_version=form.cleaned_data["expected_version"],
            )
        except StaleRecord as error:
            form.add_error(None, str(error))
            status = 409
        else:
            messages.success(request, _("Contact %(name)s saved.") % {"name": contact})
            return redirect(contact)
    return render(
        request, "accounts/contact_form.html", {"form": form, "contact": contact}, status=status
    )


@require_POST
def contact_deactivate(request, pk):
    contact = get_object_or_404(Contact.objects.editable_by(request.user), pk=pk)
    try:
        contact = deactivate_customer(record=contact, user=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Contact %(name)s deactivated.") % {"name": contact})
    return redirect(contact)


@require_POST
def contact_activate(request, pk):
    """Reactivate an inactive contact; same rights as deactivating."""
    contact = get_object_or_404(Contact.objects.editable_by(request.user), pk=pk)
    try:
        contact = activate_customer(record=contact, user=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Contact %(name)s activated.") % {"name": contact})
    return redirect(contact)
