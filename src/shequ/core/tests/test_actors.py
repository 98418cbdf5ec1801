"""The one actor model: kinds, permission checks by kind, the write-service marker, audit columns and words."""

import uuid
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from shequ.core import audit
from shequ.core.actors import (
    COMMAND_LINE,
    ApiClientActor,
    Kind,
    ResidentActor,
    describe_actor,
    describe_labels,
    kind_of,
    label_of,
    parse_label,
    ref_of,
    register_namer,
    system_job,
    user_of,
)
from shequ.core.errors import PermissionDenied
from shequ.core.models import AuditRecord
from shequ.core.permissions import (
    ALLOW,
    ActorNotChecked,
    can,
    deny,
    register,
    require,
    write_actions,
    write_service,
)
from shequ.core.tests.audit_guards import drop_guards, install_guards

SWEEP = system_job("test.sweep", "测试升级")


@pytest.fixture(autouse=True)
def _restore_namers():
    """Tests here register their own namers; put the apps' back so later tests see real names."""
    from shequ.core import actors

    saved = dict(actors._NAMERS)
    yield
    actors._NAMERS.clear()
    actors._NAMERS.update(saved)


def _resident(pk=7):
    return SimpleNamespace(pk=pk, public_id=uuid.UUID(int=pk))


def _client(active=True):
    return SimpleNamespace(pk=3, public_id=uuid.UUID(int=99), name="市民热线平台", active=active)


@register("test.resident_or_staff", "测试：居民或工作人员", actors={Kind.STAFF, Kind.RESIDENT})
def _resident_or_staff(actor, obj):
    if kind_of(actor) is Kind.RESIDENT:
        return ALLOW if obj == actor.resident.pk else deny("不是本人的")
    return ALLOW


@register("test.job_only", "测试：系统任务", actors={Kind.SYSTEM})
def _job_only(actor, obj):
    return ALLOW


def test_a_bare_string_is_not_an_actor():
    for bogus in ("system", "resident:abc", b"cli", 5):
        with pytest.raises(TypeError):
            kind_of(bogus)
        with pytest.raises(TypeError):
            can(bogus, "test.job_only")


def test_kinds_refs_and_labels():
    resident = _resident()
    assert kind_of(None) is Kind.ANONYMOUS
    assert kind_of(AnonymousUser()) is Kind.ANONYMOUS
    assert kind_of(ResidentActor(resident)) is Kind.RESIDENT
    assert ref_of(ResidentActor(resident)) == str(resident.public_id)
    assert ref_of(ResidentActor(resident, anonymous=True)) == ""
    assert label_of(ApiClientActor(_client())) == "api:市民热线平台"
    assert (kind_of(SWEEP), ref_of(SWEEP), label_of(SWEEP)) == (Kind.SYSTEM, "test.sweep", "job:test.sweep")
    assert user_of(SWEEP) is None and user_of(ResidentActor(resident)) is None
    assert system_job("test.sweep", "another label") is SWEEP


@pytest.mark.django_db
def test_actions_are_open_only_to_the_kinds_they_name():
    user = get_user_model().objects.create_user(username="kind-staff", password="x" * 12)  # noqa: S106
    resident = _resident(pk=11)
    assert can(user, "test.resident_or_staff", 1)
    assert can(ResidentActor(resident), "test.resident_or_staff", 11)
    refused = can(ResidentActor(resident), "test.resident_or_staff", 12)
    assert not refused and refused.reason == "不是本人的"
    assert not can(ApiClientActor(_client()), "test.resident_or_staff", 1)
    assert not can(SWEEP, "test.resident_or_staff", 1)
    assert not can(user, "test.job_only")
    assert can(SWEEP, "test.job_only")
    assert not can(None, "test.job_only") and not can(AnonymousUser(), "test.resident_or_staff", 1)
    user.is_active = False
    assert not can(user, "test.resident_or_staff", 1)
    with pytest.raises(PermissionDenied):
        require(ResidentActor(resident), "test.job_only")


def test_a_disabled_api_client_may_do_nothing():
    @register("test.client_submit", "测试：接口提交", actors={Kind.API_CLIENT})
    def _check(actor, obj):
        return ALLOW

    assert can(ApiClientActor(_client()), "test.client_submit")
    assert not can(ApiClientActor(_client(active=False)), "test.client_submit")


def test_a_write_service_that_skips_require_fails(settings):
    settings.SHEQU_ENFORCE_ACTOR_CHECKS = True

    @write_service("test.job_only")
    def checks(*, actor):
        require(actor, "test.job_only")
        return "done"

    @write_service("test.job_only")
    def forgets(*, actor):
        return "written"

    @write_service("test.job_only")
    def delegates(*, actor):
        return checks(actor=actor)  # the inner service's check does not count for the outer one

    assert write_actions(checks) == ("test.job_only",)
    assert checks(actor=SWEEP) == "done"
    with pytest.raises(ActorNotChecked):
        forgets(actor=SWEEP)
    with pytest.raises(ActorNotChecked):
        delegates(actor=SWEEP)
    with pytest.raises(PermissionDenied):
        checks(actor=None)  # refused: the check ran, so no ActorNotChecked
    assert checks(actor=COMMAND_LINE) == "done"
    settings.SHEQU_ENFORCE_ACTOR_CHECKS = False
    assert forgets(actor=SWEEP) == "written"


@pytest.mark.django_db
def test_audit_rows_store_kind_and_reference_and_render_in_words():
    register_namer(Kind.RESIDENT, lambda refs: {r: "居民 程*" for r in refs})
    resident = _resident(pk=21)
    rows = [
        audit.record(actor=ResidentActor(resident), action="test.rated"),
        audit.record(actor=ResidentActor(resident, anonymous=True), action="test.reported"),
        audit.record(actor=SWEEP, action="test.escalated"),
        audit.record(actor=None, action="test.visited"),
    ]
    stored = [(r.actor_kind, r.actor_ref, r.actor_id) for r in rows]
    assert stored == [
        ("resident", str(resident.public_id), None),
        ("resident", "", None),
        ("system", "test.sweep", None),
        ("anonymous", "", None),
    ]
    assert audit.actor_words(rows) == ["居民 程*", "匿名居民", "测试升级", "未登录访客"]
    assert all("resident:" not in w for w in audit.actor_words(rows))
    assert describe_actor(SWEEP) == "测试升级"


@pytest.mark.django_db  # staff read as their names (accounts registers that namer)
def test_rows_from_before_kinds_are_translated_on_display():
    register_namer(Kind.RESIDENT, lambda refs: {r: "居民 王*" for r in refs})
    rid = str(uuid.UUID(int=5))
    legacy = [
        "portal",
        f"resident:{rid}",
        "system",
        "open311:热线平台",
        "hotline:community1",
        "cli:root",
        "cli",
        "demo",
    ]
    words = describe_labels([("", "", label) for label in legacy])
    assert words == ["匿名居民", "居民 王*", "系统", "接口 热线平台", "community1", "命令行", "命令行", "演示数据"]
    assert parse_label("community1") == (Kind.STAFF, "community1")


@pytest.mark.django_db
def test_the_seal_covers_the_actor_kind_and_reference():
    install_guards()
    row = audit.record(actor=SWEEP, action="test.sealed")
    audit.seal_pending()
    assert audit.verify_chain().ok
    row.refresh_from_db()
    assert row.canon_version == audit.ACTOR_VERSION
    drop_guards()
    table = connection.ops.quote_name(AuditRecord._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"UPDATE {table} SET actor_kind = 'staff', actor_ref = '1' WHERE id = %s", [row.id])  # noqa: S608
    result = audit.verify_chain()
    assert not result.ok and result.first_bad_id == row.id
