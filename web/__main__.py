"""`python -m web` is the `verstas` command, for environments without the console script."""

from web.cli.main import app

app()
