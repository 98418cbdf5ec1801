"""Arguments of the coordination write services for web/tests/test_write_services.py (objects of community c1 of
registry's make_world, built directly: no actor check while building)."""

import datetime as dt
from collections.abc import Callable
from typing import Any


def _unit(w: Any) -> Any:
    from shequ.organisations.models import Unit

    return Unit.objects.create(kind="residents_committee", name="联席测试居委会", area=w["c1"])


def _role(w: Any) -> Any:
    from shequ.coordination.models import ActorRole

    return ActorRole.objects.create(community=w["c1"], unit=_unit(w), responsibilities="组织居民自治")


def _meeting(w: Any) -> Any:
    from shequ.coordination.models import JointMeeting
    from shequ.organisations.models import Unit

    convener = Unit.objects.create(kind="party_committee", name="联席测试党委", area=w["c1"])
    return JointMeeting.objects.create(
        community=w["c1"], convened_by=convener, held_on=dt.date(2025, 3, 1), topic="议题", minutes="纪要"
    )


def _follow_up(w: Any) -> Any:
    from shequ.coordination.models import FollowUp

    return FollowUp.objects.create(meeting=_meeting(w), text="议定事项")


def coordination_arguments(once: Callable[[str, Callable[[Any], Any]], Callable[[Any], Any]]) -> dict[str, Any]:
    from shequ.coordination import services as s

    follow_up = {"follow_up": once("coordination_follow_up", _follow_up)}
    return {
        "shequ.coordination.services.role_save": {
            "community": lambda w: w["c1"],
            "unit": once("coordination_unit", _unit),
            "data": lambda w: s.RoleInput(responsibilities="协助开展工作"),
        },
        "shequ.coordination.services.contact_reveal": {
            "role": once("coordination_role", _role),
            "reason": lambda w: "通知开会",
        },
        "shequ.coordination.services.meeting_record": {
            "community": lambda w: w["c1"],
            "data": lambda w: s.MeetingInput(held_on=dt.date(2025, 3, 1), topic="议题", minutes="纪要"),
        },
        "shequ.coordination.services.follow_up_add": {
            "meeting": once("coordination_meeting", _meeting),
            "data": lambda w: s.FollowUpInput(text="补充事项"),
        },
        "shequ.coordination.services.follow_up_complete": {
            **follow_up,
            "done_on": lambda w: dt.date(2025, 3, 2),
            "result": lambda w: "已办结",
        },
        "shequ.coordination.services.follow_up_to_case": follow_up,
        "shequ.coordination.services.follow_up_to_proposal": follow_up,
    }
