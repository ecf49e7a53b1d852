"""Alembic migrations of the SQL schema; run them with `verstas db upgrade` (see `schema.py`)."""
