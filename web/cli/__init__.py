"""The `verstas` command (`main`) and its subcommands, one module per group: `serve`, `db`,
`workshop`, `lineage` (fork, versions, lineage, restore, pull under `workshop`), `operator`
(operator-token); `common` holds what the database commands share."""
