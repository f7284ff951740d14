"""factory_boy factories. Every tenant object is created inside an explicit organization."""

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import INVITATION_VALIDITY, Invitation, Membership, Organization, Team, TeamManager, User
from accounts.roles import Role
from activities.models import ActivityEntry, ActivityType, ImportBatch

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        """Users can sign in: their e-mail address is verified unless `verified=False`."""
        if create:
            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=extracted is not False)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    time_zone = "Europe/Stockholm"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.REP

    @factory.post_generation
    def leads(membership, create, extracted, **kwargs):
        """`leads=[team, …]` makes a manager lead those teams."""
        for team in extracted or []:
            TeamManager.objects.create(organization=membership.organization, team=team, membership=membership)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Role.REP
    expires_at = factory.LazyFunction(lambda: timezone.now() + INVITATION_VALIDITY)

    class Params:
        expired = factory.Trait(expires_at=factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1)))


class ActivityEntryFactory(factory.django.DjangoModelFactory):
    """An entry written straight to the database (tests of reads); services validate real writes."""

    class Meta:
        model = ActivityEntry

    rep = factory.SubFactory(MembershipFactory)
    organization = factory.SelfAttribute("rep.organization")
    activity_type = factory.LazyAttribute(
        lambda o: ActivityType.objects.filter(organization=o.organization).order_by("position").first()
    )
    date = factory.LazyFunction(lambda: timezone.localdate())
    quantity = 1
    entered_by = factory.SelfAttribute("rep.user")


class ImportBatchFactory(factory.django.DjangoModelFactory):
    """An uploaded CSV, not yet imported (its uploader is a manager of the organization)."""

    class Meta:
        model = ImportBatch

    uploaded_by = factory.SubFactory(MembershipFactory, role=Role.MANAGER)
    organization = factory.SelfAttribute("uploaded_by.organization")
    filename = "entries.csv"
    content = "email,date,type,quantity\n"
    row_count = 0
