"""The store's contracts (documents.store.log, .workshops, .lineage) in SQL: what SQLite and
PostgreSQL share, and a module of its own for each (`sqlite`, `postgres`), which
documents.store.factory chooses by the database URL."""
