"""The people who sign in, and the one-time submissions of their forms."""

import pghistory
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from alize.modelkit import link, optional_link, track_links
from alize.models.basins import OPERATOR_ROLES, Basin, Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    # Password hashes stay out of the trail; sign-ins are not changes.
    exclude=["password", "last_login"],
)
class User(AbstractUser):
    """A person who signs in with an email address; roles are groups, basins scope data."""

    username = None
    email = models.EmailField("adresse électronique", unique=True)
    organisation = models.CharField("organisme", max_length=200, blank=True)
    basins = models.ManyToManyField(Basin, blank=True, related_name="users", verbose_name="bassins")
    funder = optional_link("Funder", "financeur représenté", "users", on_delete=models.SET_NULL)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = UserManager()

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_case_insensitive",
                violation_error_message="Un compte existe déjà avec cette adresse.",
            )
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        super().save(*args, **kwargs)

    @property
    def roles(self) -> frozenset[str]:
        if not hasattr(self, "_roles_cache"):
            names = set(self.groups.values_list("name", flat=True)) if self.pk else set()
            if self.is_superuser:
                names.add(Role.ADMIN)
            self._roles_cache = frozenset(names)
        return self._roles_cache

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def role_labels(self) -> list[str]:
        return [Role(name).label for name in Role.values if name in self.roles]

    @property
    def is_operator(self) -> bool:
        return self.has_role(*OPERATOR_ROLES, Role.ADMIN)

    # Who works where: the one home of the basin scope. Administrators read every basin
    # but work in none unless they are members; each app says when they may act.

    @property
    def basin_ids(self) -> frozenset[int]:
        """The basins this user works in, read once per request."""
        if not hasattr(self, "_basin_ids_cache"):
            ids = self.basins.values_list("pk", flat=True) if self.pk else ()
            self._basin_ids_cache = frozenset(ids)
        return self._basin_ids_cache

    def works_in(self, basin_id: int) -> bool:
        """A member of this basin."""
        return basin_id in self.basin_ids

    def reads_basin(self, basin_id: int) -> bool:
        """May read this basin's data: an administrator, or a member."""
        return self.has_role(Role.ADMIN) or self.works_in(basin_id)


# Role and basin memberships are changes of access: they belong in the audit trail too.
track_links(
    "alize",
    (User.groups.through, "UserGroupEvent"),
    (User.basins.through, "UserBasinEvent"),
)


# --- One-time submissions --------------------------------------------------------------


class Submission(models.Model):
    """A form that records money or a decision, as it was sent once.

    The form carries a one-time token (a hidden field, `alize.once`); the first submission
    of a token inserts this row in the same transaction as what it records, and notes where
    it sent the user and what it said. A second submission of the same token (a double
    click, a page sent again) finds the row, records nothing and shows that first result.
    A refused submission rolls its row back with the rest: the corrected form may be sent.
    """

    token = models.UUIDField("jeton", unique=True)
    user = link("User", "envoyé par", "submissions", on_delete=models.CASCADE)
    path = models.CharField("adresse", max_length=300)
    result_url = models.CharField("page du résultat", max_length=500, blank=True)
    message = models.CharField("résultat", max_length=500, blank=True)
    created_at = models.DateTimeField("envoyé le", default=timezone.now)

    class Meta:
        verbose_name = "envoi de formulaire"
        verbose_name_plural = "envois de formulaires"

    def __str__(self):
        return f"{self.path} ({self.created_at:%d/%m/%Y %H:%M})"
