"""Workbench home: the day's work of the actor (the to-dos every app registers with `core.todos`).

Grid and micro-grid workers work on a phone: their home is the grid work page. Leaders (community Party
secretary, street and district officers) also see their figures; territory counts live on the territory page.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shequ.accounts.domain import Role
from shequ.cases.figures import is_leader
from shequ.core.permissions import can
from shequ.core.scoping import scope_of
from shequ.core.todos import todos_for

PHONE_ROLES = frozenset({Role.GRID_WORKER, Role.MICRO_GRID_WORKER})


def works_on_phone(user: Any) -> bool:
    """Whether every role the user holds is a grid or micro-grid worker's (their home is the phone page)."""
    roles = scope_of(user).roles
    return bool(roles) and roles <= PHONE_ROLES


def has_phone_page(user: Any) -> bool:
    """Whether the user holds a grid or micro-grid worker's role (the menu offers the phone page)."""
    return scope_of(user).has_role(*PHONE_ROLES)


def _next_steps(user: Any) -> list[tuple[Any, str]]:
    """What the role can do when nothing is waiting: (label, url) of its main pages."""
    steps = []
    if can(user, "cases.submit"):
        steps.append((_("登记诉求"), reverse("cases:case_create")))
    if can(user, "cases.view"):
        steps.append((_("查看辖区内全部诉求"), reverse("cases:case_queue") + "?tab=all"))
    if can(user, "territory.view"):
        steps.append((_("浏览辖区"), reverse("territory:browser")))
    if can(user, "registry.view"):
        steps.append((_("查询居民信息"), reverse("registry:resident_list")))
    return steps


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if works_on_phone(user):
        return redirect("cases:grid_home")
    context = {
        "todos": todos_for(user),
        "next_steps": _next_steps(user),
        "show_leader_figures": is_leader(user),
    }
    return render(request, "web/home.html", context)


def data_note(request: HttpRequest) -> HttpResponse:
    return render(request, "web/data_note.html")
