"""Alembic environment: migrations run on the connection regwatch hands over."""

from alembic import context
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import obligations.models  # noqa: F401

config = context.config
target_metadata = SQLModel.metadata


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    """Leave alone tables regwatch does not own (e.g. APScheduler's job store)."""
    return not (type_ == "table" and reflected and compare_to is None)


def run_migrations() -> None:
    """Run on a passed-in connection, or on a new engine from the config URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            include_object=include_object,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as new_connection:
        context.configure(
            connection=new_connection,
            target_metadata=target_metadata,
            include_object=include_object,
            render_as_batch=new_connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
