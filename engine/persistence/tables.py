"""The relational schema (SQLAlchemy Core). Alembic migrations under ``migrations/`` create it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class Moment(TypeDecorator[datetime]):
    """A timestamp with time zone, written in UTC. SQLite keeps no offset: an aware time in another zone
    would be stored as its wall-clock time there and read back as UTC, hours off."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        return value.astimezone(UTC) if value is not None and value.tzinfo is not None else value


# BigInteger autoincrement keys that stay INTEGER PRIMARY KEY (rowid) on SQLite.
AutoId = BigInteger().with_variant(Integer(), "sqlite")

accounts = Table(
    "accounts",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("created_at", Moment(), nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("account_id", String(64), ForeignKey("accounts.id"), nullable=False, index=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("scopes", String(200), nullable=False),
    Column("created_at", Moment(), nullable=False),
    Column("revoked_at", Moment()),
)

products = Table(
    "products",
    metadata,
    Column("sku", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("price", String(32), nullable=False),  # the list price
    Column("current_price", String(32)),  # set by the pricing agent; null = the list price
    Column("price_changed_at", Moment()),  # when the pricing agent last set it
    Column("currency", String(3), nullable=False),
    Column("facility", String(64), nullable=False),
    Column("preorder_enabled", Boolean, nullable=False),
    Column("opens_at", Moment()),
    Column("closes_at", Moment()),
    Column("cap_units", Integer),
    Column("per_customer_limit", Integer),
    Column("max_pause_days", Integer),
    Column("updated_at", Moment(), nullable=False),
)

# One row per SKU that every placement locks: O(1) counters instead of scanning the queue.
queues = Table(
    "queues",
    metadata,
    Column("sku", String(64), ForeignKey("products.sku"), primary_key=True),
    Column("cap_units", Integer),
    Column("next_sequence", BigInteger, nullable=False),
    Column("units_reserved", BigInteger, nullable=False),
    Column("units_queued", BigInteger, nullable=False),
    Column("orders_queued", BigInteger, nullable=False),
    Column("units_allocated", BigInteger, nullable=False),
    Column("units_on_hand", BigInteger, nullable=False),
    # Bumped by every change to the product, its plan or its lanes: placing reuses what it read
    # for the same version instead of reading the catalog again.
    Column("catalog_version", BigInteger, nullable=False, server_default="0"),
)

supply_plans = Table(
    "supply_plans",
    metadata,
    Column("sku", String(64), ForeignKey("products.sku"), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("beyond_plan", JSON),
    Column("updated_at", Moment(), nullable=False),
)

supply_lots = Table(
    "supply_lots",
    metadata,
    Column("sku", String(64), ForeignKey("products.sku"), primary_key=True),
    Column("lot_id", String(64), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("expected_date", Date, nullable=False),
    Column("spread_days", Float, nullable=False),
    Column("supplier", String(100)),
    Column("facility", String(64)),
)

lanes = Table(
    "lanes",
    metadata,
    Column("facility", String(64), primary_key=True),
    Column("country", String(2), primary_key=True),
    Column("region", String(64), primary_key=True),  # "" = the whole country
    Column("handling_days", Integer, nullable=False),
    Column("transit_p10", Float, nullable=False),
    Column("transit_p50", Float, nullable=False),
    Column("transit_p90", Float, nullable=False),
)

preorders = Table(
    "preorders",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("number", String(80), nullable=False, unique=True),
    Column("account_id", String(64), ForeignKey("accounts.id"), nullable=False),
    Column("channel", String(40), nullable=False),
    Column("external_id", String(100)),
    Column("sku", String(64), ForeignKey("products.sku"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("sequence", BigInteger, nullable=False),
    Column("status", String(20), nullable=False),
    Column("customer_id", String(100), nullable=False),
    Column("customer_email", String(254), nullable=False),
    Column("customer_name", String(200)),
    Column("ship_country", String(2), nullable=False),
    Column("ship_region", String(64)),
    Column("ship_postal_code", String(20)),
    Column("ship_city", String(100)),
    Column("ship_line1", String(200)),
    Column("unit_price", String(32), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("expected_availability", Date, nullable=False),
    Column("window_earliest", Date, nullable=False),
    Column("window_latest", Date, nullable=False),
    Column("window_confidence", Float, nullable=False),
    Column("promise_source", String(100), nullable=False),
    Column("first_latest", Date, nullable=False),
    Column("created_at", Moment(), nullable=False),
    Column("updated_at", Moment(), nullable=False),
    Column("paused_at", Moment()),
    Column("resume_by", Moment()),
    Column("resumed_at", Moment()),
    Column("conflict_reason", Text),
    Column("conflict_days", Integer, nullable=False, server_default="0"),
    Column("shipment_id", String(40)),
    Column("shipped_at", Moment()),
    Column("delivered_at", Moment()),
    UniqueConstraint("sku", "sequence", name="uq_preorders_sku_sequence"),
    UniqueConstraint("account_id", "channel", "external_id", name="uq_preorders_external_id"),
    Index("ix_preorders_queue", "sku", "status", "sequence"),
    Index("ix_preorders_customer", "account_id", "sku", "customer_id"),
    Index("ix_preorders_account", "account_id", "id"),
    Index("ix_preorders_resume_by", "resume_by"),
    # No promise or conflict column is indexed, and on PostgreSQL the table keeps half-full pages
    # (migrations 0003 and 0006, fillfactor 35): a re-promise then rewrites rows in place (HOT updates).
)

receipts = Table(
    "receipts",
    metadata,
    Column("sku", String(64), ForeignKey("products.sku"), primary_key=True),
    Column("reference", String(100), primary_key=True),
    Column("quantity", Integer, nullable=False),
    Column("lot_id", String(64)),
    Column("received_at", Moment(), nullable=False),
    Column("allocated_orders", JSON, nullable=False),
    Column("left_on_hand", BigInteger, nullable=False),
)

order_events = Table(
    "order_events",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    # No foreign key (migration 0005): append-only, written with the order's own changes, and checking
    # it per row was a third of a whole-line re-promise on PostgreSQL.
    Column("order_id", String(32), nullable=False, index=True),
    Column("type", String(40), nullable=False),
    Column("at", Moment(), nullable=False),
    Column("cause", Text),
    Column("data", JSON, nullable=False),
)

# Entries written for many orders of one line at once (engine/persistence/line_history.py).
line_history = Table(
    "line_history",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("sku", String(64), nullable=False),
    Column("block", Integer, nullable=False),
    Column("events_before", BigInteger, nullable=False),
    Column("type", String(40), nullable=False),
    Column("at", Moment(), nullable=False),
    Column("cause", Text),
    Column("data", Text, nullable=False),
    Column("entries", LargeBinary, nullable=False),
    Index("ix_line_history_block", "sku", "block", "id"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("topic", String(40), nullable=False),
    Column("key", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("created_at", Moment(), nullable=False),
    Column("dispatched_at", Moment()),
    Index("ix_outbox_pending", "dispatched_at", "id"),
)

idempotency_records = Table(
    "idempotency_records",
    metadata,
    Column("account_id", String(64), primary_key=True),
    Column("key", String(300), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("order_id", String(32), nullable=False),
    Column("response", JSON, nullable=False),
    Column("created_at", Moment(), nullable=False),
)

dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("account_id", String(64)),
    Column("source", String(40), nullable=False),
    Column("payload", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_at", Moment(), nullable=False),
    Column("resolved_at", Moment()),
    Column("outcome", Text),  # what the replay did: the order it placed, or the rule that refused it
    Column("retry_at", Moment()),  # a pending letter that failed again waits until then (agents' replays)
)

# Per-channel quotas an allocation agent sets on an exclusive run; placing checks them in O(1).
channel_quotas = Table(
    "channel_quotas",
    metadata,
    Column("sku", String(64), ForeignKey("products.sku"), primary_key=True),
    Column("channel", String(40), primary_key=True),
    Column("quota_units", BigInteger, nullable=False),
    Column("reserved_units", BigInteger, nullable=False),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("agent", String(40), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("sku", String(64)),
    Column("reason", Text, nullable=False),
    Column("data", JSON, nullable=False),
    Column("at", Moment(), nullable=False),
    Index("ix_decisions_at", "at"),
)

shipments = Table(
    "shipments",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("vehicle", String(40), nullable=False),
    Column("region", String(64), nullable=False),
    Column("orders", Integer, nullable=False),
    Column("units", Integer, nullable=False),
    Column("distance", Float, nullable=False),
    Column("cost", Float, nullable=False),
    Column("route", JSON, nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", Moment(), nullable=False),
)

agent_cursors = Table(
    "agent_cursors",
    metadata,
    Column("agent", String(40), primary_key=True),
    Column("outbox_id", BigInteger, nullable=False),
)
