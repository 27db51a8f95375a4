"""Drills: the site under failure (a database restart) and under growth (query counts).

The world (``worker``, ``board``, ``book``) comes from the root conftest."""
