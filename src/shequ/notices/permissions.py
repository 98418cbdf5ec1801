"""Registered actions of notices (see docs/permissions.md)."""
