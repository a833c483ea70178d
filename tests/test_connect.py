"""Connecting: refused credentials are refused again without a login, so the server never locks the user."""

from __future__ import annotations

from dataclasses import replace

import pytest

from graph.errors import UserError
from graph.store.db import connect


def test_a_wrong_password_does_not_lock_the_user_for_everyone(neo4j_settings):
    # Neo4j locks a user for a while after 3 failed logins in a row (dbms.security.auth_max_failed_attempts),
    # for every client: a page that reconnected on each rerun with a stale password locked out the rest.
    wrong = replace(neo4j_settings, password="a-stale-password")
    for _ in range(6):
        with pytest.raises(UserError, match="refused user 'neo4j'.*no new login is tried"):
            connect(wrong)
    right = connect(neo4j_settings)  # the server saw one failed login, not six: the user is not locked
    assert right.read("RETURN 1 AS one") == [{"one": 1}]
    right.close()
