"""Included by portal/urls.py (names in the "portal" namespace)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
