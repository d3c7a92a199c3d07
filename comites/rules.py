"""The committee rules of décret 2006-672 as pure functions: quorum, majority, notice.

Nothing here touches the database: the services and the minutes feed these functions
with what they read, so that the rule is written once and tested on its own.
"""

import datetime
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils import timezone

from comites.workflow import COUNTED_STATUSES, VoteChoice


@dataclass(frozen=True)
class Quorum:
    """Who counts for the quorum of one vote (or of the session, without recusals).

    `eligible`: the voting members in office, recused ones left out; `counted`: those of
    them present, remote or represented (in a written consultation, those who voted). The
    quorum is reached when `counted` is at least `numerator / denominator` of `eligible`
    (exactly half is enough with ½), and at least one member takes part.
    """

    eligible: int
    counted: int
    numerator: int
    denominator: int
    of_voters: bool = False

    @property
    def required(self) -> int:
        return math.ceil(self.eligible * self.numerator / self.denominator)

    @property
    def reached(self) -> bool:
        return self.counted >= 1 and self.counted * self.denominator >= (
            self.numerator * self.eligible
        )

    @property
    def fraction_label(self) -> str:
        return (
            "la moitié"
            if (self.numerator, self.denominator) == (1, 2)
            else (f"{self.numerator}/{self.denominator}")
        )

    @property
    def summary(self) -> str:
        """« 3 membres sur 5 présents, à distance ou représentés (il en faut 3) »."""
        members = "membre" if self.counted < 2 else "membres"
        if self.of_voters:
            voted = "a voté" if self.counted < 2 else "ont voté"
            return (
                f"{self.counted} {members} sur {self.eligible} {voted} (il en faut {self.required})"
            )
        return (
            f"{self.counted} {members} sur {self.eligible} présents, à distance ou "
            f"représentés (il en faut {self.required})"
        )


def compute_quorum(
    statuses: Mapping[int, str | None],
    *,
    numerator: int,
    denominator: int,
    recused: Iterable[int] = (),
    votes_cast: int | None = None,
) -> Quorum:
    """The quorum from each voting member's attendance status (None: not recorded, absent).

    `statuses` maps every voting member in office to their status; `recused` are the
    members excluded from this vote, who are neither eligible nor counted. In a written
    consultation, attendance means nothing: the quorum counts the `votes_cast` (recused
    members cannot vote, so every vote is an eligible member's).
    """
    excluded = set(recused)
    eligible = [member for member in statuses if member not in excluded]
    if votes_cast is None:
        counted = sum(1 for member in eligible if statuses[member] in COUNTED_STATUSES)
    else:
        counted = votes_cast
    return Quorum(
        eligible=len(eligible),
        counted=counted,
        numerator=numerator,
        denominator=denominator,
        of_voters=votes_cast is not None,
    )


@dataclass(frozen=True)
class Tally:
    """The votes cast on one item, and what they decide.

    Majority: more "for" than "against" among the votes cast (abstentions decide nothing).
    On a tie, the chair's own vote decides when the committee gives him a casting vote;
    otherwise, or if he abstained or did not vote, the proposal is not adopted.
    """

    votes_for: int
    votes_against: int
    abstentions: int
    chair_choice: str | None = None
    casting_vote: bool = True

    @property
    def cast(self) -> int:
        return self.votes_for + self.votes_against + self.abstentions

    @property
    def is_tie(self) -> bool:
        return self.votes_for == self.votes_against

    @property
    def decided_by_casting_vote(self) -> bool:
        return (
            self.is_tie
            and self.casting_vote
            and self.chair_choice in (VoteChoice.FOR, VoteChoice.AGAINST)
        )

    @property
    def adopted(self) -> bool:
        if self.votes_for != self.votes_against:
            return self.votes_for > self.votes_against
        return self.decided_by_casting_vote and self.chair_choice == VoteChoice.FOR

    @property
    def summary(self) -> str:
        """« 4 pour, 2 contre, 1 abstention »."""
        abstentions = "abstention" if self.abstentions < 2 else "abstentions"
        return (
            f"{self.votes_for} pour, {self.votes_against} contre, {self.abstentions} {abstentions}"
        )


def local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def notice_days(convened_at: datetime.datetime, starts_at: datetime.datetime) -> int:
    """Whole calendar days between the convocation and the session, in local time."""
    return (local_day(starts_at) - local_day(convened_at)).days


def is_late_notice(
    convened_at: datetime.datetime | None, starts_at: datetime.datetime, required_days: int
) -> bool:
    """A convocation sent fewer than `required_days` days before the session: allowed, but
    the minutes say so."""
    return convened_at is not None and notice_days(convened_at, starts_at) < required_days
