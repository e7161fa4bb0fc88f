"""Signing-in records (schema 3): wrong PINs counted per login and seat, every slow-down
and unlock, and the shop's access settings such as the shortest PIN per role."""

from __future__ import annotations

import peewee as pw

from db.models import BaseModel, Employee, UtcDateTimeField, now


class SeatPinMisses(BaseModel):
    """Wrong PINs in a row for one login at one seat, and until when that seat waits."""

    employee = pw.ForeignKeyField(Employee, backref="seat_misses", on_delete="CASCADE")
    seat = pw.CharField(max_length=120)
    misses = pw.IntegerField(default=0)
    slowed_until = UtcDateTimeField(null=True)

    class Meta:
        table_name = "seat_pin_misses"
        indexes = ((("employee", "seat"), True),)


class AccessEvent(BaseModel):
    """A slow-down or an unlock, kept for the manager to read back (append-only in use)."""

    employee = pw.ForeignKeyField(Employee, backref="access_events", on_delete="CASCADE")
    seat = pw.CharField(max_length=120)
    kind = pw.CharField(max_length=20)  # "slowed" or "unlocked"
    detail = pw.CharField(max_length=200, default="")
    at = UtcDateTimeField(default=now, index=True)

    class Meta:
        table_name = "access_event"


class ShopSetting(BaseModel):
    """One named shop-wide setting (its meaning and default live in the services)."""

    key = pw.CharField(max_length=60, primary_key=True)
    value = pw.CharField(max_length=200)

    class Meta:
        table_name = "shop_setting"


ACCESS_MODELS = [SeatPinMisses, AccessEvent, ShopSetting]
