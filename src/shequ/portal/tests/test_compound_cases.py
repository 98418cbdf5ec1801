"""小区诉求: the public list of a compound's cases for residents, and "me too" (附议) supports.

张建国 (1栋 of 锦苑小区) signs in through the real SMS flow; staff submit the other cases through
`cases.services`. Messages are asserted exactly.
"""

import pytest
from django.urls import reverse

from shequ.accounts.tests.factories import staff
from shequ.analysis.warnings import warnings_for
from shequ.cases import public
from shequ.cases import services as case_services
from shequ.cases.models import CaseSupport
from shequ.core.actors import ResidentActor
from shequ.core.errors import ValidationError
from shequ.core.models import AuditRecord
from shequ.portal.tests.test_portal import register, sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar")]

REFUSED = "该诉求不在您所在小区的公开诉求中，不能附议。"
SUPPORTED = "已附议，感谢您的反映。"


@pytest.fixture
def signed_in(client, resident, deliver, outbox):
    """The client signed in as 张建国 (1栋 of 锦苑小区)."""
    assert sign_in(client, deliver, outbox).url == "/portal/"
    return client


@pytest.fixture
def neighbour(tree, worker, household):
    """王小明, registered at the same dwelling (锦苑小区), without a mobile number."""
    return register(tree, worker, "王小明", mobile="", household=household, relation="child")


def submit(tree, building, title, reporter=None, reporter_name="王小明"):
    community = tree["b3"].compound.community if building == "b3" else tree["c1"]
    data = case_services.CaseInput(
        case_type="complaint",
        title=title,
        description="楼道灯坏了一个月，晚上看不见路",
        channel="staff",
        building=tree[building],
        reporter=reporter,
        reporter_name=reporter_name,
    )
    return case_services.case_submit(actor=staff("community_worker", community), data=data)


def support(client, case):
    return client.post(reverse("portal:case_support", args=[case.tracking_number]), follow=True)


def test_list_shows_neighbours_case_redacted_without_reporter_and_not_other_compounds(signed_in, tree, neighbour):
    """A neighbour's case appears with the mobile number in its title masked and no reporter name; a case
    of another compound is absent; the home page links to the list."""
    mine = submit(tree, "b2", "2栋楼道灯坏了请回电13912345678", reporter=neighbour)
    other = submit(tree, "b3", "玉林北苑门口积水", reporter_name="赵大海")
    assert reverse("portal:compound_cases") in signed_in.get(reverse("portal:home")).content.decode()
    page = signed_in.get(reverse("portal:compound_cases"))
    html = page.content.decode()
    assert page.status_code == 200
    assert mine.tracking_number in html
    assert "2栋楼道灯坏了请回电139****5678" in html
    assert "13912345678" not in html
    assert "王小明" not in html
    assert other.tracking_number not in html
    assert "玉林北苑门口积水" not in html
    assert "我也反映（附议）" in html


def test_own_case_has_no_support_button_and_cannot_be_supported(signed_in, tree, resident):
    """The resident's own case is listed without the button, and supporting it is refused."""
    own = submit(tree, "b1", "自己反映的路灯问题", reporter=resident, reporter_name="张建国")
    html = signed_in.get(reverse("portal:compound_cases")).content.decode()
    assert own.tracking_number in html
    assert "我也反映（附议）" not in html
    with pytest.raises(ValidationError) as exc:
        public.support_case(actor=ResidentActor(resident), case=own)
    assert exc.value.message_dict == {"case": ["不能附议自己反映的诉求。"]}


def test_supporting_twice_counts_once_and_is_audited_without_the_name(signed_in, tree, resident, neighbour):
    """Two clicks make one support; the audit label is the resident's public id, never the name."""
    case = submit(tree, "b2", "2栋门口电动车乱停", reporter=neighbour)
    first = support(signed_in, case)
    assert [str(m) for m in first.context["messages"]] == [SUPPORTED]
    support(signed_in, case)
    assert CaseSupport.objects.filter(case=case).count() == 1
    assert public.support_case(actor=ResidentActor(resident), case=case) == 1
    records = AuditRecord.objects.filter(action="cases.supported")
    assert [r.actor_label for r in records] == [f"resident:{resident.public_id}"]
    html = signed_in.get(reverse("portal:compound_cases")).content.decode()
    assert "1人附议" in html


def test_supporting_a_case_of_another_compound_or_withdrawn_is_refused(signed_in, tree, resident, neighbour):
    """A case of another compound, and a withdrawn case of one's own compound, cannot be supported."""
    other = submit(tree, "b3", "玉林北苑门口积水", reporter_name="赵大海")
    page = support(signed_in, other)
    assert [str(m) for m in page.context["messages"]] == [REFUSED]
    withdrawn = submit(tree, "b2", "已撤回的诉求", reporter=neighbour)
    case_services.case_withdraw(actor=ResidentActor(neighbour), case=withdrawn)
    with pytest.raises(ValidationError) as exc:
        public.support_case(actor=ResidentActor(resident), case=withdrawn)
    assert exc.value.message_dict == {"case": [REFUSED]}
    assert CaseSupport.objects.count() == 0
    assert withdrawn.tracking_number not in signed_in.get(reverse("portal:compound_cases")).content.decode()


def test_warning_list_counts_the_supports(settings, tree, worker, household, resident, neighbour):
    """Three supports give the reason '3位居民附议' in the warning list of the community worker."""
    settings.SHEQU_RISK_THRESHOLD = 1
    case = submit(tree, "b2", "2栋化粪池外溢", reporter_name="")
    third = register(tree, worker, "李秀兰", mobile="", household=household, relation="child")
    for supporter in (resident, neighbour, third):
        public.support_case(actor=ResidentActor(supporter), case=case)
    found = [w for w in warnings_for(worker) if w.case.pk == case.pk]
    assert len(found) == 1
    assert found[0].facts.supports == 3
    assert found[0].reasons == ["3位居民附议（+6分）"]
    assert found[0].score == 6
