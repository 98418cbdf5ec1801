"""Deliberation objects for tests, made through the services."""

import datetime
from typing import Any

from django.utils import timezone

from shequ.deliberation import services


def council(actor: Any, community: Any, residents: list[Any], *, name: str = "居民议事会", term_end: Any = None) -> Any:
    """A residents' council of `community` whose members are `residents` (the first is chair), terms from 2024."""
    body = services.body_create(actor=actor, community=community, kind="residents_council", name=name)
    for i, r in enumerate(residents):
        services.member_add(
            actor=actor,
            body=body,
            data=services.MemberInput(
                role="chair" if i == 0 else "member",
                term_start=datetime.date(2024, 1, 1),
                term_end=term_end,
                resident=r,
            ),
        )
    return body


def meeting(actor: Any, body: Any, *, title: str = "第一次议事会议") -> Any:
    data = services.MeetingInput(title=title, held_at=timezone.now(), place="社区议事厅")
    return services.meeting_create(actor=actor, body=body, data=data)


def make_case(w):
    """A complaint of compound1, registered by the community worker of c1."""
    from shequ.cases import services as cases
    from shequ.core.tests.calendar_seed import seed_calendar

    seed_calendar()
    data = cases.CaseInput(
        case_type="complaint",
        title="楼道堆放杂物",
        description="三单元楼道堆满纸箱，影响通行",
        channel="staff",
        building=w["b1"],
        reporter=w["zsf"],
        reporter_name="张三丰",
        reporter_mobile="13812345678",
    )
    return cases.case_submit(actor=w["registrar1"], data=data)
