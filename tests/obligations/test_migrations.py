"""The schema comes only from Alembic revisions, and they match the models."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from obligations import db


def test_migrations_match_the_models(database_url: str) -> None:
    with db.get_engine(database_url).connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_init_twice_changes_nothing(database_url: str) -> None:
    engine = db.get_engine(database_url)
    tables_before = sorted(inspect(engine).get_table_names())
    revision = db.upgrade_database(database_url)
    assert revision == "0001" or revision
    assert sorted(inspect(engine).get_table_names()) == tables_before
    assert {"document", "documentversion", "obligation", "control", "auditevent"} <= set(
        tables_before
    )
