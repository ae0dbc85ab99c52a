"""The web tests read the one demo site (tests/web/site.py) through ``site``, a session fixture
of tests/conftest.py, and thin fixtures of their own over it. The security tests keep their own
fresh store per test, on SQLite and PostgreSQL: they lock accounts, revoke sessions and count
audit lines from nothing.
"""
