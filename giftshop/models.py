"""Infrastructure tables: the transactional outbox, the status-change history and the
idempotency records of POSTs that carried an Idempotency-Key."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.functions import Now

from giftshop.transitions import Transitions


class OutboxMessage(models.Model):
    """A side effect to carry out after its business transaction commits (see giftshop.outbox)."""

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        DELIVERED = "delivered", "delivered"
        DEAD = "dead", "dead"

    TRANSITIONS = Transitions(
        {
            Status.PENDING: {Status.DELIVERED, Status.DEAD},
            Status.DEAD: {Status.PENDING},
        }
    )

    topic = models.CharField(max_length=100)
    # The business key: a second put with the same key is the same message (idempotent producers).
    key = models.CharField(max_length=200, unique=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # Due time; a relay that claims the row pushes it forward by a lease, so two relays never
    # both take it, and a relay that dies gives it back when the lease ends.
    available_at = models.DateTimeField(db_default=Now())
    created_at = models.DateTimeField(db_default=Now())
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["status", "available_at"], name="outbox_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "delivered", "dead"]), name="outbox_status_valid"
            )
        ]

    def __str__(self):
        return f"{self.topic} {self.key} ({self.status})"


class StatusChange(models.Model):
    """One row per status move made through giftshop.transitions.transition(): what moved, from
what to what, why, and who moved it (`actor`, the person whose request it was; empty for the
system: a periodic job, a provider's or a carrier's news, the outbox's consumers)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    field = models.CharField(max_length=40, default="status")
    from_status = models.CharField(max_length=40)
    to_status = models.CharField(max_length=40)
    reason = models.CharField(max_length=200, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Who moved it; empty: the system.",
    )
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id"], name="statuschange_obj_idx")]

    def __str__(self):
        return f"{self.content_type.model}#{self.object_id} {self.from_status}→{self.to_status}"

    @property
    def moved_by(self) -> str:
        return self.actor.get_username() if self.actor_id else "system"


class IdempotencyRecord(models.Model):
    """The first answer to a POST carrying an Idempotency-Key (giftshop.idempotency), per user,
    endpoint and key. The unique constraint decides which of two racing requests runs."""

    class State(models.TextChoices):
        IN_FLIGHT = "in_flight", "in_flight"
        DONE = "done", "done"

    # in_flight → done by one conditional update; an in-flight record whose request failed
    # unexpectedly is deleted instead (so the key can be retried).
    TRANSITIONS = Transitions({State.IN_FLIGHT: {State.DONE}})

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    endpoint = models.CharField(max_length=60)
    key = models.CharField(max_length=255)
    # SHA-256 of the canonical request body and URL arguments.
    request_hash = models.CharField(max_length=64)
    state = models.CharField(max_length=12, choices=State.choices, default=State.IN_FLIGHT)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]
        constraints = [
            models.UniqueConstraint(fields=["user", "endpoint", "key"], name="idempotency_once_per_key"),
            models.CheckConstraint(condition=models.Q(state__in=["in_flight", "done"]), name="idempotency_state_valid"),
        ]

    def __str__(self):
        return f"{self.endpoint} {self.key} ({self.state})"
