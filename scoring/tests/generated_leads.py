"""A generated history of closed leads whose qualification depends on two fields, the source
and the country; every other field the model reads is drawn at random. The report and the
command tests train on it and check that the model finds those two fields."""

import random

from leads.models import Lead, LeadSource, State, Status

# The chance a lead qualifies, by (from the partner source, in Denmark): the source moves it
# more than the country, so neither middle group is a coin toss (ties would cap the AUC).
QUALIFICATION_CHANCE = {
    (True, True): 0.99,
    (True, False): 0.73,
    (False, True): 0.27,
    (False, False): 0.01,
}
CITIES = ["Aarhus", "Odense", "Aalborg", "Esbjerg"]
JOB_TITLES = ["CEO", "CFO", "Buyer", "Engineer"]
RATINGS = ["hot", "warm", "cold"]


def _lead(rng, number, *, owner, sources, state, partner, danish):
    lead = Lead(
        last_name=f"Person {number}",
        company_name=f"Company {number}",
        email=f"person{number}@example.com",
        business_phone=rng.choice(["", "+45 70 80 90 10"]),
        source=sources[0] if partner else sources[1],
        country="Denmark" if danish else "Germany",
        city=rng.choice(CITIES),
        job_title=rng.choice(JOB_TITLES),
        industry=rng.choice([1, 2, 3, 4]),
        rating=rng.choice(RATINGS),
        budget_status=rng.choice([0, 1, 2, 3]),
        need=rng.choice([0, 1, 2, 3]),
        decision_maker=rng.random() < 0.5,
        do_not_email=rng.random() < 0.2,
        do_not_phone=rng.random() < 0.2,
        state=state,
        status={
            State.OPEN: Status.NEW,
            State.QUALIFIED: Status.QUALIFIED,
            State.DISQUALIFIED: Status.LOST,
        }[state],
        owner_user=owner,
    )
    lead.refresh_keys()
    return lead


def make_sources():
    """(the source whose leads qualify more often, the other)."""
    return (
        LeadSource.objects.create(name="Partner referral"),
        LeadSource.objects.create(name="Bought list"),
    )


def generate_leads(*, owner, closed=800, open_=0, seed=1):
    """Store `closed` qualified or disqualified leads and `open_` open ones; return the
    number of qualified."""
    rng = random.Random(seed)
    two_sources = make_sources()
    leads, qualified = [], 0
    for number in range(closed + open_):
        partner, danish = rng.random() < 0.5, rng.random() < 0.5
        if number < closed:
            is_qualified = rng.random() < QUALIFICATION_CHANCE[(partner, danish)]
            qualified += is_qualified
            state = State.QUALIFIED if is_qualified else State.DISQUALIFIED
        else:
            state = State.OPEN
        leads.append(
            _lead(
                rng,
                number,
                owner=owner,
                sources=two_sources,
                state=state,
                partner=partner,
                danish=danish,
            )
        )
    Lead.objects.bulk_create(leads, batch_size=500)
    return qualified


def few_closed_leads(*, owner, count=5):
    """Too few closed leads to learn from: alternately qualified and disqualified."""
    rng = random.Random(1)
    two_sources = make_sources()
    Lead.objects.bulk_create(
        [
            _lead(
                rng,
                number,
                owner=owner,
                sources=two_sources,
                state=State.QUALIFIED if number % 2 else State.DISQUALIFIED,
                partner=True,
                danish=True,
            )
            for number in range(count)
        ]
    )
