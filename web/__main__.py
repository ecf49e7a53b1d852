"""`python -m web` is the `verstas` command, for environments without the console script."""

from web.cli import app

app()
