"""Flags: the inbox per role, acknowledging (a comment below the minimum), the thread, who may write, queries."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from activities.models import ActivityEntry
from activities.services.locks import entries_unlock
from quotas.models import Flag, FlagComment, FlagKind, FlagStatus, Period
from quotas.selectors.flags import FlagFilter, flag_list
from quotas.selectors.reps import rep_flag_list
from quotas.services.close import period_close
from quotas.services.flags import flag_acknowledge
from quotas.services.periods import periods_ensure

from ..factories import MembershipFactory, TeamFactory
from .conftest import WEEK_START

pytestmark = pytest.mark.usefixtures("frozen_now")
LAST_WEEK = WEEK_START - timedelta(days=7)  # Mon 2026-11-16 … Sun 2026-11-22


def add(org, rep, type_key, quantity, day=LAST_WEEK):
    ActivityEntry.objects.create(organization=org.organization, rep=rep, activity_type=org.types[type_key],
                                 quantity=quantity, date=day, entered_by=rep.user)  # fmt: skip


@pytest.fixture
def weeks(org_a, make_plan, employed):
    """A weekly plan for everyone (calls 50, meetings 4) that applied last week, and the weeks around it."""
    plan = make_plan(org_a, lines={"outbound_calls": 50, "meetings": 4}, kind="week")
    plan.versions.update(effective_from=LAST_WEEK - timedelta(days=7))
    periods_ensure(organization=org_a.organization, start=LAST_WEEK - timedelta(days=7),
                   end=WEEK_START + timedelta(days=6), kinds=["week"])  # fmt: skip
    return {p.start: p for p in Period.objects.filter(organization=org_a.organization, kind="week")}


@pytest.fixture
def other_team_rep(org_a):
    """A rep of a second team, which org_a's manager does not lead."""
    team = TeamFactory(organization=org_a.organization, name="Outbound")
    return MembershipFactory(organization=org_a.organization, role=Role.REP, team=team, user__first_name="Olle",
                             user__last_name="Other", employment_start="2020-01-01")  # fmt: skip


@pytest.fixture
def flags(org_a, weeks, employed, other_team_rep):
    """Last week closed: org_a's rep exceeded calls (61/50), missed meetings (3/4) and the plan; the other
    team's rep logged nothing (below both minimums, plan not met)."""
    add(org_a, employed, "outbound_calls", 61)
    add(org_a, employed, "meetings", 3)
    period_close(organization=org_a.organization, period=weeks[LAST_WEEK])
    return {flag.kind: flag for flag in Flag.objects.filter(rep=employed)}


def flags_url(org, **query):
    url = reverse("quotas:flag-list", kwargs={"org_slug": org.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def flag_url(org, flag, action=""):
    name = {"": "quotas:flag-detail", "acknowledge": "quotas:flag-acknowledge", "respond": "quotas:flag-respond"}
    return reverse(name[action], kwargs={"org_slug": org.slug, "flag_pk": flag.pk})


def row_ids(html) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr id="flag-(\d+)"', html)]


def writes():
    return [
        sorted(Flag.objects.values_list("pk", "status", "acknowledged_by_id", "acknowledged_at")),
        sorted(FlagComment.objects.values_list("pk", "flag_id", "author_id", "body")),
    ]


# The inbox -----------------------------------------------------------------------------------------


def test_manager_sees_their_teams_open_flags_newest_first_with_period_line_figures_and_kind(
    client, org_a, flags, other_team_rep
):
    client.force_login(org_a.manager.user)
    html = client.get(flags_url(org_a)).content.decode()
    assert set(row_ids(html)) == {flag.pk for flag in flags.values()}  # not the other team's rep
    assert "Olle" not in html
    below = re.search(rf'<tr id="flag-{flags[FlagKind.BELOW_MINIMUM].pk}".*?</tr>', html, re.S).group(0)
    assert "Meetings" in below and "3 / 4 (75 %)" in below and "Below minimum" in below
    assert "Week 16 – 22 Nov 2026" in below and org_a.rep.user.display_name in below
    exceeded = re.search(rf'<tr id="flag-{flags[FlagKind.EXCEEDED].pk}".*?</tr>', html, re.S).group(0)
    assert "status-exceeded" in exceeded and "61 / 50 (122 %)" in exceeded and "Recognise" in exceeded
    assert "The whole plan" in html  # plan not met has no single line


def test_the_inbox_shows_flags_to_follow_up_or_exceeded_targets_to_recognise(client, org_a, flags):
    client.force_login(org_a.manager.user)
    follow_up = {flags[FlagKind.BELOW_MINIMUM].pk, flags[FlagKind.PLAN_NOT_MET].pk}
    assert set(row_ids(client.get(flags_url(org_a, kind="attention")).content.decode())) == follow_up
    html = client.get(flags_url(org_a, kind="exceeded")).content.decode()
    assert row_ids(html) == [flags[FlagKind.EXCEEDED].pk]
    # The links keep the other filters: the status filter keeps the kind, and the kind filter the status.
    assert 'href="/o/alpha/flags/?status=all&amp;kind=exceeded"' in html
    assert 'href="/o/alpha/flags/?kind=attention" ' in html or 'href="/o/alpha/flags/?kind=attention">' in html
    # An unknown kind shows every kind, as without one.
    assert set(row_ids(client.get(flags_url(org_a, kind="nonsense")).content.decode())) == {
        flag.pk for flag in flags.values()
    }


def test_newest_flags_come_first(client, org_a, flags, weeks, employed, frozen_now):
    add(org_a, employed, "meetings", 1, day=WEEK_START)
    period_close(organization=org_a.organization, period=weeks[WEEK_START])
    Flag.objects.filter(period=weeks[WEEK_START]).update(created_at=frozen_now + timedelta(days=5))
    client.force_login(org_a.manager.user)
    ids = row_ids(client.get(flags_url(org_a)).content.decode())
    newer = set(Flag.objects.filter(period=weeks[WEEK_START], rep=employed).values_list("pk", flat=True))
    assert set(ids[: len(newer)]) == newer


@pytest.mark.parametrize(("role", "sees_other_team"), [(Role.ADMIN, True), (Role.OWNER, True), (Role.HR, True),
                                                       (Role.MANAGER, False)])  # fmt: skip
def test_who_sees_whose_flags(client, org_a, flags, other_team_rep, role, sees_other_team):
    client.force_login(org_a.members[role].user)
    html = client.get(flags_url(org_a)).content.decode()
    assert ("Olle" in html) is sees_other_team
    assert set(row_ids(html)) >= {flag.pk for flag in flags.values()}


def test_rep_sees_only_their_own_flags_and_no_acknowledge_button(client, org_a, flags, other_team_rep):
    client.force_login(org_a.rep.user)
    html = client.get(flags_url(org_a)).content.decode()
    assert set(row_ids(html)) == {flag.pk for flag in flags.values()}
    assert "My flags" in html and 'name="comment"' not in html and "Respond" in html


def test_hr_reads_without_buttons(client, org_a, flags):
    client.force_login(org_a.hr.user)
    html = client.get(flags_url(org_a)).content.decode()
    assert row_ids(html) and 'name="comment"' not in html
    detail = client.get(flag_url(org_a, flags[FlagKind.BELOW_MINIMUM])).content.decode()
    assert "Meetings" in detail and "<form" not in detail.split('id="thread"')[1].split("</section>")[0]


def test_status_filter(client, org_a, flags):
    flag = flags[FlagKind.PLAN_NOT_MET]
    Flag.objects.filter(pk=flag.pk).update(status=FlagStatus.ACKNOWLEDGED)
    client.force_login(org_a.manager.user)
    assert flag.pk not in row_ids(client.get(flags_url(org_a)).content.decode())
    assert row_ids(client.get(flags_url(org_a, status="acknowledged")).content.decode()) == [flag.pk]
    assert len(row_ids(client.get(flags_url(org_a, status="all")).content.decode())) == 3
    assert len(row_ids(client.get(flags_url(org_a, status="nonsense")).content.decode())) == 2  # open


# Acknowledging -------------------------------------------------------------------------------------


def test_acknowledging_below_minimum_needs_a_comment_and_nothing_is_written_without_one(client, org_a, flags):
    flag = flags[FlagKind.BELOW_MINIMUM]
    client.force_login(org_a.manager.user)
    before = writes()
    response = client.post(flag_url(org_a, flag, "acknowledge"), {"comment": "   "})
    assert response.status_code == 200
    assert "a result below the minimum needs one" in response.content.decode()
    assert writes() == before


def test_acknowledging_with_a_comment_starts_the_thread(client, org_a, flags):
    flag = flags[FlagKind.BELOW_MINIMUM]
    client.force_login(org_a.manager.user)
    response = client.post(flag_url(org_a, flag, "acknowledge"), {"comment": "Two meetings booked for Monday."})
    assert response.status_code == 302 and response.url == flag_url(org_a, flag)
    flag.refresh_from_db()
    assert (flag.status, flag.acknowledged_by) == (FlagStatus.ACKNOWLEDGED, org_a.manager.user)
    assert flag.acknowledged_at is not None
    (comment,) = FlagComment.objects.filter(flag=flag)
    assert (comment.author, comment.body) == (org_a.manager.user, "Two meetings booked for Monday.")


def test_plan_not_met_and_exceeded_are_acknowledged_without_a_comment(client, org_a, flags):
    client.force_login(org_a.admin.user)
    for kind in (FlagKind.PLAN_NOT_MET, FlagKind.EXCEEDED):
        client.post(flag_url(org_a, flags[kind], "acknowledge"), {"comment": ""})
        flags[kind].refresh_from_db()
        assert flags[kind].status == FlagStatus.ACKNOWLEDGED
    assert not FlagComment.objects.exists()


def test_acknowledging_in_place_with_htmx_returns_the_row(client, org_a, flags):
    flag = flags[FlagKind.BELOW_MINIMUM]
    client.force_login(org_a.manager.user)
    url = flag_url(org_a, flag, "acknowledge")
    refused = client.post(url, {"comment": "", "next": flags_url(org_a)}, headers={"HX-Request": "true"})
    html = refused.content.decode()
    assert html.lstrip().startswith(f'<tr id="flag-{flag.pk}"') and "field-error" in html
    done = client.post(url, {"comment": "On it.", "next": flags_url(org_a)}, headers={"HX-Request": "true"})
    html = done.content.decode()
    assert html.lstrip().startswith(f'<tr id="flag-{flag.pk}"') and "Acknowledged" in html
    assert 'name="comment"' not in html


def test_a_plain_post_from_the_inbox_goes_back_to_it_but_never_elsewhere(client, org_a, flags):
    client.force_login(org_a.manager.user)
    inbox = flags_url(org_a, status="all")
    back = client.post(flag_url(org_a, flags[FlagKind.EXCEEDED], "acknowledge"), {"next": inbox})
    assert back.url == inbox
    away = client.post(flag_url(org_a, flags[FlagKind.PLAN_NOT_MET], "acknowledge"), {"next": "https://evil.example/"})
    assert away.url == flag_url(org_a, flags[FlagKind.PLAN_NOT_MET])


def test_acknowledging_twice_is_refused(client, org_a, flags):
    flag = flags[FlagKind.PLAN_NOT_MET]
    client.force_login(org_a.manager.user)
    client.post(flag_url(org_a, flag, "acknowledge"))
    before = writes()
    response = client.post(flag_url(org_a, flag, "acknowledge"), {"comment": "again"})
    assert response.status_code == 200 and "already acknowledged" in response.content.decode()
    assert writes() == before


def test_a_rep_hr_and_another_teams_manager_cannot_acknowledge(client, org_a, flags, other_team_rep):
    flag = flags[FlagKind.BELOW_MINIMUM]
    before = writes()
    for member in (org_a.rep, org_a.hr):
        client.force_login(member.user)
        assert client.post(flag_url(org_a, flag, "acknowledge"), {"comment": "fine"}).status_code == 403
    # The manager of the rep's team is not the other team's manager: that rep's flags do not exist for them.
    other = Flag.objects.filter(rep=other_team_rep).first()
    client.force_login(org_a.manager.user)
    assert client.post(flag_url(org_a, other, "acknowledge"), {"comment": "fine"}).status_code == 404
    assert client.get(flag_url(org_a, other)).status_code == 404
    assert writes() == before


def test_another_organizations_flag_is_404(client, org_a, org_b, flags):
    flag = flags[FlagKind.BELOW_MINIMUM]
    before = writes()
    client.force_login(org_b.owner.user)
    for action in ("", "acknowledge", "respond"):
        assert client.post(flag_url(org_a, flag, action), {"comment": "x", "body": "x"}).status_code == 404
    # org_b's own pages do not know org_a's flag either.
    own_address = reverse("quotas:flag-detail", kwargs={"org_slug": org_b.slug, "flag_pk": flag.pk})
    assert client.get(own_address).status_code == 404
    assert writes() == before


# The thread ----------------------------------------------------------------------------------------


def test_the_rep_responds_the_manager_comments_and_hr_reads_the_thread(client, org_a, flags):
    flag = flags[FlagKind.BELOW_MINIMUM]
    client.force_login(org_a.manager.user)
    client.post(flag_url(org_a, flag, "acknowledge"), {"comment": "What happened with meetings?"})
    client.force_login(org_a.rep.user)
    response = client.post(flag_url(org_a, flag, "respond"), {"body": "Two were cancelled by the client."})
    reply = FlagComment.objects.get(author=org_a.rep.user)
    assert response.url == flag_url(org_a, flag) + f"#comment-{reply.pk}"
    client.force_login(org_a.manager.user)
    client.post(flag_url(org_a, flag, "respond"), {"body": "Understood, thanks."})
    assert list(FlagComment.objects.filter(flag=flag).values_list("body", flat=True)) == [
        "What happened with meetings?", "Two were cancelled by the client.", "Understood, thanks."
    ]  # fmt: skip
    client.force_login(org_a.hr.user)
    html = client.get(flag_url(org_a, flag)).content.decode()
    positions = [html.index(text) for text in ("What happened", "Two were cancelled", "Understood")]
    assert positions == sorted(positions)
    assert "from-rep" in html and "3 / 4 (75 %)" in html


def test_hr_cannot_write_in_a_thread_and_an_empty_comment_is_refused(client, org_a, flags):
    flag = flags[FlagKind.BELOW_MINIMUM]
    before = writes()
    client.force_login(org_a.hr.user)
    assert client.post(flag_url(org_a, flag, "respond"), {"body": "HR here"}).status_code == 403
    client.force_login(org_a.rep.user)
    response = client.post(flag_url(org_a, flag, "respond"), {"body": "  "})
    assert response.status_code == 200 and "Write something first." in response.content.decode()
    too_long = client.post(flag_url(org_a, flag, "respond"), {"body": "x" * 2001})
    assert "at most 2000 characters" in too_long.content.decode()
    assert writes() == before


def test_a_flag_withdrawn_by_a_reclose_takes_no_more_writes(client, org_a, flags, weeks):
    period_close(organization=org_a.organization, period=weeks[LAST_WEEK], reclose=True, reason="correction")
    flag = flags[FlagKind.BELOW_MINIMUM]
    flag.refresh_from_db()
    assert flag.status == FlagStatus.WITHDRAWN
    before = writes()
    client.force_login(org_a.manager.user)
    response = client.post(flag_url(org_a, flag, "acknowledge"), {"comment": "late"})
    assert "withdrawn" in response.content.decode()
    client.force_login(org_a.rep.user)
    assert "withdrawn" in client.post(flag_url(org_a, flag, "respond"), {"body": "late"}).content.decode()
    assert writes() == before


def test_a_reclose_keeps_the_follow_up_of_the_flags_it_raises_again(client, org_a, flags, weeks, employed):
    """A re-close raises its flags anew. Those that state the same fact as before (same rep, line, figure) keep
    the manager's acknowledgement and the thread; a changed figure is a new fact and starts open; the replaced
    flags are history (the inbox's "All")."""
    below = flags[FlagKind.BELOW_MINIMUM]
    flag_acknowledge(organization=org_a.organization, actor=org_a.manager, flag=below, comment="Talked it through")
    period_close(organization=org_a.organization, period=weeks[LAST_WEEK], reclose=True, reason="another rep")
    manager = org_a.manager
    current = {flag.kind: flag for flag in rep_flag_list(organization=org_a.organization, rep=org_a.rep)}
    assert set(current) == set(flags) and below.pk not in {flag.pk for flag in current.values()}
    again = current[FlagKind.BELOW_MINIMUM]
    assert (again.status, again.acknowledged_by) == (FlagStatus.ACKNOWLEDGED, manager.user)
    assert [comment.body for comment in again.comments.all()] == ["Talked it through"]
    assert current[FlagKind.EXCEEDED].status == FlagStatus.OPEN  # it was open, it stays open
    acknowledged = flag_list(organization=org_a.organization, viewer=manager, status=FlagFilter.ACKNOWLEDGED)
    assert list(acknowledged) == [again]  # not the replaced one next to it
    assert below in flag_list(organization=org_a.organization, viewer=manager, status=FlagFilter.ALL)

    # The meetings corrected from 3 to 2: still below the minimum, but a new figure — open again.
    entries_unlock(organization=org_a.organization, start=LAST_WEEK, end=LAST_WEEK, actor=manager.user, reason="fix")
    ActivityEntry.objects.filter(rep=employed, activity_type=org_a.types["meetings"]).update(quantity=2)
    period_close(organization=org_a.organization, period=weeks[LAST_WEEK], reclose=True, reason="correction")
    current = {flag.kind: flag for flag in rep_flag_list(organization=org_a.organization, rep=org_a.rep)}
    assert current[FlagKind.BELOW_MINIMUM].status == FlagStatus.OPEN
    assert current[FlagKind.BELOW_MINIMUM].result.actual == 2


def test_the_flags_nav_entry_shows_for_reps(client, org_a):
    client.force_login(org_a.rep.user)
    html = client.get(reverse("accounts:organization-home", kwargs={"org_slug": org_a.slug})).content.decode()
    assert f'href="{flags_url(org_a)}"' in html


# Queries -------------------------------------------------------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_inbox_and_flag_queries_do_not_grow_with_flags_or_comments(client, org_a, flags, weeks, employed):
    client.force_login(org_a.manager.user)
    small = count_queries(client, flags_url(org_a, status="all"))
    MembershipFactory.create_batch(8, organization=org_a.organization, role=Role.REP, team=org_a.team,
                                   employment_start="2020-01-01")  # fmt: skip
    period_close(organization=org_a.organization, period=weeks[WEEK_START - timedelta(days=14)])
    assert Flag.objects.filter(rep__team=org_a.team).count() > 20
    assert count_queries(client, flags_url(org_a, status="all")) == small

    flag = flags[FlagKind.BELOW_MINIMUM]
    one = count_queries(client, flag_url(org_a, flag))
    for number in range(10):
        FlagComment.objects.create(organization=org_a.organization, flag=flag, author=org_a.rep.user, body=f"{number}")
    assert count_queries(client, flag_url(org_a, flag)) == one
