"""Registered actions of deliberation (see docs/permissions.md)."""
