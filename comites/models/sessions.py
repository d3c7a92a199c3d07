"""Sessions of a committee, their status log, attendance and the amendments to signed minutes."""

import datetime
import operator
from functools import reduce

import pghistory
import pgtrigger
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from alize import triggers
from alize.modelkit import author, choice_values, sane_years, years_check
from alize.models import OPERATOR_ROLES, Basin, Role
from alize.workflow import TransitionLog, state_fields, transition_log_meta
from comites import rules
from comites.models.committees import Committee, CommitteeMembership, mandate
from comites.workflow import (
    CONVENED_STATUSES,
    SESSION_WORKFLOWS,
    SITTING_STATUSES,
    TAKING_PART_STATUSES,
    AttendanceStatus,
    SessionKind,
    SessionStatus,
)

# The triggers' SQL constants: status values from the choices, never user input.
_TAKING_PART = triggers.sql_list(TAKING_PART_STATUSES)
# A proxy holder who does not take part, and one who stops taking part.
HOLDER_NOT_TAKING_PART = (
    "NEW.proxy_holder_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM comites_attendance a "  # noqa: S608
    "WHERE a.session_id = NEW.session_id AND a.membership_id = NEW.proxy_holder_id "
    f"AND a.status IN ({_TAKING_PART}))"
)
HOLDER_LEAVING = (
    f"NEW.status NOT IN ({_TAKING_PART}) AND EXISTS (SELECT 1 FROM comites_attendance a "  # noqa: S608
    "WHERE a.session_id = NEW.session_id AND a.proxy_holder_id = NEW.membership_id)"
)
ONE_PROXY_MESSAGE = (
    "Ce membre détient déjà une procuration pour cette séance : une seule par membre."
)
PROXY_HOLDER_TAKES_PART_MESSAGE = "Le détenteur d'une procuration doit être présent ou à distance."


class SessionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The sessions a user may read.

        Operator staff and managers read every session of their basins' committees, drafts
        included; a person reads the sessions of the committees they sit on (a mandate in
        force on the session's day), from the convocation on; administrators read all;
        anyone else, none.
        """
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.ADMIN):
            return self
        scopes = []
        if user.has_role(*OPERATOR_ROLES):
            scopes.append(Q(committee__basin__in=user.basins.all()))
        # The session's local day; wrapped, because TruncDate needs to know its input's type.
        session_day = TruncDate(
            models.ExpressionWrapper(OuterRef("starts_at"), output_field=models.DateTimeField())
        )
        sits = CommitteeMembership.objects.filter(
            committee=OuterRef("committee"), person=user
        ).active_on(session_day)
        scopes.append(Q(Exists(sits), status__in=choice_values(CONVENED_STATUSES)))
        return self.filter(reduce(operator.or_, scopes))

    def for_basin(self, basin: Basin):
        return self.filter(committee__basin=basin)

    def for_committee(self, committee: Committee):
        return self.filter(committee=committee)

    def upcoming(self):
        return self.filter(starts_at__gte=timezone.now()).order_by("starts_at")

    def with_related(self):
        return self.select_related("committee__basin", "first_convocation")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Session(models.Model):
    """One sitting of a committee (when and where, its agenda, attendance and minutes), or
    a written consultation of its members: no room and no attendance, the members vote in
    the application until `closes_at`, and the quorum counts those who voted.

    Its status only changes through `comites.services`, which log each move. The rules in
    force (quorum, casting vote, notice) are copied from the committee when it is created
    and again when it is convened: minutes read them here. Once the chair signs the
    minutes, the database refuses any change to the session.
    """

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="sessions", verbose_name="comité"
    )
    kind = models.CharField(
        "nature", max_length=20, choices=SessionKind.choices, default=SessionKind.SITTING
    )
    starts_at = models.DateTimeField("date et heure", validators=sane_years())
    closes_at = models.DateTimeField(
        "clôture des votes",
        validators=sane_years(),
        null=True,
        blank=True,
        help_text="Consultation écrite : les membres votent jusqu'à cette date et heure.",
    )
    duration_minutes = models.PositiveSmallIntegerField("durée prévue (minutes)", default=120)
    place = models.CharField("lieu", max_length=250, blank=True)
    video_link = models.URLField("lien de visioconférence", max_length=500, blank=True)
    agenda_notes = models.TextField(
        "autres points à l'ordre du jour",
        blank=True,
        validators=[MaxLengthValidator(4000, "Ce texte tient en 4 000 caractères.")],
        help_text="Par exemple, pour le comité de pilotage : bilan du programme.",
    )
    first_convocation = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="second_convocation",
        verbose_name="séance dont le quorum n'a pas été atteint",
        help_text="Une seconde convocation délibère sans condition de quorum.",
    )
    status = models.CharField(
        "état",
        max_length=10,
        choices=SessionStatus.choices,
        default=SessionStatus.DRAFT,
        editable=False,
    )
    status_changed_at = models.DateTimeField("dans cet état depuis", default=timezone.now)
    # The committee's rules, copied (see the class docstring).
    quorum_numerator = models.PositiveSmallIntegerField("quorum : numérateur", default=1)
    quorum_denominator = models.PositiveSmallIntegerField("quorum : dénominateur", default=2)
    chair_casting_vote = models.BooleanField("voix prépondérante du président", default=True)
    notice_days = models.PositiveSmallIntegerField("délai de convocation (jours)", default=5)
    convened_at = models.DateTimeField("convoquée le", null=True, blank=True, editable=False)
    convened_by = author("convoquée par", null=True, blank=True)
    opened_at = models.DateTimeField("ouverte le", null=True, blank=True, editable=False)
    closed_at = models.DateTimeField("close le", null=True, blank=True, editable=False)
    signed_at = models.DateTimeField("procès-verbal signé le", null=True, blank=True)
    signed_by = author("procès-verbal signé par", null=True, blank=True)
    created_by = author("créée par")
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = "séance"
        verbose_name_plural = "séances"
        ordering = ["-starts_at", "-pk"]
        constraints = [
            years_check("starts_at", "session_starts_at_sane_year", with_time=True),
            years_check("closes_at", "session_closes_at_sane_year", with_time=True),
            models.CheckConstraint(
                condition=Q(status__in=choice_values(SessionStatus)),
                name="session_status_known",
                violation_error_message="État de séance inconnu.",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=choice_values(SessionKind)),
                name="session_kind_known",
                violation_error_message="Nature de séance inconnue.",
            ),
            models.CheckConstraint(
                condition=Q(kind=SessionKind.SITTING, closes_at__isnull=True)
                | Q(kind=SessionKind.WRITTEN, closes_at__gt=F("starts_at")),
                name="session_written_iff_closing_date",
                violation_error_message=(
                    "Une consultation écrite se clôt après son ouverture ; une séance n'a pas "
                    "de date de clôture des votes."
                ),
            ),
            models.CheckConstraint(
                condition=Q(kind=SessionKind.WRITTEN) | ~Q(place="") | ~Q(video_link=""),
                name="session_has_place_or_link",
                violation_error_message=(
                    "Indiquez le lieu de la séance ou son lien de visioconférence."
                ),
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=720),
                name="session_duration_range",
                violation_error_message="Une séance dure de 15 minutes à 12 heures.",
            ),
            models.CheckConstraint(
                condition=Q(quorum_numerator__gte=1, quorum_numerator__lte=F("quorum_denominator")),
                name="session_quorum_fraction_valid",
                violation_error_message="Le quorum est une fraction comprise entre 0 et 1.",
            ),
            models.CheckConstraint(
                condition=Q(status=SessionStatus.DRAFT, convened_at__isnull=True)
                | Q(
                    status__in=choice_values(CONVENED_STATUSES),
                    convened_at__isnull=False,
                    convened_by__isnull=False,
                ),
                name="session_convened_iff_convocation_stamped",
                violation_error_message="Une séance convoquée porte la date de sa convocation.",
            ),
            models.CheckConstraint(
                # A consultation is launched on its day, at any hour.
                condition=Q(convened_at__isnull=True)
                | Q(convened_at__lt=F("starts_at"))
                | Q(kind=SessionKind.WRITTEN),
                name="session_convened_before_it_starts",
                violation_error_message="On convoque une séance avant qu'elle ait lieu.",
            ),
            models.CheckConstraint(
                condition=~Q(
                    status__in=[SessionStatus.OPEN, SessionStatus.CLOSED, SessionStatus.SIGNED]
                )
                | Q(opened_at__isnull=False),
                name="session_open_stamped",
                violation_error_message="Une séance ouverte porte l'heure de son ouverture.",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[SessionStatus.CLOSED, SessionStatus.SIGNED])
                | Q(closed_at__isnull=False),
                name="session_closed_stamped",
                violation_error_message="Une séance close porte l'heure de sa clôture.",
            ),
            models.CheckConstraint(
                condition=Q(
                    status=SessionStatus.SIGNED, signed_at__isnull=False, signed_by__isnull=False
                )
                | Q(
                    ~Q(status=SessionStatus.SIGNED), signed_at__isnull=True, signed_by__isnull=True
                ),
                name="session_signed_iff_signature",
                violation_error_message=(
                    "Un procès-verbal signé porte la date et le nom de son signataire, "
                    "et seulement lui."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(first_convocation=F("pk")),
                name="session_second_convocation_of_another",
                violation_error_message="Une seconde convocation suit une autre séance.",
            ),
        ]
        indexes = [models.Index(fields=["committee", "starts_at"], name="session_committee_idx")]
        triggers = [
            triggers.refuse_when(
                "session_signed_is_locked",
                condition=pgtrigger.Q(old__status=SessionStatus.SIGNED),
                message=(
                    "Le procès-verbal de cette séance est signé : elle ne se modifie plus. "
                    "Une correction se fait par un avenant."
                ),
            ),
        ]

    def __str__(self):
        when = timezone.localtime(self.starts_at) if self.starts_at else None
        day = f" du {when:%d/%m/%Y}" if when else ""
        what = "Consultation écrite" if self.is_written else "Séance"
        return f"{what}{day} – {self.committee}" if self.committee_id else f"{what}{day}"

    def get_absolute_url(self) -> str:
        return reverse("comites:session_detail", args=[self.pk])

    @property
    def day(self) -> datetime.date:
        """The session's date in local time: the date of its decisions and of the cap."""
        return rules.local_day(self.starts_at)

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def is_second_convocation(self) -> bool:
        return self.first_convocation_id is not None

    @property
    def is_late_convocation(self) -> bool:
        """Convened with less notice than the committee's rule: allowed, flagged in the
        minutes."""
        return rules.is_late_notice(self.convened_at, self.starts_at, self.notice_days)

    @property
    def notice_given_days(self) -> int | None:
        if self.convened_at is None:
            return None
        return rules.notice_days(self.convened_at, self.starts_at)

    @property
    def is_written(self) -> bool:
        return self.kind == SessionKind.WRITTEN

    @property
    def workflow(self):
        """The moves of this kind of session (`comites.workflow.SESSION_WORKFLOWS`)."""
        return SESSION_WORKFLOWS[SessionKind(self.kind)]

    @property
    def is_sitting(self) -> bool:
        return self.status in SITTING_STATUSES

    @property
    def is_signed(self) -> bool:
        return self.status == SessionStatus.SIGNED

    @property
    def badge(self) -> dict[str, str]:
        return self.workflow.badge(self.status)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class SessionTransition(TransitionLog):
    """One move of a session (`comites.workflow.SESSION_WORKFLOW`); append-only."""

    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="transitions", verbose_name="séance"
    )
    from_state, to_state = state_fields(SessionStatus)

    class Meta(TransitionLog.Meta):
        verbose_name = "changement d'état de séance"
        verbose_name_plural = "changements d'état de séance"
        constraints, triggers = transition_log_meta("session_transition")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Attendance(models.Model):
    """Whether a member of the committee attends a session, and who holds their proxy.

    One row per member and session; a member without a row is absent. A member holds at
    most one proxy (a unique constraint), and only if present or remote (a trigger). Once
    the session is closed, attendance no longer changes (a trigger too).
    """

    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="attendances", verbose_name="séance"
    )
    membership = mandate("membre", "attendances")
    status = models.CharField("présence", max_length=10, choices=AttendanceStatus.choices)
    proxy_holder = mandate("procuration donnée à", "proxies_held", null=True, blank=True)
    recorded_by = author("enregistrée par")
    recorded_at = models.DateTimeField("enregistrée le", default=timezone.now)

    class Meta:
        verbose_name = "présence"
        verbose_name_plural = "présences"
        ordering = ["session", "membership__role", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "membership"],
                name="attendance_one_per_member_and_session",
                violation_error_message="La présence de ce membre est déjà enregistrée.",
            ),
            models.UniqueConstraint(
                fields=["session", "proxy_holder"],
                condition=Q(proxy_holder__isnull=False),
                name="attendance_one_proxy_per_holder",
                violation_error_message=ONE_PROXY_MESSAGE,
            ),
            models.CheckConstraint(
                condition=Q(status__in=choice_values(AttendanceStatus)),
                name="attendance_status_known",
                violation_error_message="Présence inconnue.",
            ),
            models.CheckConstraint(
                condition=Q(status=AttendanceStatus.REPRESENTED, proxy_holder__isnull=False)
                | Q(~Q(status=AttendanceStatus.REPRESENTED), proxy_holder__isnull=True),
                name="attendance_represented_iff_proxy_holder",
                violation_error_message=(
                    "Un membre représenté l'est par le détenteur de sa procuration, "
                    "et seulement lui."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(proxy_holder=F("membership")),
                name="attendance_no_proxy_to_oneself",
                violation_error_message="Un membre ne se donne pas procuration à lui-même.",
            ),
        ]
        triggers = [
            triggers.guard(
                "attendance_while_sitting",
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                checks=[
                    (
                        triggers.parent_missing(
                            "comites_session",
                            "s",
                            "COALESCE(NEW.session_id, OLD.session_id)",
                            f"s.status IN ({triggers.sql_list(SITTING_STATUSES)}) "
                            f"AND s.kind = {triggers.sql_text(SessionKind.SITTING)}",
                        ),
                        "La présence ne s'enregistre que pour une séance convoquée ou en cours, "
                        "jamais pour une consultation écrite.",
                    ),
                ],
            ),
            triggers.guard(
                "attendance_proxy_holder_takes_part",
                operation=pgtrigger.Insert | pgtrigger.Update,
                checks=[
                    (HOLDER_NOT_TAKING_PART, PROXY_HOLDER_TAKES_PART_MESSAGE),
                    (
                        HOLDER_LEAVING,
                        "Ce membre détient une procuration : il reste présent ou à distance.",
                    ),
                ],
            ),
        ]

    def __str__(self):
        return f"{self.membership.person} : {self.get_status_display().lower()}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Amendment(models.Model):
    """A correction to signed minutes: the minutes never change, an amendment is added.

    Who, when and what are kept; the database refuses to change or delete one.
    """

    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="amendments", verbose_name="séance"
    )
    item = models.ForeignKey(
        "comites.AgendaItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
        verbose_name="point de l'ordre du jour concerné",
    )
    text = models.TextField(
        "correction",
        validators=[MaxLengthValidator(4000, "Une correction tient en 4 000 caractères.")],
    )
    by = author("par")
    at = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "avenant au procès-verbal"
        verbose_name_plural = "avenants au procès-verbal"
        ordering = ["session", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(text=""),
                name="amendment_text_not_empty",
                violation_error_message="Écrivez la correction.",
            ),
        ]
        triggers = [
            triggers.append_only("amendment_append_only"),
            triggers.insert_guard(
                "amendment_to_signed_minutes",
                triggers.parent_missing(
                    "comites_session",
                    "s",
                    "NEW.session_id",
                    f"s.status = {triggers.sql_text(SessionStatus.SIGNED)}",
                ),
                "Un avenant ne corrige qu'un procès-verbal signé.",
            ),
        ]

    def __str__(self):
        return f"Avenant du {timezone.localtime(self.at):%d/%m/%Y} – {self.session}"
