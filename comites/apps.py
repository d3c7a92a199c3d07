from django.apps import AppConfig


class ComitesConfig(AppConfig):
    name = "comites"
    verbose_name = "Comités d'agrément et de pilotage"

    def ready(self):
        register_committee_seat_link()


def register_committee_seat_link():
    """The manager's invitation of a committee member gives them a seat (a member's mandate
    from today) on one of the basin's committees."""
    import datetime

    from alize.models import Role
    from alize.services.users import RoleLink, register_role_link
    from comites.models import Committee, CommitteeMembership
    from comites.services import appoint_member, end_mandate
    from comites.workflow import MemberRole
    from grandes_entreprises.services import remove_committee_representative

    def current(user):
        membership = user.committee_memberships.order_by("-start_date").first()
        return membership.committee if membership else None

    def detach(*, user, by):
        today = datetime.date.today()
        for membership in CommitteeMembership.objects.active_on(today).of(user):
            end_mandate(membership=membership, end_date=today, by=by)
        for corporation in user.represented_corporations.all():
            remove_committee_representative(corporation=corporation, user=user, by=by)

    register_role_link(
        RoleLink(
            role=Role.COMMITTEE_MEMBER,
            field="committee",
            label="Siège au comité",
            model=Committee,
            attach=lambda *, user, target, by: (
                None
                if target.memberships.active_on(datetime.date.today()).of(user).exists()
                else appoint_member(
                    committee=target,
                    person=user,
                    role=MemberRole.MEMBER,
                    start_date=datetime.date.today(),
                    organisation=user.organisation,
                    by=by,
                )
            ),
            current=current,
            detach=detach,
        )
    )
