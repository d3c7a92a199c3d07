"""Committees (one approval and one steering committee per basin) and their members."""

import datetime

import pghistory
import pgtrigger
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from alize.modelkit import (
    author,
    check,
    field_is,
    known_choice,
    link,
    optional_link,
    sane_years,
    unique,
    where,
    years_check,
)
from alize.models import OPERATOR_ROLES, Basin, ReadScopedQuerySet
from alize.triggers import sql_text
from comites.workflow import VOTING_ROLES, CommitteeKind, MemberRole
from grandes_entreprises.models import Corporation

ONE_CHAIR_MESSAGE = (
    "Le comité a déjà un(e) président(e) sur cette période : terminez d'abord son mandat."
)
OVERLAPPING_MANDATE_MESSAGE = "Cette personne siège déjà à ce comité sur cette période."


def mandate(verbose_name: str, related_name: str, **options) -> models.ForeignKey:
    """Which member's mandate a row is about (an attendance, a recusal, a vote), kept for
    ever."""
    return link("comites.CommitteeMembership", verbose_name, related_name, **options)


def quorum_is_a_fraction(prefix: str) -> models.CheckConstraint:
    """The quorum (a committee's rule, copied onto each of its sessions) is a fraction of
    the members, more than none and at most all of them."""
    return check(
        Q(quorum_numerator__gte=1, quorum_numerator__lte=F("quorum_denominator")),
        f"{prefix}_quorum_fraction_valid",
        "Le quorum est une fraction comprise entre 0 et 1.",
    )


class CommitteeQuerySet(ReadScopedQuerySet):
    def read_scope(self, user) -> Q:
        """Operators read the committees of their basins; a person reads the committees
        they sit or sat on; administrators read all."""
        sits = Q(pk__in=CommitteeMembership.objects.filter(person=user).values("committee_id"))
        if user.has_role(*OPERATOR_ROLES):
            return Q(basin__in=user.basins.all()) | sits
        return sits

    def for_basin(self, basin: Basin):
        return self.filter(basin=basin)

    approval = where(kind=CommitteeKind.APPROVAL)
    steering = where(kind=CommitteeKind.STEERING)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Committee(models.Model):
    """A basin's approval committee (comité d'agrément) or steering committee (comité de
    pilotage), with its own rules.

    The rules are copied onto each session when it is convened: changing them later
    rewrites no past minutes.
    """

    basin = link(Basin, "bassin", "committees")
    kind = models.CharField("nature", max_length=10, choices=CommitteeKind.choices)
    name = models.CharField(
        "intitulé",
        max_length=200,
        blank=True,
        help_text="Par défaut : « Comité d'agrément du Valenciennois ».",
    )
    quorum_numerator = models.PositiveSmallIntegerField(
        "quorum : numérateur",
        default=1,
        help_text="Le quorum est une fraction des membres : 1/2 par défaut (décret 2006-672).",
    )
    quorum_denominator = models.PositiveSmallIntegerField("quorum : dénominateur", default=2)
    chair_casting_vote = models.BooleanField(
        "voix prépondérante du président",
        default=True,
        help_text="En cas de partage égal des voix, la voix du président l'emporte.",
    )
    notice_days = models.PositiveSmallIntegerField(
        "délai de convocation (jours)",
        default=5,
        help_text="Une convocation plus tardive reste possible ; le procès-verbal le signale.",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    objects = CommitteeQuerySet.as_manager()

    class Meta:
        verbose_name = "comité"
        verbose_name_plural = "comités"
        ordering = ["basin__name", "kind"]
        constraints = [
            unique(
                ["basin", "kind"],
                "committee_one_of_each_kind_per_basin",
                "Ce bassin a déjà un comité de cette nature.",
            ),
            known_choice(
                "kind", CommitteeKind, "committee_kind_known", "Nature de comité inconnue."
            ),
            quorum_is_a_fraction("committee"),
            check(
                Q(notice_days__lte=60),
                "committee_notice_days_range",
                "Le délai de convocation tient en 60 jours au plus.",
            ),
        ]

    def __str__(self):
        return self.name or f"{self.get_kind_display()} – {self.basin}"

    is_approval = field_is("kind", CommitteeKind.APPROVAL)


class MembershipQuerySet(models.QuerySet):
    def active_on(self, day):
        """Mandates in force on `day` (a date, or a date expression for subqueries)."""
        return self.filter(Q(start_date__lte=day), Q(end_date__isnull=True) | Q(end_date__gte=day))

    voting = where(role__in=VOTING_ROLES)
    chairs = where(role=MemberRole.CHAIR)

    def of(self, user):
        return self.filter(person=user)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class CommitteeMembership(models.Model):
    """One person's mandate on a committee, for an organisation, in a role, between dates.

    The chair changes over time (Saint-Gobain until June 2008, then Vallourec's HR
    director): a new mandate is a new row, and the database keeps at most one chair at a
    time and one mandate per person at a time on a committee.
    """

    committee = link(Committee, "comité", "memberships")
    person = author("personne", "committee_memberships")
    organisation = models.CharField(
        "organisme représenté",
        max_length=200,
        help_text="Par exemple : Vallourec, sous-préfecture de Valenciennes, CCI du Valenciennois.",
    )
    corporation = optional_link(
        Corporation,
        "grande entreprise représentée",
        "committee_memberships",
        help_text="Connue, elle déporte automatiquement le membre des dossiers qu'elle accompagne.",
    )
    role = models.CharField("rôle", max_length=10, choices=MemberRole.choices)
    start_date = models.DateField("début du mandat", validators=sane_years())
    end_date = models.DateField("fin du mandat", null=True, blank=True, validators=sane_years())
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "membre du comité"
        verbose_name_plural = "membres du comité"
        ordering = ["committee", "role", "start_date", "pk"]
        constraints = [
            years_check("start_date", "committee_membership_start_date_sane_year"),
            years_check("end_date", "committee_membership_end_date_sane_year"),
            known_choice("role", MemberRole, "committee_membership_role_known", "Rôle inconnu."),
            check(
                Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                "committee_membership_ends_after_start",
                "La fin du mandat ne peut précéder son début.",
            ),
        ]
        # Mandates must not overlap: one chair at a time per committee, one mandate per
        # person and committee at a time. A trigger rather than exclusion constraints, which
        # need the btree_gist extension that the embedded PostgreSQL does not ship. It
        # locks the committee row first, so concurrent writers are checked one after the
        # other (the services lock it too, and give the French message before the trigger).
        triggers = [
            pgtrigger.Trigger(
                name="committee_mandates_do_not_overlap",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func=f"""
                    PERFORM 1 FROM comites_committee WHERE id = NEW.committee_id FOR UPDATE;
                    IF NEW.role = '{MemberRole.CHAIR.value}' AND EXISTS (
                        SELECT 1 FROM comites_committeemembership AS m
                        WHERE m.committee_id = NEW.committee_id
                          AND m.id <> NEW.id
                          AND m.role = '{MemberRole.CHAIR.value}'
                          AND daterange(m.start_date, m.end_date, '[]')
                              && daterange(NEW.start_date, NEW.end_date, '[]')
                    ) THEN
                        RAISE EXCEPTION {sql_text(ONE_CHAIR_MESSAGE)}
                            USING ERRCODE = 'exclusion_violation';
                    END IF;
                    IF EXISTS (
                        SELECT 1 FROM comites_committeemembership AS m
                        WHERE m.committee_id = NEW.committee_id
                          AND m.person_id = NEW.person_id
                          AND m.id <> NEW.id
                          AND daterange(m.start_date, m.end_date, '[]')
                              && daterange(NEW.start_date, NEW.end_date, '[]')
                    ) THEN
                        RAISE EXCEPTION {sql_text(OVERLAPPING_MANDATE_MESSAGE)}
                            USING ERRCODE = 'exclusion_violation';
                    END IF;
                    RETURN NEW;
                """,  # noqa: S608 - constants of this module, no user input
            ),
        ]

    def __str__(self):
        return f"{self.person} ({self.organisation}), {self.get_role_display().lower()}"

    def clean(self):
        if (
            self.corporation_id
            and self.committee_id
            and self.corporation.basin_id != self.committee.basin_id
        ):
            raise ValidationError(
                {"corporation": "Cette entreprise appartient à un autre bassin que le comité."}
            )

    def is_active_on(self, day: datetime.date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)

    is_voting = field_is("role", *VOTING_ROLES)
    is_chair = field_is("role", MemberRole.CHAIR)

    @property
    def holds_office(self) -> bool:
        """The chair or the secretary: the session page names their office."""
        return self.role != MemberRole.MEMBER

    @property
    def name(self) -> str:
        return str(self.person)
