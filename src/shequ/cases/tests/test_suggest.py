"""Suggestions at intake and dispatch: keyword rules and the classifier, the triage queue and its action, the
hotline import, the routing suggestion with accepted/overridden decisions, and the statistics page."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from shequ.accounts.tests.factories import staff
from shequ.cases import selectors, services, suggest
from shequ.cases.models import Case, CaseTransition, Category, RoutingDecision
from shequ.core.errors import PermissionDenied, ValidationError
from shequ.core.models import AuditRecord
from shequ.organisations.tests.factories import unit
from shequ.territory.tests.factories import make_tree

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar", "categories")]
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
STATS = reverse("cases:routing_accuracy")


@pytest.fixture
def t():
    return make_tree()


def _cat(name: str) -> Category:
    return (
        Category.objects.get(name=name, code__startswith="S")
        if name != "城乡建设"
        else Category.objects.get(name=name, level=1)
    )


def _submit(t, actor, title, description, *, category=None, building="b1", now=None, channel="staff", classify=False):
    data = services.CaseInput(
        case_type="complaint",
        title=title,
        description=description,
        channel=channel,
        building=t[building],
        category=category,
        classify=classify,
    )
    return services.case_submit(actor=actor, data=data, now=now)


# --- keyword rules -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("小区门口天天有人乱停车，违停堵住出口", "乱停乱放"),
        ("楼上邻居装修，电钻声音噪音太大", "装修噪音"),
        ("半夜广场舞音乐扰民，吵得睡不着", "夜间噪音"),
        ("垃圾桶满了好几天没人清运，垃圾堆发臭", "垃圾清运"),
        ("物业费年年涨，物业公司乱收费", "物业收费"),
        ("老旧小区能不能加装电梯", "加装电梯"),
        ("有人在楼道里飞线充电，电动车充电很危险", "非机动车充电"),
        ("停车位太少，停车难", "停车管理"),
    ],
)
def test_rules_pick_the_community_category_for_clear_texts(text, expected):
    """Each clear message is matched by the keyword rules to exactly that community-level category."""
    matched = suggest.match_rules(text)
    assert matched is not None
    assert matched[0].name == expected
    assert matched[0].code.startswith("S01-")


@pytest.mark.parametrize(
    "text",
    ["希望增加公交线路", "建议改善医院服务", "请问社保怎么办理", "学校报名政策咨询", "屋顶维修坏了"],
)
def test_generic_words_alone_match_no_rule(text):
    """Words such as 建议, 线路, 办理, 报名, 维修 occur in unrelated messages: alone they never match a rule."""
    assert suggest.match_rules(text) is None


def test_rule_confidence_grows_with_the_evidence():
    """One matched keyword gives 0.70, two 0.85, three or more 0.95; source "rules", model label kept apart."""
    one = suggest.suggest_category("违停", "")
    three = suggest.suggest_category("乱停车", "违停车辆占用车道，堵门口")
    assert (one.category.name, one.source, one.confidence) == ("乱停乱放", "rules", 0.70)
    assert (three.category.name, three.source, three.confidence) == ("乱停乱放", "rules", 0.95)


def test_no_text_no_suggestion():
    assert suggest.suggest_category("", "  ") == suggest.NO_SUGGESTION


def test_a_message_without_keywords_gets_the_models_first_level_category():
    """Without a keyword match, the suggestion is the first-level category named by the classifier's label."""
    s = suggest.suggest_category("高速公路收费站排长队", "高速公路收费站每天排长队，希望交通部门增开收费通道")
    assert s.source == "model"
    assert s.category is not None and s.category.level == 1
    assert s.category.name == s.first_level_name == "交通运输"
    assert s.confidence == s.model_confidence > 0


# --- intake and triage -------------------------------------------------------------------------------------


def test_a_confident_suggestion_is_stored_and_not_triaged(t):
    """A staff case without category whose text the rules match keeps no category (the dispatcher confirms
    it) but stores the suggestion, and does not wait for triage."""
    cw = staff("community_worker", t["c1"])
    case = _submit(t, cw, "乱停车", "小区门口有人乱停车，违停堵住出口")
    case.refresh_from_db()
    assert (case.category_id, case.suggested_category.name, case.needs_triage) == (None, "乱停乱放", False)
    assert list(selectors.queue(cw, "triage")) == []


def test_a_confident_suggestion_becomes_the_category_when_the_intake_classifies(t):
    """With `classify` (hotline import, grid report) the confident suggestion becomes the category."""
    cw = staff("community_worker", t["c1"])
    case = _submit(t, cw, "乱停车", "小区门口有人乱停车，违停堵住出口", channel="grid", classify=True)
    case.refresh_from_db()
    assert (case.category.name, case.suggested_category.name, case.suggestion_source) == (
        "乱停乱放",
        "乱停乱放",
        "rules",
    )
    assert case.suggestion_confidence == 0.95
    assert case.needs_triage is False
    record = AuditRecord.objects.get(action="cases.submitted", object_id=str(case.public_id))
    assert (record.after["suggested"], record.after["needs_triage"]) == (case.category.code, False)


def test_a_category_chosen_by_a_person_is_kept_and_never_triaged(t):
    """The person's choice stays; the differing suggestion is stored for the statistics."""
    cw = staff("community_worker", t["c1"])
    with override_settings(SHEQU_CLASSIFIER_MIN_CONFIDENCE=0.99):
        case = _submit(t, cw, "乱停车", "小区门口有人乱停车", category=_cat("路灯损坏"))
    case.refresh_from_db()
    assert (case.category.name, case.suggested_category.name, case.needs_triage) == ("路灯损坏", "乱停乱放", False)


@override_settings(SHEQU_CLASSIFIER_MIN_CONFIDENCE=0.99)
def test_low_confidence_goes_to_the_triage_queue_and_triage_clears_it(t, client):
    """Below the threshold an uncategorised case waits in 待分拣, cannot be dispatched, and the dispatcher's
    triage action sets the category, clears the flag, records it on the timeline and audits it."""
    cw = staff("community_worker", t["c1"])
    case = _submit(t, cw, "乱停车", "小区门口有人乱停车")
    case.refresh_from_db()
    assert (case.needs_triage, case.category_id, case.suggested_category.name) == (True, None, "乱停乱放")
    assert list(selectors.queue(cw, "triage")) == [case]
    client.force_login(cw)
    page = client.get(reverse("cases:case_queue"), {"tab": "triage"})
    assert [row.case.pk for row in page.context["page"].object_list] == [case.pk]
    detail = client.get(reverse("cases:case_detail", args=[case.public_id]))
    assert "置信度 85%，来源：关键词规则" in detail.content.decode()
    names = [a["name"] for a in detail.context["actions"]]
    assert "triage" in names and "dispatch" not in names
    assert detail.context["actions"][names.index("triage")]["form"]["category"].initial == str(
        case.suggested_category.public_id
    )
    services.case_accept(actor=cw, case=case)
    with pytest.raises(ValidationError):
        services.case_dispatch(actor=cw, case=case, target=t["m111"])
    chosen = _cat("车位纠纷")
    response = client.post(
        reverse("cases:case_action", args=[case.public_id, "triage"]),
        {"triage-category": str(chosen.public_id), "triage-note": "确认为车位纠纷"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.needs_triage, case.category_id) == (False, chosen.pk)
    assert list(selectors.queue(cw, "triage")) == []
    step = CaseTransition.objects.get(case=case, event="triage")
    assert step.note == "分类：车位纠纷\n确认为车位纠纷"
    record = AuditRecord.objects.get(action="cases.triaged", object_id=str(case.public_id))
    assert (record.before["needs_triage"], record.after["category"]) == (True, chosen.code)
    services.case_dispatch(actor=cw, case=case, target=t["m111"])  # now allowed


@override_settings(SHEQU_CLASSIFIER_MIN_CONFIDENCE=0.99)
def test_triage_is_refused_to_a_grid_worker_and_changes_nothing(t, client):
    """A grid worker may see the case but not triage it: 403/400 page, the case keeps waiting."""
    cw = staff("community_worker", t["c1"])
    gw = staff("grid_worker", t["g11"])
    case = _submit(t, cw, "乱停车", "小区门口有人乱停车")
    with pytest.raises(PermissionDenied):
        services.case_triage(actor=gw, case=case, category=_cat("车位纠纷"))
    client.force_login(gw)
    response = client.post(
        reverse("cases:case_action", args=[case.public_id, "triage"]),
        {"triage-category": str(_cat("车位纠纷").public_id)},
    )
    assert response.status_code in (403, 404)
    case.refresh_from_db()
    assert (case.needs_triage, case.category_id) == (True, None)
    assert not CaseTransition.objects.filter(case=case, event="triage").exists()
    assert list(selectors.queue(gw, "triage")) == []


def test_hotline_import_without_a_category_gets_the_suggested_one(t, client):
    """A 12345 row without 诉求分类 is classified at intake; a row with one keeps it."""
    cw = staff("community_worker", t["c1"])
    client.force_login(cw)
    content = (
        "工单编号*,诉求分类,诉求内容*,所属社区*\n"
        "GD1,,楼上邻居每天装修，电钻噪音扰民,洗面桥社区\n"
        "GD2,路灯损坏,小区门口有人乱停车，违停,洗面桥社区\n"
    )
    client.post(reverse("cases:hotline_import"), {"file": SimpleUploadedFile("o.csv", content.encode())})
    first = Case.objects.get(external_ref="GD1")
    second = Case.objects.get(external_ref="GD2")
    assert (first.category.name, first.suggestion_source, first.needs_triage) == ("装修噪音", "rules", False)
    assert (second.category.name, second.suggested_category.name) == ("路灯损坏", "乱停乱放")


# --- routing -----------------------------------------------------------------------------------------------


def test_route_for_a_micro_grid_level_category_names_the_micro_grid(t):
    """装修噪音 is handled at micro-grid level: the case on building b1 is routed to micro-grid m111."""
    cw = staff("community_worker", t["c1"])
    case = _submit(t, cw, "装修噪音", "楼上装修电钻噪音", category=_cat("装修噪音"))
    route = suggest.suggest_route(case)
    assert (route.level, route.area, route.unit) == ("micro_grid", t["m111"], None)
    form_case = selectors.get_case_for(cw, case.public_id)
    services.case_accept(actor=cw, case=form_case)
    from shequ.cases.forms import DispatchForm

    form = DispatchForm(actor=cw, case=form_case)
    assert form.fields["target"].initial == f"a:{t['m111'].public_id}"
    labels = dict(form.fields["target"].choices)
    assert labels[f"a:{t['m111'].public_id}"].endswith("（建议）")


def test_route_for_a_department_level_category_names_the_department(t):
    """A first-level 交通运输 case goes to the district's transport department, not to another department."""
    cw = staff("community_worker", t["c1"])
    unit("department", "武侯区卫生健康局", t["district"])
    transport = unit("department", "武侯区交通运输局", t["district"])
    case = _submit(t, cw, "公交站", "公交站台破损", category=Category.objects.get(level=1, name="交通运输"))
    route = suggest.suggest_route(case)
    assert (route.level, route.unit, route.area) == ("department", transport, None)
    assert route.choice == f"u:{transport.public_id}"


def test_street_level_category_routes_up_the_ladder(t):
    cw = staff("community_worker", t["c1"])
    case = _submit(t, cw, "违建", "楼顶违章搭建", category=_cat("屋顶违建"))
    route = suggest.suggest_route(case)
    assert (route.level, route.area) == ("street", t["s1"])


def _accepted(t, cw, title, description, category_name):
    case = _submit(t, cw, title, description, category=_cat(category_name))
    return services.case_accept(actor=cw, case=case)


def test_dispatch_records_accepted_and_overridden_suggestions(t):
    """Dispatching to the suggested micro-grid counts as accepted; to another area as overridden."""
    cw = staff("community_worker", t["c1"])
    kept = _accepted(t, cw, "装修噪音", "楼上装修电钻噪音", "装修噪音")
    changed = _accepted(t, cw, "装修噪音", "隔壁装修电钻噪音", "装修噪音")
    services.case_dispatch(actor=cw, case=kept, target=t["m111"])
    services.case_dispatch(actor=cw, case=changed, target=t["g11"])
    rows = {d.case_id: d for d in RoutingDecision.objects.all()}
    assert (rows[kept.pk].accepted, rows[kept.pk].suggested_area, rows[kept.pk].actual_area) == (
        True,
        t["m111"],
        t["m111"],
    )
    assert (rows[changed.pk].accepted, rows[changed.pk].actual_area, rows[changed.pk].decided_by) == (
        False,
        t["g11"],
        cw,
    )
    assert rows[changed.pk].category.name == "装修噪音"


def test_transfer_to_the_suggested_street_counts_as_accepted(t):
    """屋顶违建 is handled by the street: transferring the case to street s1 records an accepted suggestion."""
    cw = staff("community_worker", t["c1"])
    case = _accepted(t, cw, "违建", "楼顶违章搭建阳光房", "屋顶违建")
    services.case_transfer(actor=cw, case=case, target=t["s1"], reason="街道承办违建")
    decision = RoutingDecision.objects.get(case=case)
    assert (decision.event, decision.accepted, decision.suggested_level, decision.actual_area) == (
        "transfer",
        True,
        "street",
        t["s1"],
    )


# --- statistics --------------------------------------------------------------------------------------------


def test_stats_page_shows_per_category_counts_and_accuracy(t, client):
    """Three decisions (2 accepted, 1 overridden) for 装修噪音 and one overridden for 屋顶违建; the
    classifier table compares the suggestion with the final category."""
    cw = staff("community_worker", t["c1"])
    for target in ("m111", "m111", "g11"):
        case = _accepted(t, cw, "装修噪音", "楼上装修电钻噪音", "装修噪音")
        services.case_dispatch(actor=cw, case=case, target=t[target])
    roof = _accepted(t, cw, "违建", "楼顶违章搭建阳光房", "屋顶违建")
    services.case_dispatch(actor=cw, case=roof, target=t["c1"])
    officer = staff("district_officer", t["district"])
    client.force_login(officer)
    response = client.get(STATS)
    assert response.status_code == 200
    rows = dict(response.context["category_rows"])
    noise = rows["社区事务 › 噪音 › 装修噪音"]
    roof_row = rows["社区事务 › 违章搭建 › 屋顶违建"]
    assert (noise.total, noise.accepted, noise.overridden, round(noise.accuracy, 3)) == (3, 2, 1, 0.667)
    assert (roof_row.total, roof_row.accepted, roof_row.overridden) == (1, 0, 1)
    assert (response.context["routing"].overall.total, response.context["routing"].overall.accepted) == (4, 2)
    assert len(response.context["month_rows"]) == 2
    classifier = {r.first_level: r for r in response.context["classifier_rows"]}
    assert (classifier["社区事务"].total, classifier["社区事务"].exact) == (4, 4)
    body = response.content.decode()
    assert "装修噪音" in body and "67%" in body


def test_stats_are_scoped_to_the_officers_subtree(t, client):
    """A system admin of another district sees none of these decisions."""
    from shequ.territory.models import Area

    cw = staff("community_worker", t["c1"])
    case = _accepted(t, cw, "装修噪音", "楼上装修电钻噪音", "装修噪音")
    services.case_dispatch(actor=cw, case=case, target=t["m111"])
    other = Area.objects.create(parent=t["city"], level="district", code="510104000000", name="锦江区")
    admin = staff("system_admin", other)
    client.force_login(admin)
    response = client.get(STATS)
    assert response.status_code == 200
    assert response.context["routing"].overall.total == 0


def test_stats_page_is_refused_to_a_grid_worker(t, client):
    """A grid worker gets 403 and no statistics."""
    client.force_login(staff("grid_worker", t["g11"]))
    response = client.get(STATS)
    assert response.status_code in (403, 404)
    assert "routing" not in (response.context or {})
