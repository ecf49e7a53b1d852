"""Persistence of documents: an append-only update log plus checkpoints, and the workshops,
share links, versions and forks beside it.

The contracts: `log` (the update log, all `collab` imports of storage), `workshops`,
`lineage`, and `base.Store` (the three over one database). Their SQL implementations are in
`sql/`, one module per database for what differs between SQLite and PostgreSQL; `factory`
chooses them by the database URL. `tables`, `schema`, `migrate`, `legacy` and `migrations/`
manage the schema.

Nothing is imported here, so that importing a contract does not load SQLAlchemy.
"""
