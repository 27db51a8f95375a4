"""``make bench``: Linli under load on this machine (see ``run.py``). Not a test suite: pytest
does not collect this folder."""
