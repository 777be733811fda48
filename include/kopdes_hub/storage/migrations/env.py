"""Alembic environment: runs on the connection ``store.migrate`` hands over, or on ``sqlalchemy.url``."""

from alembic import context
from sqlalchemy import Connection, create_engine

from include.kopdes_hub.storage.store import Base

target_metadata = Base.metadata
config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copy
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    with create_engine(str(config.get_main_option("sqlalchemy.url"))).connect() as conn:
        _run(conn)
