"""Committees (one approval and one steering committee per basin) and their members."""

import datetime

import pghistory
import pgtrigger
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from alize.modelkit import author, choice_values, sane_years, years_check
from alize.models import OPERATOR_ROLES, Basin, Role
from comites.workflow import VOTING_ROLES, CommitteeKind, MemberRole
from grandes_entreprises.models import Corporation

ONE_CHAIR_MESSAGE = (
    "Le comité a déjà un(e) président(e) sur cette période : terminez d'abord son mandat."
)
OVERLAPPING_MANDATE_MESSAGE = "Cette personne siège déjà à ce comité sur cette période."


def _sql(text: str) -> str:
    """A message as a SQL string literal's content (quotes doubled)."""
    return text.replace("'", "''")


def mandate(verbose_name: str, related_name: str, **options) -> models.ForeignKey:
    """Which member's mandate a row is about (an attendance, a recusal, a vote), kept for
    ever."""
    return models.ForeignKey(
        "comites.CommitteeMembership",
        on_delete=models.PROTECT,
        related_name=related_name,
        verbose_name=verbose_name,
        **options,
    )


class CommitteeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Operators read the committees of their basins; a person reads the committees
        they sit or sat on; administrators read all."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.ADMIN):
            return self
        sits = Q(pk__in=CommitteeMembership.objects.filter(person=user).values("committee_id"))
        if user.has_role(*OPERATOR_ROLES):
            return self.filter(Q(basin__in=user.basins.all()) | sits)
        return self.filter(sits)

    def for_basin(self, basin: Basin):
        return self.filter(basin=basin)

    def approval(self):
        return self.filter(kind=CommitteeKind.APPROVAL)

    def steering(self):
        return self.filter(kind=CommitteeKind.STEERING)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Committee(models.Model):
    """A basin's approval committee (comité d'agrément) or steering committee (comité de
    pilotage), with its own rules.

    The rules are copied onto each session when it is convened: changing them later
    rewrites no past minutes.
    """

    basin = models.ForeignKey(
        Basin, on_delete=models.PROTECT, related_name="committees", verbose_name="bassin"
    )
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
            models.UniqueConstraint(
                fields=["basin", "kind"],
                name="committee_one_of_each_kind_per_basin",
                violation_error_message="Ce bassin a déjà un comité de cette nature.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=choice_values(CommitteeKind)),
                name="committee_kind_known",
                violation_error_message="Nature de comité inconnue.",
            ),
            models.CheckConstraint(
                condition=Q(quorum_numerator__gte=1, quorum_numerator__lte=F("quorum_denominator")),
                name="committee_quorum_fraction_valid",
                violation_error_message="Le quorum est une fraction comprise entre 0 et 1.",
            ),
            models.CheckConstraint(
                condition=Q(notice_days__lte=60),
                name="committee_notice_days_range",
                violation_error_message="Le délai de convocation tient en 60 jours au plus.",
            ),
        ]

    def __str__(self):
        return self.name or f"{self.get_kind_display()} – {self.basin}"

    @property
    def is_approval(self) -> bool:
        return self.kind == CommitteeKind.APPROVAL


class MembershipQuerySet(models.QuerySet):
    def active_on(self, day):
        """Mandates in force on `day` (a date, or a date expression for subqueries)."""
        return self.filter(Q(start_date__lte=day), Q(end_date__isnull=True) | Q(end_date__gte=day))

    def voting(self):
        return self.filter(role__in=VOTING_ROLES)

    def chairs(self):
        return self.filter(role=MemberRole.CHAIR)

    def of(self, user):
        return self.filter(person=user)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class CommitteeMembership(models.Model):
    """One person's mandate on a committee, for an organisation, in a role, between dates.

    The chair changes over time (Saint-Gobain until June 2008, then Vallourec's HR
    director): a new mandate is a new row, and the database keeps at most one chair at a
    time and one mandate per person at a time on a committee.
    """

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="memberships", verbose_name="comité"
    )
    person = author("personne", "committee_memberships")
    organisation = models.CharField(
        "organisme représenté",
        max_length=200,
        help_text="Par exemple : Vallourec, sous-préfecture de Valenciennes, CCI du Valenciennois.",
    )
    corporation = models.ForeignKey(
        Corporation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="committee_memberships",
        verbose_name="grande entreprise représentée",
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
            models.CheckConstraint(
                condition=Q(role__in=choice_values(MemberRole)),
                name="committee_membership_role_known",
                violation_error_message="Rôle inconnu.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="committee_membership_ends_after_start",
                violation_error_message="La fin du mandat ne peut précéder son début.",
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
                        RAISE EXCEPTION '{_sql(ONE_CHAIR_MESSAGE)}'
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
                        RAISE EXCEPTION '{_sql(OVERLAPPING_MANDATE_MESSAGE)}'
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

    @property
    def is_voting(self) -> bool:
        return self.role in VOTING_ROLES

    @property
    def is_chair(self) -> bool:
        return self.role == MemberRole.CHAIR

    @property
    def holds_office(self) -> bool:
        """The chair or the secretary: the session page names their office."""
        return self.role != MemberRole.MEMBER

    @property
    def name(self) -> str:
        return str(self.person)
