"""The seed data the post_migrate reseed uses (leads/seeds.py, opportunities/seeds.py) is the
data the landed migrations created: the two copies must not drift apart."""

from importlib import import_module

from leads import seeds as lead_seeds
from opportunities import seeds as opportunity_seeds


def test_the_lead_sources_reseeded_are_those_the_migration_seeds():
    migration = import_module("leads.migrations.0002_seed_lead_sources")
    assert lead_seeds.DYNAMICS_SOURCES == migration.DYNAMICS_SOURCES


def test_the_base_currency_recreated_is_the_one_the_migration_creates():
    migration = import_module("opportunities.migrations.0002_base_currency")
    assert opportunity_seeds.KNOWN == migration.KNOWN
