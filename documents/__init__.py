"""The workshop domain: document model, storage, versions, forks and lineage."""
