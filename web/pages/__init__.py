"""The HTML pages: their routes (`workshops`: the front page and a workshop's page; `admin`:
the operators' view) and their Jinja2 templates (`templates/`), in the request's language."""
