"""Registry pages: list with filters and exact POST search, detail with audited reveal, register/edit, dated
changes, household and building pages. Clear ID numbers and mobiles never appear unless revealed."""

import pytest
from django.test import Client
from django.urls import reverse

from shequ.accounts.tests.factories import staff
from shequ.core.models import AuditRecord
from shequ.registry import encryption
from shequ.registry.models import Household, Residence, Resident
from shequ.registry.tests.factories import (
    LISI_ID,
    LISI_MOBILE,
    WANG_ID,
    ZSF_ID,
    ZSF_MOBILE,
    make_resident,
    make_world,
    valid_id,
)

pytestmark = pytest.mark.django_db
LIST = reverse("registry:resident_list")


@pytest.fixture
def w():
    return make_world()


def _names(response) -> list[str]:
    return [row.r.name for row in response.context["page"].object_list]


def _detail(r) -> str:
    return reverse("registry:resident_detail", args=[r.public_id])


def _reveals():
    return AuditRecord.objects.filter(action="registry.reveal")


# --- list --------------------------------------------------------------------------------------------------


def test_list_shows_masked_rows_of_the_community(client, w, clock):
    """A community worker sees the residents of c1 with masked ID and mobile, birth decade, plain tags and the
    badge; never an age or a birth date."""
    client.force_login(staff("community_worker", w["c1"]))
    response = client.get(LIST)
    assert response.status_code == 200
    assert _names(response) == ["小明", "张三丰", "李四"]
    body = response.content.decode()
    assert f"{ZSF_ID[:4]}**********{ZSF_ID[-4:]}" in body
    assert "138****5678" in body
    assert ZSF_ID not in body and ZSF_MOBILE not in body and LISI_ID not in body and LISI_MOBILE not in body
    assert "1980-01-01" not in body and "46 岁" not in body and "46岁" not in body  # a decade, never an age
    row = next(r for r in response.context["page"].object_list if r.r.name == "张三丰")
    assert (row.decade, row.tags, row.gender, row.address) == ("1980年代", ["独居老人"], "男", "锦苑小区 1栋 1-301")
    table = body[body.index("<tbody>") :]
    assert "含敏感标签" in table and "独居老人" in table and "残疾人" not in table
    assert "登记居民" in body and "批量导入" in body and reverse("registry:import_list") in body


def test_list_is_refused_without_registry_role(client, w):
    """A department officer has no registry access: 403; an anonymous visitor goes to the login page."""
    assert client.get(LIST).status_code == 302
    client.force_login(staff("department_officer", w["district"]))
    assert client.get(LIST).status_code == 403


def test_list_empty_state(client, w):
    """A micro-grid with no residents shows the empty-state message."""
    client.force_login(staff("micro_grid_worker", w["m122"]))
    body = client.get(LIST).content.decode()
    assert "您的辖区内还没有登记居民。" in body


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"text": "zsf"}, ["张三丰"]),
        ({"text": "ZSF"}, ["张三丰"]),
        ({"text": "zhangsan"}, ["张三丰"]),
        ({"text": "李"}, ["李四"]),
        ({"household": "H001"}, ["小明", "张三丰"]),
        ({"tag": "disabled"}, ["张三丰"]),
        ({"tag": "elderly_alone"}, ["张三丰"]),
        ({"residence_type": "registered"}, ["李四"]),
        ({"status": "moved_out"}, []),
        ({"status": "all"}, ["小明", "张三丰", "李四"]),
        ({"building": "not-a-uuid"}, ["小明", "张三丰", "李四"]),  # an invalid filter is dropped
    ],
)
def test_list_filters(client, w, params, expected):
    """Name and pinyin (initials or full, any case), household number, care tag (sensitive ones too, by keyed
    hash), residence type and status filter the list."""
    client.force_login(staff("community_worker", w["c1"]))
    assert _names(client.get(LIST, params)) == expected


def test_list_filters_by_building_and_area(client, w):
    """The building and area filters take ids of places in scope; an area outside scope finds nothing."""
    client.force_login(staff("community_worker", w["c1"]))
    assert _names(client.get(LIST, {"building": str(w["b2"].public_id)})) == ["李四"]
    assert _names(client.get(LIST, {"area": str(w["m111"].public_id)})) == ["小明", "张三丰"]
    assert _names(client.get(LIST, {"area": str(w["c2"].public_id)})) == []
    response = client.get(LIST)
    assert [label.strip("　") for _, label in response.context["area_choices"]][:3] == [
        "洗面桥社区",
        "洗面桥社区1网格",
        "洗面桥社区1网格1微网格",
    ]


def test_list_paginates_50_and_keeps_filters(client, w):
    """Pages hold 50 rows; the pagination links keep the filters."""
    for i in range(55):
        make_resident(w["c1"], w["d1"], name=f"张{i:02d}", actor=w["registrar1"])
    client.force_login(staff("community_worker", w["c1"]))
    response = client.get(LIST, {"text": "z", "residence_type": "permanent"})
    page = response.context["page"]
    assert (len(page.object_list), page.paginator.count) == (50, 56)
    assert "text=z&amp;residence_type=permanent&amp;page=2" in response.content.decode()
    assert len(client.get(LIST, {"text": "z", "residence_type": "permanent", "page": 2}).context["page"]) == 6


def test_exact_search_by_post(client, w):
    """POSTing an ID number or a mobile finds the resident in scope; the number is not in the URL or the page."""
    client.force_login(staff("community_worker", w["c1"]))
    by_id = client.post(LIST, {"number": ZSF_ID})
    assert [row.r.name for row in by_id.context["exact_rows"]] == ["张三丰"]
    assert ZSF_ID not in by_id.content.decode()
    by_mobile = client.post(LIST, {"number": "139 8765 4321"})
    assert [row.r.name for row in by_mobile.context["exact_rows"]] == ["李四"]
    other_community = client.post(LIST, {"number": WANG_ID})
    assert other_community.context["exact_rows"] == []
    assert "您的辖区内没有登记该号码的居民。" in other_community.content.decode()
    empty = client.post(LIST, {"number": ""})
    assert empty.context["exact_rows"] is None
    assert "请输入证件号码或手机号码" in empty.content.decode()


def test_exact_search_is_not_done_by_get(client, w):
    """A number in the query string does not search: the page is the plain list."""
    client.force_login(staff("community_worker", w["c1"]))
    response = client.get(LIST, {"number": ZSF_ID})
    assert response.context["exact_rows"] is None
    assert _names(response) == ["小明", "张三丰", "李四"]


def test_number_in_the_name_filter_is_not_used(client, w):
    """A number typed into the name filter is dropped from the address (redirect, other filters kept), not
    searched and not echoed back; the page points to the exact search."""
    client.force_login(staff("community_worker", w["c1"]))
    response = client.get(LIST, {"text": ZSF_ID, "household": "H001"})
    assert (response.status_code, response["Location"]) == (302, f"{LIST}?household=H001")
    page = client.get(response["Location"])
    body = page.content.decode()
    assert _names(page) == ["小明", "张三丰"]
    assert ZSF_ID not in body and "按证件号码或手机号码查找，请使用下方的“精确查找”" in body


def test_exact_search_requires_csrf(w):
    """The exact search form is protected by CSRF."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff("community_worker", w["c1"]))
    assert client.post(LIST, {"number": ZSF_ID}).status_code == 403


def test_withdrawn_resident_is_hidden_from_list_and_search(client, w):
    """After consent withdrawal the resident is in no list (status 全部 included) and no exact search."""
    from shequ.registry import services

    services.consent_withdraw(actor=w["registrar1"], resident=w["lisi"])
    client.force_login(staff("community_worker", w["c1"]))
    assert _names(client.get(LIST, {"status": "all"})) == ["小明", "张三丰"]
    assert client.post(LIST, {"number": LISI_ID}).context["exact_rows"] == []


def test_menu_shows_registry_to_viewers_only(client, w):
    """The left menu has 居民信息 for roles that may view the register, not for a department officer."""
    client.force_login(staff("micro_grid_worker", w["m111"]))
    assert "registry" in [item["key"] for item in client.get(LIST).context["menu"]]
    other = Client()
    other.force_login(staff("department_officer", w["district"]))
    assert "registry" not in [item["key"] for item in other.get(reverse("web:home")).context["menu"]]


# --- detail and reveal ---------------------------------------------------------------------------------------


def test_detail_is_masked_with_history(client, w, clock):
    """The detail page shows masked values, the birth decade, residence history and events; never the clear values
    nor an age."""
    client.force_login(staff("community_worker", w["c1"]))
    response = client.get(_detail(w["zsf"]))
    body = response.content.decode()
    assert response.status_code == 200
    assert ZSF_ID not in body and ZSF_MOBILE not in body and "1980-01-01" not in body and "行动不便" not in body
    assert "138****5678" in body and "1980年代" in body and "岁" not in body
    assert [(s["valid_from"].isoformat(), s["valid_to"], s["household"]) for s in response.context["residences"]] == [
        ("2020-01-01", None, "H001")
    ]
    assert [str(e["kind"]) for e in response.context["events"]] == ["迁入"]
    assert response["Cache-Control"].startswith("max-age=0")


def test_detail_outside_scope_is_404(client, w):
    """A community worker of c1 gets 404 for a resident of c2, as for a missing one."""
    client.force_login(staff("community_worker", w["c1"]))
    assert client.get(_detail(w["wang"])).status_code == 404
    assert client.get("/registry/residents/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_grid_worker_reveals_mobile_once_and_it_is_audited(client, w):
    """A micro-grid worker may reveal the mobile with a reason: shown once, audited with field and reason only."""
    client.force_login(staff("micro_grid_worker", w["m111"]))
    url = reverse("registry:resident_reveal", args=[w["zsf"].public_id])
    response = client.post(url, {"field": "mobile", "reason_code": "home_visit", "reason": "联系家属"})
    assert response.status_code == 200
    assert response.context["revealed"]["value"] == ZSF_MOBILE
    assert ZSF_MOBILE in response.content.decode()
    record = _reveals().get()
    assert (record.after, record.object_id) == (
        {"field": "mobile", "reason_code": "home_visit", "reason": "联系家属"},
        str(w["zsf"].public_id),
    )
    assert ZSF_MOBILE not in str(record.after) + record.object_label
    assert ZSF_MOBILE not in str(dict(client.session.items()))
    assert ZSF_MOBILE not in client.get(_detail(w["zsf"])).content.decode()  # not kept: the next view is masked


def test_grid_worker_may_not_reveal_identity(client, w):
    """A micro-grid worker asking for the ID number gets 403 and nothing is audited; the form offers mobile only."""
    client.force_login(staff("micro_grid_worker", w["m111"]))
    page = client.get(_detail(w["zsf"]))
    assert [k for k, _ in page.context["reveal_form"].fields["field"].choices] == ["mobile"]
    url = reverse("registry:resident_reveal", args=[w["zsf"].public_id])
    response = client.post(url, {"field": "id_number", "reason_code": "home_visit", "reason": "核对身份"})
    assert response.status_code == 403
    assert ZSF_ID not in response.content.decode()
    assert _reveals().count() == 0


def test_reveal_outside_scope_is_404(client, w):
    """Revealing a resident of another micro-grid answers 404 and audits nothing."""
    client.force_login(staff("micro_grid_worker", w["m111"]))
    url = reverse("registry:resident_reveal", args=[w["lisi"].public_id])
    assert client.post(url, {"field": "mobile", "reason_code": "home_visit", "reason": "联系"}).status_code == 404
    assert _reveals().count() == 0


def test_community_worker_reveals_identity_with_reason(client, w):
    """A community worker reveals the ID number, birth date, sensitive tags and notes; each reveal is audited."""
    client.force_login(staff("community_worker", w["c1"]))
    url = reverse("registry:resident_reveal", args=[w["zsf"].public_id])
    values = {
        field: client.post(url, {"field": field, "reason_code": "home_visit", "reason": "办理残疾人补贴"}).context[
            "revealed"
        ]["value"]
        for field in ("id_number", "birth_date", "sensitive_tags", "notes")
    }
    assert values == {"id_number": ZSF_ID, "birth_date": "1980-01-01", "sensitive_tags": "残疾人", "notes": "行动不便"}
    assert [r.after["field"] for r in _reveals().order_by("id")] == [
        "id_number",
        "birth_date",
        "sensitive_tags",
        "notes",
    ]
    assert all(ZSF_ID not in str(r.after) for r in _reveals())


def test_reveal_requires_a_reason(client, w):
    """Without a reason nothing is revealed or audited (400 with the message)."""
    client.force_login(staff("community_worker", w["c1"]))
    url = reverse("registry:resident_reveal", args=[w["zsf"].public_id])
    response = client.post(url, {"field": "id_number", "reason_code": "home_visit", "reason": ""})
    assert response.status_code == 400
    assert "请填写理由说明" in response.content.decode() and ZSF_ID not in response.content.decode()
    assert _reveals().count() == 0


# --- register and edit -------------------------------------------------------------------------------------


def _form_data(w, **kw):
    data = {
        "community": str(w["c1"].public_id),
        "building": str(w["b1"].public_id),
        "dwelling": str(w["d1"].public_id),
        "household_number": "",
        "relation": "",
        "name": "赵六",
        "gender": "U",
        "id_type": "resident_id",
        "id_number": valid_id("19850505", 321),
        "birth_date": "",
        "mobile": "13611112222",
        "residence_type": "permanent",
        "legal_basis": "statutory",
        "notes": "",
    }
    data.update(kw)
    return data


def test_register_resident(client, w):
    """The register form creates a resident with the birth date and gender read from the ID number."""
    client.force_login(staff("community_worker", w["c1"]))
    form_page = client.get(reverse("registry:resident_create"))
    assert [c for c, _ in form_page.context["form"].fields["community"].choices] == [str(w["c1"].public_id)]
    response = client.post(reverse("registry:resident_create"), _form_data(w, care_tags=["disabled"]))
    r = Resident.objects.get(name="赵六")
    assert response.status_code == 302 and response["Location"] == _detail(r)
    birth = encryption.decrypt_birth_date(r.birth_date_encrypted)
    assert (birth.isoformat(), r.birth_decade, r.gender, r.dwelling_id, r.has_sensitive_tags) == (
        "1985-05-05",
        1980,
        "M",
        w["d1"].pk,
        True,
    )


def test_register_child_without_document_or_mobile(client, w):
    """A child with no document and no mobile is registrable into a new household."""
    client.force_login(staff("micro_grid_worker", w["m111"]))
    data = _form_data(
        w,
        name="小红",
        id_type="none",
        id_number="",
        mobile="",
        birth_date="2020-02-02",
        gender="F",
        household_number="H009",
        new_household="on",
        relation="head",
    )
    response = client.post(reverse("registry:resident_create"), data)
    assert response.status_code == 302
    r = Resident.objects.get(name="小红")
    assert (r.id_type, r.id_number_hash, r.mobile_hash, r.household.number, r.household.head_id) == (
        "none",
        "",
        "",
        "H009",
        r.pk,
    )


def test_register_shows_service_errors_in_chinese(client, w):
    """A duplicate ID number in the community, an unknown household and a bad mobile come back as field errors;
    a failed registration leaves no new household behind."""
    client.force_login(staff("community_worker", w["c1"]))
    url = reverse("registry:resident_create")
    dup = client.post(url, _form_data(w, id_number=ZSF_ID, household_number="H777", new_household="on"))
    assert dup.status_code == 200
    assert dup.context["form"].errors["id_number"] == ["该证件号码已在本社区登记"]
    assert not Household.objects.filter(number="H777").exists()
    unknown = client.post(url, _form_data(w, household_number="H404"))
    assert unknown.context["form"].errors["household_number"] == ["本社区没有该户号；如需新建，请勾选“新建户”"]
    bad = client.post(url, _form_data(w, mobile="12345"))
    assert list(bad.context["form"].errors) == ["mobile"]
    assert Resident.objects.filter(name="赵六").count() == 0


def test_register_elsewhere_does_not_say_where(client, w):
    """A person registered in another community is refused with the street-office message, naming no place."""
    client.force_login(staff("community_worker", w["c1"]))
    response = client.post(reverse("registry:resident_create"), _form_data(w, id_number=WANG_ID))
    assert response.context["form"].errors["id_number"] == ["该居民已在其他社区登记，请联系街道办事处"]
    assert "玉林" not in response.content.decode()


def test_register_is_refused_to_viewers(client, w):
    """A street officer may view but not register: 403."""
    client.force_login(staff("street_officer", w["s1"]))
    assert client.get(reverse("registry:resident_create")).status_code == 403
    assert client.post(reverse("registry:resident_create"), _form_data(w)).status_code == 403


def test_dwelling_options_in_scope(client, w):
    """The htmx dwelling picker lists the dwellings of a building in scope; another micro-grid's is 404."""
    client.force_login(staff("micro_grid_worker", w["m111"]))
    url = reverse("registry:dwelling_options")
    body = client.get(url, {"building": str(w["b1"].public_id)}).content.decode()
    assert f'value="{w["d1"].public_id}"' in body and "1单元 1-301" in body
    assert client.get(url, {"building": str(w["b2"].public_id)}).status_code == 404


def test_edit_keeps_blank_personal_fields(client, w):
    """Saving the edit form with blank ID, mobile and birth date keeps the stored values (and hashes)."""
    client.force_login(staff("community_worker", w["c1"]))
    r = w["lisi"]
    url = reverse("registry:resident_edit", args=[r.public_id])
    page = client.get(url)
    assert page.status_code == 200 and LISI_ID not in page.content.decode() and LISI_MOBILE not in page.content.decode()
    data = _form_data(
        w,
        name="李四光",
        id_number="",
        mobile="",
        building=str(w["b2"].public_id),
        dwelling=str(w["d2"].public_id),
        residence_type="registered",
        legal_basis="consent",
    )
    assert client.post(url, data).status_code == 302
    r.refresh_from_db()
    birth = encryption.decrypt_birth_date(r.birth_date_encrypted)
    assert (r.name, r.id_number_hash, r.mobile_hash, birth.isoformat()) == (
        "李四光",
        w["lisi"].id_number_hash,
        w["lisi"].mobile_hash,
        "1990-02-02",
    )
    assert encryption.decrypt_document(r.id_number_encrypted) == LISI_ID


def test_edit_keeps_sensitive_tags_for_roles_that_cannot_see_them(client, w):
    """A micro-grid worker sees only the plain tags of a resident with sensitive tags, and saving keeps them."""
    client.force_login(staff("micro_grid_worker", w["m111"]))
    url = reverse("registry:resident_edit", args=[w["zsf"].public_id])
    form = client.get(url).context["form"]
    assert form.sensitive_locked is True
    assert "disabled" not in [c for c, _ in form.fields["care_tags"].choices] and "notes" not in form.fields
    data = _form_data(
        w, name="张三丰", id_number="", mobile="", household_number="H001", relation="head", care_tags=["veteran"]
    )
    assert client.post(url, data).status_code == 302
    r = Resident.objects.get(pk=w["zsf"].pk)
    assert (r.plain_tags, encryption.decrypt_sensitive_tags(r.sensitive_tags_encrypted)) == ("veteran", ["disabled"])
    assert encryption.decrypt_notes(r.notes_encrypted) == "行动不便"


def test_edit_form_with_sensitive_tags_is_audited_for_identity_roles(client, w):
    """A community worker's edit form pre-ticks the sensitive tags; that display is audited as a reveal."""
    client.force_login(staff("community_worker", w["c1"]))
    form = client.get(reverse("registry:resident_edit", args=[w["zsf"].public_id])).context["form"]
    assert form.initial["care_tags"] == ["elderly_alone", "disabled"]
    assert [r.after["field"] for r in _reveals()] == ["sensitive_tags"]


def test_edit_outside_scope_is_404(client, w):
    """A micro-grid worker cannot open the edit form of another micro-grid's resident."""
    client.force_login(staff("micro_grid_worker", w["m111"]))
    assert client.get(reverse("registry:resident_edit", args=[w["lisi"].public_id])).status_code == 404


# --- dated changes ---------------------------------------------------------------------------------------


def _action(r, action):
    return reverse("registry:resident_action", args=[r.public_id, action])


def test_move_out_needs_confirmation_page(client, w):
    """Move-out is a confirmation page; confirming closes the stay and the resident leaves the current list."""
    client.force_login(staff("community_worker", w["c1"]))
    page = client.get(_action(w["lisi"], "move_out"))
    assert page.status_code == 200 and "确认登记迁出" in page.content.decode()
    assert client.post(_action(w["lisi"], "move_out"), {"on": "2025-12-31", "note": "去外地"}).status_code == 302
    r = Resident.objects.get(pk=w["lisi"].pk)
    assert (r.status, r.moved_out_on.isoformat()) == ("moved_out", "2025-12-31")
    assert Residence.objects.get(resident=r).valid_to.isoformat() == "2025-12-31"
    assert _names(client.get(LIST)) == ["小明", "张三丰"]
    assert _names(client.get(LIST, {"status": "moved_out"})) == ["李四"]


def test_death_and_household_change(client, w):
    """Death and a household change are recorded with their dates; the history keeps the earlier stay."""
    client.force_login(staff("community_worker", w["c1"]))
    Household.objects.create(community=w["c1"], number="H002", dwelling=w["d2"])
    response = client.post(
        _action(w["child"], "household"), {"household_number": "H002", "relation": "child", "on": "2025-01-01"}
    )
    assert response.status_code == 302
    stays = Residence.objects.filter(resident=w["child"]).order_by("valid_from")
    assert [(s.household.number, s.valid_to and s.valid_to.isoformat()) for s in stays] == [
        ("H001", "2025-01-01"),
        ("H002", None),
    ]
    bad = client.post(
        _action(w["zsf"], "household"), {"household_number": "H404", "relation": "child", "on": "2025-01-01"}
    )
    assert bad.context["form"].errors["household_number"] == ["本社区没有该户号"]
    assert client.post(_action(w["zsf"], "death"), {"on": "2025-02-03"}).status_code == 302
    assert Resident.objects.get(pk=w["zsf"].pk).status == "deceased"


def test_actions_are_refused_outside_edit_scope(client, w):
    """A street officer (view only) gets 403 on a dated change; nothing changes."""
    client.force_login(staff("street_officer", w["s1"]))
    assert client.post(_action(w["lisi"], "move_out"), {"on": "2025-12-31"}).status_code == 403
    assert Resident.objects.get(pk=w["lisi"].pk).status == "active"


def test_consent_withdrawal_only_for_consent_basis(client, w):
    """Withdrawal exists only for data collected by consent, needs the confirmation tick, then hides the resident."""
    client.force_login(staff("community_worker", w["c1"]))
    assert client.get(_action(w["zsf"], "withdraw_consent")).status_code == 404  # statutory basis
    unconfirmed = client.post(_action(w["lisi"], "withdraw_consent"), {})
    assert unconfirmed.context["form"].errors["confirm"] == ["请先核实并勾选"]
    assert client.post(_action(w["lisi"], "withdraw_consent"), {"confirm": "on"}).status_code == 302
    r = Resident.objects.get(pk=w["lisi"].pk)
    assert r.status == "withdrawn"
    detail = client.get(_detail(r)).content.decode()
    assert "已撤回同意" in detail and r.id_number_masked not in detail and r.mobile_masked not in detail


# --- household and building ----------------------------------------------------------------------------


def test_household_page_lists_members_in_scope(client, w):
    """The household page shows its address, head and members; another community's household is 404."""
    client.force_login(staff("community_worker", w["c1"]))
    response = client.get(reverse("registry:household_detail", args=[w["h1"].public_id]))
    assert [m.r.name for m in response.context["members"]] == ["张三丰", "小明"]
    assert (response.context["head"], response.context["address"]) == (w["zsf"], "锦苑小区 1栋 1-301")
    other = Household.objects.create(community=w["c2"], number="Y001", dwelling=w["d3"])
    assert client.get(reverse("registry:household_detail", args=[other.public_id])).status_code == 404


def test_building_page_lists_occupants_masked(client, w):
    """The building page lists every dwelling with its occupants (masked); linked from the territory page."""
    client.force_login(staff("micro_grid_worker", w["m111"]))
    response = client.get(reverse("registry:building", args=[w["b1"].public_id]))
    dwellings = response.context["units"][0]["dwellings"]
    assert [(d["dwelling"].number, [o.r.name for o in d["occupants"]]) for d in dwellings] == [
        ("1-301", ["小明", "张三丰"])
    ]
    body = response.content.decode()
    assert "138****5678" in body and ZSF_MOBILE not in body
    assert client.get(reverse("registry:building", args=[w["b2"].public_id])).status_code == 404
    territory_page = client.get(reverse("territory:building", args=[w["b1"].public_id])).content.decode()
    assert reverse("registry:building", args=[w["b1"].public_id]) in territory_page and "查看住户" in territory_page
