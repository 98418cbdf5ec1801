"""Two devices casting the same owner's ballot at the same moment still leave exactly one ballot."""

import threading

import pytest
from django.db import close_old_connections, connection

from shequ.core.actors import ResidentActor
from shequ.core.errors import ValidationError
from shequ.votes import services
from shequ.votes.models import Ballot

from .factories import opened, owner_of, vote_world


@pytest.mark.django_db(transaction=True)
def test_two_devices_casting_at_once_leave_one_ballot(flushable_audit, clock):
    """李四 and 赵六 (co-owners) cast for their dwelling at once from two phones: one ballot counts, the other
    device is told the dwelling has voted; nothing else is written."""
    w = vote_world()
    vote = opened(w)
    owner = owner_of(vote, "2栋1单元1-602")
    start = threading.Barrier(2)
    results, errors = [], []

    def cast(who, choice):
        def run():
            try:
                start.wait(timeout=30)
                results.append(services.ballot_cast(actor=ResidentActor(w[who]), owner=owner, choices={1: choice}))
            except ValidationError as exc:
                errors.append(exc.messages)
            finally:
                close_old_connections()
                connection.close()

        return run

    threads = [threading.Thread(target=cast("lisi", "agree")), threading.Thread(target=cast("zhao", "oppose"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == 1
    assert errors == [["您（或共有人、代理人）已为该房屋投票，不能重复投票；如需更改，请修改选票"]]
    assert Ballot.objects.filter(owner=owner).count() == 1
    assert Ballot.objects.get(owner=owner).choices.count() == 1
