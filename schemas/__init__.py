"""The JSON Schema files beside this module; a package so that an installed Verstas has them."""
