"""Signing-in records (schema 3): wrong PINs counted per login and seat, every slow-down
and unlock, and the shop's access settings such as the shortest PIN per role; and the
employees' API tokens for scripts (schema 4)."""

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
    kind = pw.CharField(max_length=20)  # "slowed", "unlocked", "token", "token_refused"...
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


class ApiToken(BaseModel):
    """A script's proof of who runs it: one employee, a role no wider than theirs (or
    ``read``), an expiry. Only the SHA-256 of the random secret is kept."""

    employee = pw.ForeignKeyField(Employee, backref="api_tokens", on_delete="CASCADE")
    scope = pw.CharField(max_length=20)  # a role's name, or "read"
    name = pw.CharField(max_length=80)
    secret_hash = pw.CharField(max_length=64)
    created_by = pw.ForeignKeyField(Employee, null=True, on_delete="SET NULL")
    created_at = UtcDateTimeField(default=now)
    expires_at = UtcDateTimeField()
    last_used_at = UtcDateTimeField(null=True)
    revoked_at = UtcDateTimeField(null=True)

    class Meta:
        table_name = "api_token"


ACCESS_MODELS = [SeatPinMisses, AccessEvent, ShopSetting, ApiToken]
