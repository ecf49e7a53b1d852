"""The `verstas` command: every subcommand registered under one typer app."""

from __future__ import annotations

import typer

from web.cli import db, demo, lineage, operator, workshop
from web.cli.serve import serve

app = typer.Typer(help="Verstas: real-time co-development of health and welfare services.")
for name, command in (
    ("fork", lineage.fork_command),
    ("versions", lineage.versions_command),
    ("lineage", lineage.lineage_command),
    ("restore", lineage.restore_command),
    ("pull", lineage.pull_command),
):
    workshop.app.command(name)(command)
app.add_typer(workshop.app, name="workshop")
app.command("operator-token")(operator.operator_token)
app.add_typer(db.app, name="db")
app.command("demo")(demo.demo_command)
app.command()(serve)


@app.callback(no_args_is_help=True)
def main() -> None:
    """Verstas: real-time co-development of health and welfare services."""
