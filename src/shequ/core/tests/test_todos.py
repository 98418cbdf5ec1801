"""The to-do registry (core.todos): providers are asked in registration order, the most urgent items first."""

import pytest

from shequ.core import todos
from shequ.core.todos import Todo, Urgency


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for the test; the apps' own providers come back afterwards."""
    monkeypatch.setattr(todos, "_PROVIDERS", {})
    return todos


def test_items_with_work_come_most_urgent_first_then_in_registration_order(registry):
    """Counts of 0 are left out; overdue before due today before waiting, registration order within each."""
    registry.register_todo("a", lambda actor: [Todo("a.wait", "A", 2, "/a"), Todo("a.none", "A0", 0, "/a0")])
    registry.register_todo(
        "b",
        lambda actor: [
            Todo("b.late", "B", 1, "/b", Urgency.OVERDUE, "受理"),
            Todo("b.today", "T", 3, "/t", Urgency.TODAY),
        ],
    )
    registry.register_todo("c", lambda actor: [Todo("c.late", "C", 4, "/c", Urgency.OVERDUE)])
    assert [(t.key, t.count) for t in registry.todos_for(object())] == [
        ("b.late", 1),
        ("c.late", 4),
        ("b.today", 3),
        ("a.wait", 2),
    ]
    assert registry.providers() == ("a", "b", "c")


def test_a_provider_gets_the_actor_and_a_key_registered_again_replaces_its_provider(registry):
    """The actor is passed through; registering a key twice keeps one provider, the latest."""
    seen = []
    registry.register_todo("x", lambda actor: [Todo("x", "X", 1, "/x")])
    registry.register_todo("x", lambda actor: seen.append(actor) or [Todo("x2", "X", 5, "/x")])
    actor = object()
    assert [(t.key, t.count) for t in registry.todos_for(actor)] == [("x2", 5)]
    assert seen == [actor] and registry.providers() == ("x",)


def test_nothing_registered_means_no_todos(registry):
    assert registry.todos_for(object()) == []


def test_the_apps_register_their_providers():
    """cases, disputes, registry and analysis add theirs in AppConfig.ready()."""
    assert {"cases", "disputes", "registry", "analysis"} <= set(todos.providers())
