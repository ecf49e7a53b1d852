"""The HTTP side: app wiring, settings, the CLI, pages and the JSON API."""
