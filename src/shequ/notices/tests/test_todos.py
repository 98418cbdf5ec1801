"""The home page's to-do 待答复的公示异议: community staff count the open objections of their community, and the
link lists exactly those; street officers and other communities get nothing."""

import pytest
from django.urls import reverse

from shequ.core.actors import ResidentActor
from shequ.core.todos import providers
from shequ.notices import services
from shequ.notices.todos import notice_todos

from .conftest import publish

pytestmark = pytest.mark.django_db


def test_open_objections_are_a_to_do_linking_to_exactly_them(client, w):
    notice = publish(w)
    first = services.objection_file(actor=ResidentActor(w["zsf"]), notice=notice, text="充电桩离单元门太近")
    services.objection_file(actor=ResidentActor(w["lisi"]), notice=notice, text="希望增加充电桩数量")
    services.objection_answer(actor=w["cw1"], objection=first, answer="已调整到车棚内侧，远离单元门。")
    [todo] = notice_todos(w["cw1"])
    assert (todo.key, str(todo.label), todo.count) == ("notices.objections", "待答复的公示异议", 1)
    assert todo.url == reverse("notices:objection_list") + "?status=open"
    assert "notices" in providers()  # registered in NoticesConfig.ready()
    client.force_login(w["cw1"])
    assert len(client.get(todo.url).context["rows"]) == 1


def test_others_have_no_notice_to_do(w):
    notice = publish(w)
    services.objection_file(actor=ResidentActor(w["zsf"]), notice=notice, text="充电桩离单元门太近")
    assert notice_todos(w["so1"]) == []
    assert [t.count for t in notice_todos(w["cw2"])] == [0]
