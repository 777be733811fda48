"""Where data lives: the lake's layout and its one atomic writer (``lake``), gold partitions (``gold``), the published
schemas (``schemas``), the SQL store and its models (``store``) and the store's Alembic migrations."""
