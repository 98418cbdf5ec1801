"""Bulk triage in 待分拣: tick cases, review what will happen to each, confirm; every case goes through
`case_triage` (permission and scope per case, timeline note and audit record per case), skipped cases are
reported with the reason, and the action is a CSRF-protected POST limited to TRIAGE_BULK_LIMIT cases."""

import uuid

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shequ.accounts.tests.factories import staff
from shequ.cases import services, triage
from shequ.cases.models import Case, CaseTransition, Category
from shequ.core.errors import ValidationError
from shequ.core.models import AuditRecord
from shequ.territory.tests.factories import make_tree

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_data")]
BULK = reverse("cases:triage_bulk")
QUEUE = reverse("cases:case_queue")
TRIAGE_TAB = QUEUE + "?tab=triage"


@pytest.fixture
def _data(calendar, categories):
    with override_settings(SHEQU_CLASSIFIER_MIN_CONFIDENCE=0.99):  # every suggestion waits for a person
        yield


@pytest.fixture
def t():
    return make_tree()


@pytest.fixture
def cw(t):
    return staff("community_worker", t["c1"])


def _cat(name: str) -> Category:
    return Category.objects.get(name=name, code__startswith="S")


def _submit(t, actor, title, description, *, building="b1"):
    data = services.CaseInput(
        case_type="complaint", title=title, description=description, channel="staff", building=t[building]
    )
    case = services.case_submit(actor=actor, data=data)
    case.refresh_from_db()
    return case


@pytest.fixture
def waiting(t, cw):
    """Three c1 cases waiting in 待分拣 with rule suggestions: 乱停乱放, 装修噪音, 垃圾清运."""
    cases = [
        _submit(t, cw, "乱停车", "小区门口有人乱停车"),
        _submit(t, cw, "装修吵", "楼上邻居装修，电钻声音噪音太大"),
        _submit(t, cw, "垃圾没人收", "垃圾桶满了好几天没人清运，垃圾堆发臭", building="b2"),
    ]
    assert [(c.needs_triage, c.category_id) for c in cases] == [(True, None)] * 3
    assert [c.suggested_category.name for c in cases] == ["乱停乱放", "装修噪音", "垃圾清运"]
    return cases


def _post(client, cases, *, step, mode="suggested", category="", note="", follow=False, next_url=TRIAGE_TAB):
    data = {
        "case": [str(c.public_id) if hasattr(c, "public_id") else str(c) for c in cases],
        "mode": mode,
        "category": category,
        "note": note,
        "step": step,
        "next": next_url,
    }
    return client.post(BULK, data, follow=follow)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_triage_tab_offers_checkboxes_select_all_and_the_suggestions(client, cw, waiting):
    """待分拣 shows a checkbox per case, a select-all box for the page, each suggestion with its confidence, the
    bulk form posting with a CSRF token, and the hint shown while nothing is ticked."""
    client.force_login(cw)
    body = client.get(QUEUE, {"tab": "triage"}).content.decode()
    for case in waiting:
        assert f'name="case" value="{case.public_id}"' in body
    assert 'aria-label="全选本页"' in body
    assert "社区事务 › 停车管理 › 乱停乱放（85%）" in body
    assert f'action="{BULK}"' in body and "csrfmiddlewaretoken" in body
    assert "请先勾选要分拣的诉求（勾选表头的复选框可全选本页）。" in body
    other_tab = client.get(QUEUE, {"tab": "all"}).content.decode()
    assert 'name="case"' not in other_tab and "批量分拣" not in other_tab


def test_triage_tab_reads_a_page_in_a_fixed_number_of_queries(client, t, cw, waiting):
    """Suggestion paths come with the cases: six more waiting cases add no query to the page."""
    client.force_login(cw)
    client.get(QUEUE, {"tab": "triage"})  # warm caches (calendar, permissions)
    with CaptureQueriesContext(connection) as three:
        client.get(QUEUE, {"tab": "triage"})
    for i in range(6):
        _submit(t, cw, f"乱停车{i}", "小区门口有人乱停车")
    with CaptureQueriesContext(connection) as nine:
        response = client.get(QUEUE, {"tab": "triage"})
    assert len(response.context["page"].object_list) == 9
    assert len(nine) == len(three)


def test_review_lists_what_will_happen_and_changes_nothing(client, cw, waiting):
    """Step 1 answers a page listing each ticked case with the category it will get; nothing is written."""
    client.force_login(cw)
    response = _post(client, waiting, step="review")
    assert response.status_code == 200
    body = response.content.decode()
    assert "批量分拣确认" in body
    assert "将确认分类 3 件，跳过 0 件。" in body
    assert "确认分拣 3 件" in body
    for case in waiting:
        assert case.tracking_number in body
        assert f'<input type="hidden" name="case" value="{case.public_id}">' in body
    assert body.count('<span class="status status-ok">将设为</span>') == 3 and "社区事务 › 噪音 › 装修噪音" in body
    assert not Case.objects.filter(needs_triage=False).exists()
    assert not CaseTransition.objects.filter(event="triage").exists()
    assert not AuditRecord.objects.filter(action="cases.triaged").exists()


def test_confirm_sets_each_suggestion_with_a_timeline_note_and_an_audit_record(client, cw, waiting):
    """Step 2 confirms each case's own suggestion through case_triage: category set, out of 待分拣, a timeline
    note saying it was a bulk triage, one audit record per case; back to the page it came from with the count."""
    client.force_login(cw)
    back = TRIAGE_TAB + "&text=%E4%B9%B1"
    response = _post(client, waiting, step="confirm", note="周一集中分拣", next_url=back)
    assert response.status_code == 302 and response["Location"] == back
    response = client.get(back)
    numbers = "、".join(c.tracking_number for c in waiting)
    assert _messages(response) == [f"已确认分类 3 件：{numbers}"]
    for case in waiting:
        suggested = case.suggested_category
        case.refresh_from_db()
        assert (case.needs_triage, case.category_id) == (False, suggested.pk)
        step = CaseTransition.objects.get(case=case, event="triage")
        assert step.note == f"分类：{suggested.name}\n批量分拣：周一集中分拣"
        record = AuditRecord.objects.get(action="cases.triaged", object_id=str(case.public_id))
        assert (record.actor_id, record.before, record.after) == (
            cw.pk,
            {"category": "", "needs_triage": True},
            {"category": suggested.code, "needs_triage": False},
        )
    assert client.get(QUEUE, {"tab": "triage"}).context["page"].object_list == []


def test_one_chosen_category_is_set_on_all_ticked_cases(client, cw, waiting):
    """统一设为: the chosen category on every ticked case, whatever its suggestion; the others stay waiting."""
    client.force_login(cw)
    chosen = _cat("车位纠纷")
    review = _post(client, waiting[:2], step="review", mode="chosen", category=str(chosen.public_id))
    assert "分拣方式：统一设为“社区事务 › 停车管理 › 车位纠纷”" in review.content.decode()
    response = _post(client, waiting[:2], step="confirm", mode="chosen", category=str(chosen.public_id), follow=True)
    assert _messages(response)[0].startswith("已确认分类 2 件：")
    assert list(Case.objects.filter(category=chosen).order_by("id")) == waiting[:2]
    waiting[2].refresh_from_db()
    assert (waiting[2].needs_triage, waiting[2].category_id) == (True, None)


def test_chosen_mode_needs_a_category(client, cw, waiting):
    """统一设为 without a category goes back with the reason; nothing changes."""
    client.force_login(cw)
    response = _post(client, waiting, step="confirm", mode="chosen", follow=True)
    assert _messages(response) == ["请选择要统一设置的分类"]
    assert not Case.objects.filter(needs_triage=False).exists()


def test_skipped_cases_are_reported_with_the_reason_and_left_unchanged(client, t, cw, waiting):
    """Between review and confirm another dispatcher triages one case; another case is of c2 (outside the scope)
    and one id is garbage: one confirmed, the triaged one skipped with the reason, two counted as not found."""
    other = _submit(t, staff("community_worker", t["c2"]), "乱停车", "小区门口有人乱停车", building="b3")
    ticked = [waiting[0], waiting[1], other, "not-a-case"]
    client.force_login(cw)
    review = _post(client, ticked, step="review").content.decode()
    assert "将确认分类 2 件，跳过 0 件。" in review
    assert "2 件未找到（不存在或不在您的辖区内），将跳过。" in review
    assert other.tracking_number not in review
    services.case_triage(actor=staff("community_secretary", t["c1"]), case=waiting[1], category=_cat("夜间噪音"))

    response = _post(client, ticked, step="confirm", follow=True)

    assert _messages(response) == [
        f"已确认分类 1 件：{waiting[0].tracking_number}",
        f"1 件未分拣（已不在待分拣中，可能已由他人分拣）：{waiting[1].tracking_number}",
        "2 件未找到（不存在或不在您的辖区内），未分拣",
    ]
    waiting[1].refresh_from_db()
    other.refresh_from_db()
    assert waiting[1].category.name == "夜间噪音"  # the other dispatcher's choice stands
    assert (other.needs_triage, other.category_id) == (True, None)
    assert AuditRecord.objects.filter(action="cases.triaged").count() == 2  # waiting[0] and the other dispatcher's
    assert not AuditRecord.objects.filter(action="cases.triaged", object_id=str(other.public_id)).exists()


def test_a_viewer_who_may_not_triage_is_refused_per_case(client, t, waiting):
    """A grid worker sees the c1 cases of their grid but is not their dispatcher: each is skipped with the
    reason, nothing is written, and their 待分拣 tab is empty (no checkboxes)."""
    gw = staff("grid_worker", t["g11"])
    client.force_login(gw)
    response = _post(client, waiting[:2], step="confirm", follow=True)
    numbers = "、".join(c.tracking_number for c in waiting[:2])
    assert _messages(response) == [
        "没有诉求被分拣",
        f"2 件未分拣（无权分拣：只有当前持有该诉求的单位的受理人员可以分拣）：{numbers}",
    ]
    assert not Case.objects.filter(needs_triage=False).exists()
    assert not CaseTransition.objects.filter(event="triage").exists()
    assert 'name="case"' not in client.get(QUEUE, {"tab": "triage"}).content.decode()


def test_a_case_without_a_suggestion_is_skipped_when_confirming_suggestions(client, cw, waiting):
    """确认各自的建议分类 on a case without a suggestion: skipped, to be triaged on its own page."""
    Case.objects.filter(pk=waiting[2].pk).update(suggested_category=None, suggestion_confidence=None)
    client.force_login(cw)
    response = _post(client, waiting, step="confirm", follow=True)
    assert _messages(response)[1] == f"1 件未分拣（没有建议分类，请在诉求页面选择分类）：{waiting[2].tracking_number}"
    assert Case.objects.filter(needs_triage=False).count() == 2


def test_nothing_ticked_goes_back_with_a_message(client, cw, waiting):
    """Submitting with no case ticked changes nothing and says what to do."""
    client.force_login(cw)
    response = _post(client, [], step="review", follow=True)
    assert response.redirect_chain == [(TRIAGE_TAB, 302)]
    assert _messages(response) == ["请先勾选要分拣的诉求"]
    with pytest.raises(ValidationError):
        triage.case_triage_bulk(actor=cw, public_ids=[])


def test_more_than_the_limit_is_refused_as_a_whole(client, cw, waiting):
    """201 ticked ids: refused with the limit, nothing triaged (not even the real cases among them)."""
    client.force_login(cw)
    ticked = [*waiting, *(uuid.uuid4() for _ in range(triage.TRIAGE_BULK_LIMIT + 1 - len(waiting)))]
    response = _post(client, ticked, step="confirm", follow=True)
    assert _messages(response) == ["一次最多分拣200件，您选择了201件，请分批操作"]
    assert not Case.objects.filter(needs_triage=False).exists()
    assert not AuditRecord.objects.filter(action="cases.triaged").exists()


def test_post_only_with_csrf_and_a_safe_return_address(cw, waiting):
    """GET is not allowed; a POST without the CSRF token is refused; an outside `next` falls back to 待分拣."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(cw)
    assert client.get(BULK).status_code == 405
    assert _post(client, waiting, step="confirm").status_code == 403
    assert not Case.objects.filter(needs_triage=False).exists()
    plain = Client()
    plain.force_login(cw)
    response = _post(plain, waiting[:1], step="confirm", next_url="https://evil.example/cases/?tab=triage")
    assert response.status_code == 302 and response["Location"] == TRIAGE_TAB


def test_an_actor_without_case_access_is_refused(client, t, waiting):
    """An auditor (no case role) gets 403 and nothing changes."""
    client.force_login(staff("auditor", t["city"]))
    assert _post(client, waiting, step="confirm").status_code == 403
    assert not Case.objects.filter(needs_triage=False).exists()


def test_the_category_filter_in_triage_matches_the_suggested_category(client, cw, waiting):
    """In 待分拣 no case has a category yet, so 分类 filters by the suggestion: a model's first-level suggestion
    (城乡建设) finds its case, and a community topic still finds the case its keywords suggest."""
    Case.objects.filter(pk=waiting[0].pk).update(suggested_category=Category.objects.get(code="C01"))
    client.force_login(cw)

    def titles(code):
        category = str(Category.objects.get(code=code).public_id)
        response = client.get(QUEUE, {"tab": "triage", "category": category})
        assert response.status_code == 200
        return {row.case.title for row in response.context["page"].object_list}

    assert titles("C01") == {"乱停车"}
    assert titles(_cat("装修噪音").code) == {"装修吵"}
    assert titles(_cat("垃圾清运").code) == {"垃圾没人收"}
