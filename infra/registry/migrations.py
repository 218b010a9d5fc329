"""Checks on an Alembic history: shape, reversibility by catalog snapshot, drift, data, time."""

from infra.registry import Check

CHECKS = (
    Check(
        "migrations.single-head",
        "migrations",
        "the history has exactly one head",
        "Two heads mean two branches were merged without a merge revision; `upgrade head` is ambiguous.",
    ),
    Check(
        "migrations.upgrade-from-empty",
        "migrations",
        "an empty database upgrades to head",
        "Every new environment (CI, a developer, a new region) starts from nothing.",
    ),
    Check(
        "migrations.stepwise-roundtrip",
        "migrations",
        "each revision's downgrade restores the catalog exactly as it was before its upgrade",
        "A downgrade that does `pass`, or forgets an index or a constraint, raises nothing: only a "
        "catalog comparison sees it, and the next deploy trips over the leftovers.",
    ),
    Check(
        "migrations.reupgrade-identical",
        "migrations",
        "upgrading again after a downgrade builds the same catalog as the first upgrade",
        "Rollback then roll forward is the normal incident path; it must land on the same schema.",
    ),
    Check(
        "migrations.drift-autogenerate",
        "migrations",
        "models and migrations agree (Alembic autogenerate)",
        "A model change without a migration works in tests built with create_all() and fails in production.",
    ),
    Check(
        "migrations.drift-catalog",
        "migrations",
        "create_all() and upgrade head build the same catalog",
        "Autogenerate does not compare check expressions, operator classes, triggers or comments; "
        "the catalogs do.",
    ),
    Check(
        "migrations.data-survives",
        "migrations",
        "rows inserted before a step are unchanged after it",
        "A migration that rewrites or drops tenants' data passes every schema check.",
    ),
    Check(
        "migrations.history-unchanged",
        "migrations",
        "revisions merged at the base ref are not edited or deleted",
        "Databases that already ran a revision never run it again: editing it forks the schema silently.",
    ),
    Check(
        "budget.migration-time",
        "budgets",
        "upgrade head on an empty database within the seed's 10 s",
        "The seed promises migrations in under 10 seconds; slow migrations block deploys and lock tables.",
    ),
)
