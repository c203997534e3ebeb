"""The world of the permission matrix (crm/tests/test_permission_matrix.py): two teams with a
rep and a manager each, an administrator, a rep of a third team whom records are shared with,
and for each owner one record of every kind, each named with a marker of its own so a page
that lists a record the persona may not see is caught by its text.

    persona         who                                 sees
    rep             alice, salesperson in North         North's records (her own, the queue's)
    other_rep       carol, salesperson in South         South's records
    manager         maria, manager of North (staff)     North's records; the admin for them
    other_manager   sam, manager of South (staff)       South's records; the admin for them
    admin           ada, superuser                      everything
    shared          dana, salesperson in West           her own, and what is shared with her
    anon            nobody logged in                    nothing (the login page)

The managers are staff, as a manager who keeps web forms in the admin is
(capture/tests/test_permissions.py), so the admin is tested for non-superusers too."""

from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model

from accounts.models import Account, Contact
from activities.models import Activity
from activities.services import add_inquiry, add_note, log_activity
from capture.tests.factories import WebFormFactory
from crm.models import ADMINISTRATOR_GROUP, SALES_MANAGER_GROUP, SALESPERSON_GROUP, Membership
from crm.services import share_record
from crm.tests.factories import MembershipFactory, TeamFactory, UserFactory
from leads.imports.models import ImportBatch
from leads.models import LeadLink, LeadSource
from leads.routing.models import AssignmentRule
from leads.tests.factories import CampaignFactory, make_lead
from opportunities.models import Currency, Opportunity
from scoring.models import ScoringRule

MANAGER = Membership.Role.MANAGER
PERSONAS = ("rep", "other_rep", "manager", "other_manager", "admin", "shared", "anon")

# Who sees the records of each owner (the shares add to this, see World.share).
SEEN_BY = {
    "alice": {"rep", "manager", "admin"},
    "north": {"rep", "manager", "admin"},
    "carol": {"other_rep", "other_manager", "admin"},
    "dana": {"shared", "admin"},
}


@dataclass
class World:
    users: dict = field(default_factory=dict)  # persona -> User (anon: None)
    teams: dict = field(default_factory=dict)
    records: dict = field(default_factory=dict)  # "lead:alice" -> instance
    seen_by: dict = field(default_factory=dict)  # marker -> {persona}
    people_seen_by: dict = field(default_factory=dict)  # a team's or a user's marker
    shared: bool = False

    def __getitem__(self, key) -> Model:
        return self.records[key]

    def invisible_markers(self, persona, *, people=True):
        markers = {**self.seen_by, **self.people_seen_by} if people else self.seen_by
        return [marker for marker, seers in markers.items() if persona not in seers]

    def _add(self, key, record, marker, owner):
        self.records[key] = record
        self.seen_by[marker] = set(SEEN_BY[owner])
        return record


def _member(username, team, group, role=Membership.Role.MEMBER, **extra):
    user = UserFactory(username=username, groups=[group], **extra)
    MembershipFactory(user=user, team=team, role=role)
    return user


def _marker(kind, owner):
    # "MkrLeadAlice": letters only, so the search folds it to itself; no marker is a prefix of
    # another (each ends in its owner's name, and no owner's name starts another's).
    return f"Mkr{kind}{owner.capitalize()}"


def build_world() -> World:
    world = World()
    # Teams and people have markers too: a choice list (an owner select, a report's team
    # filter) names only the user's own teams and their members (crm/forms.py: owners_for).
    north, south, west = (TeamFactory(name=f"Tmk{n}") for n in ("North", "South", "West"))
    world.teams = {"north": north, "south": south, "west": west}
    manager, rep = SALES_MANAGER_GROUP, SALESPERSON_GROUP
    world.users = {
        "rep": _member("alice", north, rep, first_name="Alice", last_name="UmkAlice"),
        "other_rep": _member("carol", south, rep, first_name="Carol", last_name="UmkCarol"),
        "manager": _member(
            "maria",
            north,
            manager,
            MANAGER,
            first_name="Maria",
            last_name="UmkMaria",
            is_staff=True,
        ),
        "other_manager": _member(
            "sam", south, manager, MANAGER, first_name="Sam", last_name="UmkSam", is_staff=True
        ),
        "admin": UserFactory(
            username="ada",
            groups=[ADMINISTRATOR_GROUP],
            is_staff=True,
            is_superuser=True,
            first_name="Ada",
            last_name="UmkAda",
        ),
        "shared": _member("dana", west, rep, first_name="Dana", last_name="UmkDana"),
        "anon": None,
    }
    north_people, south_people = (
        {"rep", "manager", "admin"},
        {"other_rep", "other_manager", "admin"},
    )
    world.people_seen_by = {
        "TmkNorth": north_people,
        "TmkSouth": south_people,
        # dana sees the lead alice shared with her; alice and maria see it is shared with dana
        "TmkWest": {"shared", "admin"},
        "UmkAlice": north_people | {"shared"},
        "UmkMaria": north_people,
        "UmkCarol": south_people,
        "UmkSam": south_people,
        "UmkDana": {"shared", "admin", "rep", "manager"},
        "UmkAda": {"admin"},
    }
    Currency.objects.get_or_create(code="EUR", defaults={"name": "Euro", "symbol": "€"})
    owners = {
        "alice": world.users["rep"],
        "carol": world.users["other_rep"],
        "north": north,
        "dana": world.users["shared"],
    }
    for name, owner in owners.items():
        _records_of(world, name, owner, acting=world.users["rep"] if name == "north" else owner)
    for persona in ("manager", "other_manager"):
        user = world.users[persona]
        name = user.username
        SEEN_BY[name] = {persona, "admin"}
        marker = _marker("Import", name)
        batch = ImportBatch.objects.create(
            file_name=f"{marker}.csv",
            checksum="0" * 64,
            size=10,
            created_by=user,
            status=ImportBatch.Status.DONE,
        )
        batch.error_file.save(f"{marker}-errors.csv", ContentFile(b"line,error\n"), save=True)
        world._add(f"import:{name}", batch, marker, name)
    # dana reads alice's lead and account; what hangs off them (their activities, notes,
    # inquiries) follows the record (activities.models.RegardingQuerySet).
    for key in ("lead:alice", "account:alice"):
        world.records[f"share:{key}"] = share_record(
            record=world[key], by=world.users["rep"], user=world.users["shared"]
        )
    for kind in ("Lead", "Account", "Activity", "Note", "File", "Inquiry"):
        world.seen_by[_marker(kind, "alice")].add("shared")
    world.records["webform"] = WebFormFactory(created_by=world.users["manager"], key="matrix")
    world.records["campaign"] = CampaignFactory(name="Matrix campaign")
    world.records["source"] = LeadSource.objects.create(name="Matrix source")
    world.records["rule"] = AssignmentRule.objects.create(
        name="Matrix rule", priority=1, target_user=world.users["rep"]
    )
    world.records["scoring_rule"] = ScoringRule.objects.create(
        name="Matrix scoring rule", field="country", operator="equals", value="Denmark", points=5
    )
    return world


def _records_of(world, name, owner, acting):
    mk = lambda kind: _marker(kind, name)  # noqa: E731
    lead = make_lead(
        owner=owner,
        created_by=acting,
        last_name=mk("Lead"),
        company_name=f"{mk('Lead')} Ltd",
        email=f"{mk('Lead').lower()}@example.com",
        topic=f"Topic {mk('Lead')}",
    )
    world._add(f"lead:{name}", lead, mk("Lead"), name)
    account = Account(name=mk("Account"), city="Copenhagen")
    account.owner = owner
    account.stamp(acting)
    account.save()
    world._add(f"account:{name}", account, mk("Account"), name)
    contact = Contact(first_name="Kim", last_name=mk("Contact"), account=account)
    contact.owner = owner
    contact.stamp(acting)
    contact.save()
    world._add(f"contact:{name}", contact, mk("Contact"), name)
    opportunity = Opportunity(
        topic=mk("Opportunity"), account=account, currency=Currency.objects.base()
    )
    opportunity.owner = owner
    opportunity.stamp(acting)
    opportunity.save()
    world._add(f"opportunity:{name}", opportunity, mk("Opportunity"), name)
    activity = log_activity(
        regarding=lead,
        user=acting,
        kind=Activity.Kind.TASK,
        data={"subject": mk("Activity")},
        owner=owner,
    )
    world._add(f"activity:{name}", activity, mk("Activity"), name)
    note = add_note(
        regarding=lead,
        user=acting,
        text=mk("Note"),
        upload=SimpleUploadedFile(f"{mk('File')}.txt", b"hello", "text/plain"),
        content_type="text/plain",
    )
    if note.owner != owner:
        note.owner = owner
        note.save()
    world._add(f"note:{name}", note, mk("Note"), name)
    world.seen_by[mk("File")] = set(SEEN_BY[name])
    inquiry = add_inquiry(regarding=account, user=acting, data={"title": mk("Inquiry")})
    if inquiry.owner != owner:
        inquiry.owner = owner
        inquiry.save()
    world._add(f"inquiry:{name}", inquiry, mk("Inquiry"), name)
    world.records[f"link:{name}"] = LeadLink.objects.create(
        lead=lead, account=account, linked_by=acting
    )
