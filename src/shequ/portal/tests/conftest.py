"""Fixtures shared by the portal tests: the sign-in fixtures of test_portal (tree, resident, SMS outbox)."""

from shequ.portal.tests.test_portal import deliver, household, outbox, resident, tree, worker  # noqa: F401
