"""Assemblies: convocations and notice, attendance, proxies within the legal caps, quorum."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from alveole.governance import services
from alveole.governance.models import (
    Assembly,
    AssemblyKind,
    AttendanceStatus,
    Convocation,
    Proxy,
)
from alveole.governance.rules import proxy_cap, quorum_required
from alveole.governance.selectors import assembly_quorum, attendance_sheet
from alveole.people.models import PersonKind
from tests.factories import make_person

from .conftest import convene_and_open, link_for, make_assembly, make_associate, sign

pytestmark = pytest.mark.django_db


def externals(count: int) -> list:
    return [make_associate(kind=PersonKind.EXTERNAL, shares=1) for _ in range(count)]


def test_convocations_go_to_every_associate_after_commit(
    associates, mailoutbox, django_capture_on_commit_callbacks
):
    no_email = make_associate(kind=PersonKind.EXTERNAL, email="")
    other = make_associate(kind=PersonKind.SUPPORT_STAFF)
    assembly = make_assembly()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = services.assembly_convene(actor=None, assembly=assembly, link_for=link_for)
    assert mailoutbox == []  # nothing leaves before the commit
    assert len(callbacks) == 2
    for callback in callbacks:
        callback()
    people = {c.person_id: c for c in created}
    assert set(people) == {associates.entrepreneur.person.pk, no_email.pk, other.pk}
    assert associates.other_entrepreneur.person.pk not in people  # not an associate
    assert people[no_email.pk].channel == Convocation.Channel.POST
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [associates.entrepreneur.person.email, other.email]
    )
    message = next(m for m in mailoutbox if m.to == [other.email])
    assert message.subject.startswith("Convocation : Assemblée générale annuelle du ")
    assert "1. Approbation des comptes" in message.body
    token = message.body.split("http://testserver/governance/p/")[1].split("/")[0]
    assert Convocation.objects.get(person=other).token_hash == services.token_hash(token)
    assert Convocation.objects.get(person=other).delivered_at is not None
    assembly.refresh_from_db()
    assert assembly.status == Assembly.Status.CONVENED
    # A second run convenes nobody twice.
    with pytest.raises(ValidationError, match="déjà convoqué·es"):
        services.assembly_convene(actor=None, assembly=assembly, link_for=link_for)


def test_notice_period_is_checked_and_nothing_is_sent(associates, mailoutbox):
    assembly = make_assembly(days_ahead=14)
    with pytest.raises(ValidationError, match=r"au moins 15 jours avant .* il n'en reste que 14"):
        services.assembly_convene(actor=None, assembly=assembly, link_for=link_for)
    assembly.refresh_from_db()
    assert assembly.status == Assembly.Status.DRAFT
    assert not Convocation.objects.exists()
    assert mailoutbox == []


def test_convocation_needs_an_agenda(associates):
    assembly = services.assembly_create(
        actor=None, kind=AssemblyKind.ORDINARY, title="AG",
        starts_at=timezone.now() + datetime.timedelta(days=30), place="Auch",
    )  # fmt: skip
    with pytest.raises(ValidationError, match="ordre du jour"):
        services.assembly_convene(actor=None, assembly=assembly, link_for=link_for)


def test_second_convocation_follows_a_first_without_quorum(associates):
    externals(7)  # 8 associates: the ordinary first convocation needs 2
    first = make_assembly()
    with pytest.raises(ValidationError, match="close faute de quorum"):
        make_assembly(previous=first, days_ahead=40)
    convene_and_open(first)
    sign(first, associates.entrepreneur.person)
    assert not assembly_quorum(first).met
    services.assembly_close(actor=None, assembly=first)
    first.refresh_from_db()
    assert (first.quorum_met, first.present_count, first.quorum_required) == (False, 1, 2)

    second = make_assembly(previous=first, days_ahead=10)
    assert second.convocation_round == 2
    # 10 days' notice is enough on second convocation.
    services.assembly_convene(actor=None, assembly=second, link_for=link_for)
    Assembly.objects.filter(pk=second.pk).update(starts_at=timezone.now())
    second.refresh_from_db()
    services.assembly_open(actor=None, assembly=second)
    quorum = assembly_quorum(second)
    assert (quorum.required, quorum.met) == (0, True)  # no quorum on second convocation


def test_a_place_or_online_is_required():
    with pytest.raises(ValidationError) as error:
        services.assembly_create(
            actor=None, kind=AssemblyKind.ORDINARY, title="AG",
            starts_at=timezone.now() + datetime.timedelta(days=30),
        )  # fmt: skip
    assert "place" in error.value.message_dict


@pytest.mark.parametrize(
    ("associates_count", "cap"), [(2, 1), (19, 1), (20, 1), (39, 1), (40, 2), (60, 3)]
)
def test_proxy_cap_rule(associates_count, cap):
    assert proxy_cap(associates_count) == cap


def _proxies_until_refused(assembly, holder, grantors):
    given = 0
    for grantor in grantors:
        try:
            services.proxy_give(actor=None, assembly=assembly, grantor=grantor, holder=holder)
        except ValidationError as error:
            return given, error
        given += 1
    return given, None


def test_proxy_cap_with_19_associates(associates):
    people = externals(18)  # with Alice: 19 associates
    assembly = make_assembly()
    holder = associates.entrepreneur.person
    given, error = _proxies_until_refused(assembly, holder, people[:3])
    assert given == 1
    assert "détient déjà 1 procuration(s) : c'est le maximum avec 19 associé·es" in str(error)
    assert Proxy.objects.filter(holder=holder).count() == 1


def test_proxy_cap_with_20_and_40_associates(associates):
    people = externals(19)  # 20 associates: still one proxy
    assembly = make_assembly()
    holder = associates.entrepreneur.person
    given, error = _proxies_until_refused(assembly, holder, people[:3])
    assert given == 1 and "avec 20 associé·es" in str(error)

    people += externals(20)  # 40 associates: two proxies (a twentieth)
    assembly = make_assembly(title="AG 40")
    given, error = _proxies_until_refused(assembly, holder, people[:4])
    assert given == 2 and "avec 40 associé·es" in str(error)


def test_proxy_only_to_another_associate(associates):
    alice = associates.entrepreneur.person
    bob = associates.other_entrepreneur.person  # not an associate
    carol, dan, eve = externals(3)
    assembly = make_assembly()
    with pytest.raises(
        ValidationError, match="qu'à un·e autre associé·e : Bob Durand ne l'est pas"
    ):
        services.proxy_give(actor=None, assembly=assembly, grantor=alice, holder=bob)
    with pytest.raises(ValidationError, match="à soi-même"):
        services.proxy_give(actor=None, assembly=assembly, grantor=alice, holder=alice)
    with pytest.raises(ValidationError, match="n'est pas associé·e"):
        services.proxy_give(actor=None, assembly=assembly, grantor=bob, holder=alice)
    with pytest.raises(ValidationError, match="n'est pas associé·e"):
        services.proxy_give(actor=None, assembly=assembly, grantor=make_person(), holder=alice)
    services.proxy_give(actor=None, assembly=assembly, grantor=carol, holder=dan)
    with pytest.raises(ValidationError, match="a déjà donné procuration à"):
        services.proxy_give(actor=None, assembly=assembly, grantor=carol, holder=eve)
    with pytest.raises(ValidationError, match="a donné sa procuration et ne peut pas en recevoir"):
        services.proxy_give(actor=None, assembly=assembly, grantor=eve, holder=carol)
    with pytest.raises(ValidationError, match="détient des procurations"):
        services.proxy_give(actor=None, assembly=assembly, grantor=dan, holder=eve)
    assert Proxy.objects.count() == 1


def test_quorum_first_convocation_ordinary(associates):
    alice = associates.entrepreneur.person
    people = externals(7)  # 8 associates: a quarter is 2
    assembly = make_assembly()
    services.proxy_give(actor=None, assembly=assembly, grantor=people[0], holder=alice)
    convene_and_open(assembly)
    quorum = assembly_quorum(assembly)
    assert (quorum.associates, quorum.required, quorum.present_or_represented) == (8, 2, 0)
    # A proxy counts only once its holder is there.
    sign(assembly, alice)
    quorum = assembly_quorum(assembly)
    assert (quorum.in_person, quorum.represented, quorum.met) == (1, 1, True)


def test_quorum_first_convocation_extraordinary_not_met_then_met(associates):
    alice = associates.entrepreneur.person
    people = externals(8)  # 9 associates: a third is 3
    assembly = make_assembly(kind=AssemblyKind.EXTRAORDINARY)
    convene_and_open(assembly)
    sign(assembly, alice)
    sign(assembly, people[0], mode="online")
    quorum = assembly_quorum(assembly)
    assert (quorum.required, quorum.present_or_represented, quorum.met) == (3, 2, False)
    resolution = services.resolution_add(
        actor=None, assembly=assembly, title="Modification des statuts", text="…",
        majority="two_thirds",
    )  # fmt: skip
    with pytest.raises(ValidationError, match=r"Le quorum n'est pas atteint : 2 .* sur 3"):
        services.resolution_open_vote(actor=None, resolution=resolution)
    sign(assembly, people[1])
    assert assembly_quorum(assembly).met
    services.resolution_open_vote(actor=None, resolution=resolution)


def test_quorum_rule_fractions():
    assert quorum_required(60, 1, 4) == 15
    assert quorum_required(61, 1, 4) == 16
    assert quorum_required(60, 1, 3) == 20
    assert quorum_required(60, 0, 1) == 0


def test_extraordinary_second_convocation_needs_a_quarter(associates):
    externals(7)  # 8 associates
    first = make_assembly(kind=AssemblyKind.EXTRAORDINARY)
    convene_and_open(first)
    services.assembly_close(actor=None, assembly=first)
    second = make_assembly(kind=AssemblyKind.EXTRAORDINARY, previous=first, days_ahead=12)
    services.assembly_convene(actor=None, assembly=second, link_for=link_for)
    Assembly.objects.filter(pk=second.pk).update(starts_at=timezone.now())
    second.refresh_from_db()
    services.assembly_open(actor=None, assembly=second)
    assert assembly_quorum(second).required == 2


def test_signing_in_person_cancels_the_proxy_given(associates):
    alice = associates.entrepreneur.person
    carol, dan = externals(2)
    assembly = make_assembly()
    services.proxy_give(actor=None, assembly=assembly, grantor=carol, holder=alice)
    convene_and_open(assembly)
    sign(assembly, alice)
    statuses = {p.pk: p.attendance_status for p in attendance_sheet(assembly)}
    assert statuses == {
        alice.pk: AttendanceStatus.IN_PERSON,
        carol.pk: AttendanceStatus.REPRESENTED,
        dan.pk: AttendanceStatus.ABSENT,
    }
    sign(assembly, carol, mode="online")
    proxy = Proxy.objects.get(grantor=carol)
    assert proxy.revoked_at is not None and proxy.revoked_reason == "Présent·e à l'assemblée"
    statuses = {p.pk: p.attendance_status for p in attendance_sheet(assembly)}
    assert statuses[carol.pk] == AttendanceStatus.ONLINE
    with pytest.raises(ValidationError, match="a déjà signé"):
        sign(assembly, carol)
    with pytest.raises(ValidationError, match="a signé la feuille de présence"):
        services.proxy_give(actor=None, assembly=assembly, grantor=carol, holder=alice)


def test_signature_must_be_a_png_data_url():
    with pytest.raises(ValidationError):
        services.decode_signature("data:image/jpeg;base64,AAAA")
    with pytest.raises(ValidationError):
        services.decode_signature("data:image/png;base64,not base64!")
    with pytest.raises(ValidationError):
        services.decode_signature("data:image/png;base64,QUJD")  # "ABC": not a PNG
    assert services.decode_signature(
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgAAEAAAUAAUDUtuYAAAAASUVORK5CYII="
    ).startswith(b"\x89PNG")


def test_assembly_opens_only_on_its_day_and_closes_once(associates):
    assembly = make_assembly()
    services.assembly_convene(actor=None, assembly=assembly, link_for=link_for)
    with pytest.raises(ValidationError, match="le jour de l'assemblée"):
        services.assembly_open(actor=None, assembly=assembly)
    Assembly.objects.filter(pk=assembly.pk).update(starts_at=timezone.now())
    services.assembly_open(actor=None, assembly=assembly)
    services.assembly_close(actor=None, assembly=assembly)
    with pytest.raises(ValidationError, match="en séance"):
        services.assembly_close(actor=None, assembly=assembly)
    with pytest.raises(ValidationError, match="close"):
        services.proxy_give(
            actor=None, assembly=assembly, grantor=associates.entrepreneur.person,
            holder=externals(1)[0],
        )  # fmt: skip
