"""Sessions of a committee, their status log, attendance and the amendments to signed minutes."""

import datetime
import operator
from functools import reduce

import pghistory
import pgtrigger
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from alize import triggers
from alize.modelkit import (
    HasPage,
    author,
    check,
    choice_values,
    field_is,
    known_choice,
    link,
    optional_link,
    sane_years,
    signed,
    text_limit,
    unique,
    years_check,
)
from alize.models import OPERATOR_ROLES, Basin, ReadScopedQuerySet
from alize.workflow import TransitionLog, state_fields, transition_log_meta
from comites import rules
from comites.models.committees import (
    Committee,
    CommitteeMembership,
    mandate,
    quorum_is_a_fraction,
)
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


class SessionQuerySet(ReadScopedQuerySet):
    def read_scope(self, user) -> Q:
        """The sessions a user may read.

        Operator staff and managers read every session of their basins' committees, drafts
        included; a person reads the sessions of the committees they sit on (a mandate in
        force on the session's day), from the convocation on; administrators read all;
        anyone else, none.
        """
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
        return reduce(operator.or_, scopes)

    def for_basin(self, basin: Basin):
        return self.filter(committee__basin=basin)

    def for_committee(self, committee: Committee):
        return self.filter(committee=committee)

    def upcoming(self):
        return self.filter(starts_at__gte=timezone.now()).order_by("starts_at")

    def with_related(self):
        return self.select_related("committee__basin", "first_convocation")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Session(HasPage, models.Model):
    """One sitting of a committee (when and where, its agenda, attendance and minutes), or
    a written consultation of its members: no room and no attendance, the members vote in
    the application until `closes_at`, and the quorum counts those who voted.

    Its status only changes through `comites.services`, which log each move. The rules in
    force (quorum, casting vote, notice) are copied from the committee when it is created
    and again when it is convened: minutes read them here. Once the chair signs the
    minutes, the database refuses any change to the session.
    """

    committee = link(Committee, "comité", "sessions")
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
        validators=text_limit(4000),
        help_text="Par exemple, pour le comité de pilotage : bilan du programme.",
    )
    first_convocation = optional_link(
        "self",
        "séance dont le quorum n'a pas été atteint",
        "second_convocation",
        one_to_one=True,
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
    detail_url_name = "comites:session_detail"

    class Meta:
        verbose_name = "séance"
        verbose_name_plural = "séances"
        ordering = ["-starts_at", "-pk"]
        constraints = [
            years_check("starts_at", "session_starts_at_sane_year", with_time=True),
            years_check("closes_at", "session_closes_at_sane_year", with_time=True),
            known_choice(
                "status", SessionStatus, "session_status_known", "État de séance inconnu."
            ),
            known_choice("kind", SessionKind, "session_kind_known", "Nature de séance inconnue."),
            check(
                Q(kind=SessionKind.SITTING, closes_at__isnull=True)
                | Q(kind=SessionKind.WRITTEN, closes_at__gt=F("starts_at")),
                "session_written_iff_closing_date",
                "Une consultation écrite se clôt après son ouverture ; une séance n'a pas "
                "de date de clôture des votes.",
            ),
            check(
                Q(kind=SessionKind.WRITTEN) | ~Q(place="") | ~Q(video_link=""),
                "session_has_place_or_link",
                "Indiquez le lieu de la séance ou son lien de visioconférence.",
            ),
            check(
                Q(duration_minutes__gte=15, duration_minutes__lte=720),
                "session_duration_range",
                "Une séance dure de 15 minutes à 12 heures.",
            ),
            quorum_is_a_fraction("session"),
            check(
                Q(status=SessionStatus.DRAFT, convened_at__isnull=True)
                | Q(
                    status__in=choice_values(CONVENED_STATUSES),
                    convened_at__isnull=False,
                    convened_by__isnull=False,
                ),
                "session_convened_iff_convocation_stamped",
                "Une séance convoquée porte la date de sa convocation.",
            ),
            check(
                # A consultation is launched on its day, at any hour.
                Q(convened_at__isnull=True)
                | Q(convened_at__lt=F("starts_at"))
                | Q(kind=SessionKind.WRITTEN),
                "session_convened_before_it_starts",
                "On convoque une séance avant qu'elle ait lieu.",
            ),
            check(
                ~Q(status__in=[SessionStatus.OPEN, SessionStatus.CLOSED, SessionStatus.SIGNED])
                | Q(opened_at__isnull=False),
                "session_open_stamped",
                "Une séance ouverte porte l'heure de son ouverture.",
            ),
            check(
                ~Q(status__in=[SessionStatus.CLOSED, SessionStatus.SIGNED])
                | Q(closed_at__isnull=False),
                "session_closed_stamped",
                "Une séance close porte l'heure de sa clôture.",
            ),
            check(
                Q(status=SessionStatus.SIGNED, signed_at__isnull=False, signed_by__isnull=False)
                | Q(
                    ~Q(status=SessionStatus.SIGNED), signed_at__isnull=True, signed_by__isnull=True
                ),
                "session_signed_iff_signature",
                "Un procès-verbal signé porte la date et le nom de son signataire, "
                "et seulement lui.",
            ),
            check(
                ~Q(first_convocation=F("pk")),
                "session_second_convocation_of_another",
                "Une seconde convocation suit une autre séance.",
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

    is_written = field_is("kind", SessionKind.WRITTEN)

    @property
    def workflow(self):
        """The moves of this kind of session (`comites.workflow.SESSION_WORKFLOWS`)."""
        return SESSION_WORKFLOWS[SessionKind(self.kind)]

    is_sitting = field_is("status", *SITTING_STATUSES)
    is_signed = field_is("status", SessionStatus.SIGNED)

    @property
    def badge(self) -> dict[str, str]:
        return self.workflow.badge(self.status)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class SessionTransition(TransitionLog):
    """One move of a session (`comites.workflow.SESSION_WORKFLOW`); append-only."""

    session = link(Session, "séance", "transitions")
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

    session = link(Session, "séance", "attendances")
    membership = mandate("membre", "attendances")
    status = models.CharField("présence", max_length=10, choices=AttendanceStatus.choices)
    proxy_holder = mandate("procuration donnée à", "proxies_held", null=True, blank=True)
    recorded_by, recorded_at = signed("enregistrée par", "enregistrée le", "+")

    class Meta:
        verbose_name = "présence"
        verbose_name_plural = "présences"
        ordering = ["session", "membership__role", "pk"]
        constraints = [
            unique(
                ["session", "membership"],
                "attendance_one_per_member_and_session",
                "La présence de ce membre est déjà enregistrée.",
            ),
            unique(
                ["session", "proxy_holder"],
                "attendance_one_proxy_per_holder",
                ONE_PROXY_MESSAGE,
                condition=Q(proxy_holder__isnull=False),
            ),
            known_choice(
                "status", AttendanceStatus, "attendance_status_known", "Présence inconnue."
            ),
            check(
                Q(status=AttendanceStatus.REPRESENTED, proxy_holder__isnull=False)
                | Q(~Q(status=AttendanceStatus.REPRESENTED), proxy_holder__isnull=True),
                "attendance_represented_iff_proxy_holder",
                "Un membre représenté l'est par le détenteur de sa procuration, et seulement lui.",
            ),
            check(
                ~Q(proxy_holder=F("membership")),
                "attendance_no_proxy_to_oneself",
                "Un membre ne se donne pas procuration à lui-même.",
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

    session = link(Session, "séance", "amendments")
    item = optional_link("comites.AgendaItem", "point de l'ordre du jour concerné", "amendments")
    text = models.TextField("correction", validators=text_limit(4000, "Une correction"))
    by, at = signed("par", "le", "+")

    class Meta:
        verbose_name = "avenant au procès-verbal"
        verbose_name_plural = "avenants au procès-verbal"
        ordering = ["session", "at", "pk"]
        constraints = [
            check(~Q(text=""), "amendment_text_not_empty", "Écrivez la correction."),
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
