"""Shipment.ended_at (when a parcel reached a final status) and Shipment.address_purged_at (when its
ship-to snapshot and gift note were redacted), for the address purge (DESIGN §6).

Parcels that had already ended get an ended_at from their history: the StatusChange row of their move
into the final status, or else their delivery scan, their last carrier news, their creation."""

from django.db import migrations, models
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce

FINAL = ["delivered", "returned", "expired", "cancelled"]


def backfill_ended_at(apps, schema_editor):
    Shipment = apps.get_model("logistics", "Shipment")
    StatusChange = apps.get_model("giftshop", "StatusChange")
    moved_in = StatusChange.objects.filter(
        content_type__app_label="logistics", content_type__model="shipment", field="status",
        object_id=Cast(OuterRef("id"), output_field=CharField()), to_status=OuterRef("status"),
    ).order_by("-created_at", "-id").values("created_at")[:1]
    Shipment.objects.filter(status__in=FINAL, ended_at__isnull=True).update(
        ended_at=Coalesce(Subquery(moved_in), "delivered_at", "last_event_at", "created_at")
    )


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('giftshop', '0001_initial'),
        ('logistics', '0006_returned_parcels'),
    ]

    operations = [
        migrations.AddField(
            model_name='shipment',
            name='ended_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='shipment',
            name='address_purged_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name='shipment',
            index=models.Index(condition=models.Q(('address_purged_at__isnull', True), ('ended_at__isnull', False)), fields=['ended_at', 'id'], name='shipment_purge_due_idx'),
        ),
        migrations.RunPython(backfill_ended_at, migrations.RunPython.noop),
    ]
