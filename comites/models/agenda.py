"""The agenda of a session, the recusals, the votes and the decision on each dossier."""

from decimal import Decimal

import pghistory
import pgtrigger
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from alize import triggers
from alize.modelkit import (
    SubqueryCount,
    author,
    check,
    choice_values,
    field_is,
    known_choice,
    labels_of,
    link,
    sane_years,
    signed,
    text_limit,
    tidy_choice_list,
    unique,
    where,
    years_check,
)
from alize.models import MONEY
from comites.models.committees import mandate
from comites.models.sessions import Session
from comites.rules import Tally
from comites.workflow import (
    CASTING_CAPACITIES,
    DOSSIER_STATE_FOR,
    DecisionOutcome,
    ItemStatus,
    MemberRole,
    RecusalReason,
    SessionKind,
    VoteCapacity,
    VoteChoice,
)
from grandes_entreprises.models import Corporation
from pme.models import Dossier, Need

# The triggers' SQL constants: status values from the choices, never user input.
_CLOSED = triggers.sql_text(ItemStatus.CLOSED)
_OPEN = triggers.sql_text(ItemStatus.OPEN)
_SITTING = triggers.sql_text(SessionKind.SITTING)
ONE_VOTE_MESSAGE = (
    "Un vote est déjà enregistré pour ce membre sur ce dossier : on ne vote qu'une fois."
)
ZERO = Decimal("0.00")


class AgendaItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The items of the sessions the user may read (`Session.objects.visible_to`)."""
        return self.filter(session__in=Session.objects.visible_to(user))

    def with_tally(self):
        """Annotate `votes_for`, `votes_against`, `abstentions` and `chair_choice`.

        Counted by the database, one correlated subquery each: the tally of any number of
        items costs one query. `chair_choice` is the chair's own vote (see
        `CASTING_CAPACITIES`), which decides a tie when the session's rules say so.
        """
        votes = Vote.objects.filter(item=OuterRef("pk")).order_by().values("pk")
        chair_vote = Vote.objects.filter(
            item=OuterRef("pk"),
            member__role=MemberRole.CHAIR,
            capacity__in=choice_values(CASTING_CAPACITIES),
        ).values("choice")[:1]
        return self.annotate(
            votes_for=SubqueryCount(votes.filter(choice=VoteChoice.FOR)),
            votes_against=SubqueryCount(votes.filter(choice=VoteChoice.AGAINST)),
            abstentions=SubqueryCount(votes.filter(choice=VoteChoice.ABSTAIN)),
            chair_choice=Subquery(chair_vote, output_field=models.CharField()),
        )

    pending = where(status=ItemStatus.PENDING)
    closed = where(status=ItemStatus.CLOSED)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class AgendaItem(models.Model):
    """A dossier on a session's agenda, in order, and the vote on it.

    Only dossiers "submitted to committee" of the committee's basin go on an approval
    committee's agenda (`comites.services.add_agenda_item`). The item carries the
    corporations proposed to support the SME: their representatives are recused
    automatically. The vote moves pending → open → closed; a closed item never reopens.
    """

    session = link(Session, "séance", "items")
    dossier = link(Dossier, "dossier", "agenda_items")
    order = models.PositiveSmallIntegerField("rang", validators=[MinValueValidator(1)])
    proposed_corporations = models.ManyToManyField(
        Corporation,
        blank=True,
        related_name="proposed_on_items",
        verbose_name="grandes entreprises proposées pour l'accompagnement",
    )
    status = models.CharField(
        "vote", max_length=12, choices=ItemStatus.choices, default=ItemStatus.PENDING
    )
    opened_at = models.DateTimeField("vote ouvert le", null=True, blank=True, editable=False)
    opened_by = author("vote ouvert par", null=True, blank=True)
    closed_at = models.DateTimeField("vote clos le", null=True, blank=True, editable=False)
    closed_by = author("vote clos par", null=True, blank=True)

    objects = AgendaItemQuerySet.as_manager()

    class Meta:
        verbose_name = "point de l'ordre du jour"
        verbose_name_plural = "points de l'ordre du jour"
        ordering = ["session", "order"]
        constraints = [
            unique(
                ["session", "dossier"],
                "agenda_item_dossier_once_per_session",
                "Ce dossier est déjà à l'ordre du jour de cette séance.",
            ),
            unique(
                ["session", "order"],
                "agenda_item_order_unique",
                "Ce rang est déjà pris à l'ordre du jour de cette séance.",
                # Deferred: two items swap places within one transaction.
                deferrable=models.Deferrable.DEFERRED,
            ),
            known_choice("status", ItemStatus, "agenda_item_status_known", "État de vote inconnu."),
            check(Q(order__gte=1), "agenda_item_order_positive", "Le rang commence à 1."),
            check(
                Q(status=ItemStatus.PENDING, opened_at__isnull=True)
                | Q(status=ItemStatus.OPEN, opened_at__isnull=False, closed_at__isnull=True)
                | Q(status=ItemStatus.CLOSED, opened_at__isnull=False, closed_at__isnull=False),
                "agenda_item_status_stamped",
                "Un vote ouvert ou clos porte l'heure de son ouverture et de sa clôture.",
            ),
        ]
        triggers = [
            # In a sitting, one vote at a time; a written consultation opens them all. A
            # trigger, as the rule reads the session's kind (the services lock the session).
            triggers.guard(
                "agenda_item_one_open_vote_per_sitting",
                operation=pgtrigger.Insert | pgtrigger.Update,
                checks=[
                    (
                        f"NEW.status = {_OPEN} AND EXISTS (SELECT 1 FROM comites_agendaitem i "  # noqa: S608
                        "JOIN comites_session s ON s.id = i.session_id "
                        "WHERE i.session_id = NEW.session_id AND i.id <> NEW.id "
                        f"AND i.status = {_OPEN} AND s.kind = {_SITTING})",
                        "Un autre vote est déjà ouvert : closez-le d'abord.",
                    ),
                ],
            ),
            triggers.refuse_when(
                "agenda_item_closed_is_final",
                condition=pgtrigger.Q(old__status=ItemStatus.CLOSED),
                message="Le vote sur ce point est clos : il ne se modifie plus.",
            ),
        ]

    def __str__(self):
        return f"Point n° {self.order} : {self.dossier.pme}" if self.dossier_id else "Point"

    @property
    def tally(self) -> Tally:
        """The tally, from the annotations of `AgendaItemQuerySet.with_tally`."""
        return Tally(
            votes_for=self.votes_for,
            votes_against=self.votes_against,
            abstentions=self.abstentions,
            chair_choice=self.chair_choice,
            casting_vote=self.session.chair_casting_vote,
        )

    is_open = field_is("status", ItemStatus.OPEN)
    is_closed = field_is("status", ItemStatus.CLOSED)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Recusal(models.Model):
    """A member's withdrawal (déport) from the vote on one dossier.

    Automatic when the member's corporation is proposed to support the SME; declared
    otherwise, with the interest stated. A recused member neither votes nor counts for that
    vote's quorum; the minutes name them. Fixed once the vote is closed.
    """

    item = link(AgendaItem, "point", "recusals")
    membership = mandate("membre", "recusals")
    reason = models.CharField("motif", max_length=20, choices=RecusalReason.choices)
    details = models.CharField("précisions", max_length=300, blank=True)
    recorded_by, recorded_at = signed("enregistré par", "enregistré le", "+")

    class Meta:
        verbose_name = "déport"
        verbose_name_plural = "déports"
        ordering = ["item", "pk"]
        constraints = [
            unique(
                ["item", "membership"],
                "recusal_once_per_member_and_item",
                "Ce membre est déjà déporté sur ce dossier.",
            ),
            known_choice(
                "reason", RecusalReason, "recusal_reason_known", "Motif de déport inconnu."
            ),
            check(
                ~Q(reason=RecusalReason.DECLARED_INTEREST) | ~Q(details=""),
                "recusal_declared_interest_stated",
                "Précisez l'intérêt déclaré.",
            ),
        ]
        triggers = [
            triggers.guard(
                "recusal_fixed_once_voted",
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                checks=[
                    (
                        f"EXISTS (SELECT 1 FROM comites_agendaitem i WHERE i.id = "  # noqa: S608
                        f"COALESCE(NEW.item_id, OLD.item_id) AND i.status = {_CLOSED})",
                        "Le vote sur ce point est clos : les déports ne changent plus.",
                    ),
                ],
            ),
        ]

    def __str__(self):
        return f"{self.membership.person} déporté(e) : {self.get_reason_display().lower()}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Vote(models.Model):
    """One member's vote on one dossier: for, against or abstain.

    One per member and item (a unique constraint: two clicks at the same instant keep one
    vote). `cast_by` is who pressed the button: the member, the holder of their proxy, or
    the secretary recording a vote given in the room. The database refuses a vote on an
    item whose vote is not open, a vote of a recused member, and any change afterwards.
    """

    item = link(AgendaItem, "point", "votes")
    member = mandate("membre", "votes")
    choice = models.CharField("vote", max_length=10, choices=VoteChoice.choices)
    cast_by = mandate("exprimé par", "votes_cast")
    capacity = models.CharField("qualité", max_length=12, choices=VoteCapacity.choices)
    at = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "vote"
        verbose_name_plural = "votes"
        ordering = ["item", "at", "pk"]
        constraints = [
            unique(["item", "member"], "vote_one_per_member_and_item", ONE_VOTE_MESSAGE),
            known_choice(
                "choice",
                VoteChoice,
                "vote_choice_known",
                "Vote inconnu : pour, contre ou abstention.",
            ),
            check(
                Q(capacity=VoteCapacity.IN_PERSON, cast_by=F("member"))
                | (
                    Q(capacity__in=[VoteCapacity.PROXY, VoteCapacity.SECRETARY])
                    & ~Q(cast_by=F("member"))
                ),
                "vote_capacity_matches_caster",
                "Un vote en personne est exprimé par le membre ; par procuration ou "
                "par le secrétariat, par un autre.",
            ),
        ]
        triggers = [
            triggers.append_only("vote_never_changes"),
            triggers.guard(
                "vote_on_open_item_by_eligible_member",
                operation=pgtrigger.Insert,
                checks=[
                    (
                        triggers.parent_missing(
                            "comites_agendaitem",
                            "i",
                            "NEW.item_id",
                            f"i.status = {triggers.sql_text(ItemStatus.OPEN)}",
                        ),
                        "Le vote sur ce point n'est pas ouvert.",
                    ),
                    (
                        "EXISTS (SELECT 1 FROM comites_recusal r WHERE r.item_id = NEW.item_id "
                        "AND r.membership_id = NEW.member_id)",
                        "Ce membre est déporté sur ce dossier : il ne vote pas.",
                    ),
                ],
            ),
        ]

    def __str__(self):
        return f"{self.member.person} : {self.get_choice_display().lower()}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Decision(models.Model):
    """The committee's decision on one dossier, after its vote is closed.

    Approved: with the support plan (corporations, domains) and the advance granted, no
    more than requested and no more than the basin's cap in force on the session's day,
    both copied here so that a later change rewrites nothing. Deferred: with what is
    missing. Rejected: with the reason. Never changed once recorded: a correction is an
    amendment to the minutes.
    """

    item = link(AgendaItem, "point", "decision", one_to_one=True)
    outcome = models.CharField("décision", max_length=10, choices=DecisionOutcome.choices)
    decision_date = models.DateField("date de la décision", validators=sane_years())
    corporations = models.ManyToManyField(
        Corporation,
        blank=True,
        related_name="committee_decisions",
        verbose_name="grandes entreprises qui accompagnent",
    )
    domains = ArrayField(
        models.CharField(max_length=15, choices=Need.choices),
        verbose_name="domaines d'accompagnement",
        default=list,
        blank=True,
    )
    advance_granted = models.DecimalField(
        "avance remboursable accordée (€)",
        **MONEY,
        default=ZERO,
        validators=[MinValueValidator(0, "Le montant ne peut pas être négatif.")],
    )
    advance_requested = models.DecimalField(
        "avance demandée (€)",
        **MONEY,
        help_text="Copiée du dossier au jour de la décision.",
    )
    cap_copied = models.DecimalField(
        "plafond du bassin à la date de la séance (€)",
        **MONEY,
        null=True,
        blank=True,
        help_text="Copié au jour de la décision : un plafond modifié ensuite ne la change pas.",
    )
    missing = models.TextField("éléments manquants", blank=True, validators=text_limit(2000))
    reason = models.TextField("motif du refus", blank=True, validators=text_limit(2000))
    recorded_by, recorded_at = signed("enregistrée par", "enregistrée le", "+")

    class Meta:
        verbose_name = "décision du comité"
        verbose_name_plural = "décisions du comité"
        ordering = ["-decision_date", "-pk"]
        constraints = [
            years_check("decision_date", "decision_decision_date_sane_year"),
            known_choice(
                "outcome", DecisionOutcome, "decision_outcome_known", "Décision inconnue."
            ),
            check(
                Q(advance_granted__gte=0),
                "decision_advance_non_negative",
                "L'avance accordée ne peut pas être négative.",
            ),
            check(
                Q(advance_granted__lte=F("advance_requested")),
                "decision_advance_within_request",
                "L'avance accordée ne peut dépasser l'avance demandée.",
            ),
            check(
                Q(advance_granted=0)
                | Q(cap_copied__isnull=False, advance_granted__lte=F("cap_copied")),
                "decision_advance_within_cap",
                "L'avance accordée ne peut dépasser le plafond du bassin en vigueur à la "
                "date de la séance.",
            ),
            check(
                Q(outcome=DecisionOutcome.APPROVED, domains__len__gte=1)
                | Q(~Q(outcome=DecisionOutcome.APPROVED), advance_granted=0, domains=[]),
                "decision_plan_only_when_approved",
                "Un agrément porte le plan d'accompagnement ; un ajournement ou un refus "
                "n'accorde ni accompagnement ni avance.",
            ),
            check(
                Q(domains__contained_by=Need.values),
                "decision_domains_known",
                "Domaine d'accompagnement inconnu.",
            ),
            check(
                ~Q(outcome=DecisionOutcome.DEFERRED) | ~Q(missing=""),
                "decision_deferral_says_what_is_missing",
                "Un ajournement dit ce qui manque au dossier.",
            ),
            check(
                ~Q(outcome=DecisionOutcome.REJECTED) | ~Q(reason=""),
                "decision_rejection_gives_reason",
                "Un refus est motivé.",
            ),
        ]
        triggers = [
            triggers.append_only("decision_never_changes"),
            triggers.insert_guard(
                "decision_after_closed_vote",
                triggers.parent_missing(
                    "comites_agendaitem", "i", "NEW.item_id", f"i.status = {_CLOSED}"
                ),
                "La décision s'enregistre une fois le vote clos.",
            ),
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} le {self.decision_date:%d/%m/%Y}"

    def clean(self):
        tidy_choice_list(self, "domains", Need)

    domains_labels = labels_of("domains", Need)
    is_approved = field_is("outcome", DecisionOutcome.APPROVED)
    is_deferred = field_is("outcome", DecisionOutcome.DEFERRED)

    @property
    def dossier_state(self) -> str:
        """The state this decision moves its dossier to (`pme.services.decide_dossier`)."""
        return DOSSIER_STATE_FOR[self.outcome]


def visible_dossiers(user):
    """The dossiers a user reaches through the committees: those on the agendas of the
    sessions they may read (for a member, from the convocation on). What a page shows of
    them (never the SME's contacts to a member) is the page's business."""
    return Dossier.objects.filter(pk__in=AgendaItem.objects.visible_to(user).values("dossier_id"))
