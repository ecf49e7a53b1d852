"""The JSON API: one module per resource, each with its handlers and its part of the
`endpoints` table; the OpenAPI description and request validation derived from that table and
the schemas in `schemas/`; and what every handler shares (`errors`, `caller`, `body`,
`services`, `contract`). Thin: validate, authorise, call `documents/`."""
