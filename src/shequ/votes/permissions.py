"""Registered actions of votes (see docs/permissions.md)."""
