"""The engine on real SQLite and PostgreSQL: what one placement stores, plans, keys, dead letters."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from catalog_builders import lanes_body, order_body, plan_body, product_body, unique
from engine_builders import engine_on, intent, load_product
from sqlalchemy import create_engine, func, select
from sqlalchemy.exc import DBAPIError

from api.schemas import PreorderCreate
from engine.bootstrap import PreorderEngine, bootstrap
from engine.catalog_input import CatalogIn, SupplyPlanIn
from engine.clock import ManualClock
from engine.config import Settings
from engine.domain.errors import CapBelowReserved, TemporarilyUnavailable, Unauthorized, WindowClosed
from engine.persistence import tables
from engine.persistence.line_history import BLOCK
from engine.persistence.sql_runner import SqlTransactionRunner
from engine.service.access import Caller
from engine.service.commands import PlacePreorder, ReplaceSupplyPlan
from engine.service.ports import UnitOfWork


def count(engine: PreorderEngine, table: tables.Table, *where: object) -> int:
    assert engine.database is not None
    with engine.database.reader.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table).where(*where)).scalar() or 0)


def test_a_placement_stores_the_order_its_event_and_an_outbox_message_together(
    engine: PreorderEngine,
) -> None:
    sku = load_product(engine)
    command = intent(sku)
    engine.issue_key(command.account_id, frozenset({"orders:write"}))
    placed = engine.place(command).order
    assert count(engine, tables.preorders, tables.preorders.c.id == placed["id"]) == 1
    assert count(engine, tables.order_events, tables.order_events.c.order_id == placed["id"]) == 1
    assert count(engine, tables.outbox, tables.outbox.c.key == placed["id"]) == 1


def test_a_refused_placement_writes_nothing(engine: PreorderEngine) -> None:
    sku = load_product(engine, closes_at="2026-11-30T00:00:00Z")
    command = intent(sku)
    with pytest.raises(WindowClosed):
        engine.place(command)
    assert count(engine, tables.preorders, tables.preorders.c.sku == sku) == 0
    assert engine.wait_time(sku, "US", None)["queue_depth_orders"] == 0


def test_a_window_given_in_another_time_zone_closes_at_that_instant(engine: PreorderEngine) -> None:
    # 03:00 at +05:00 is 22:00 UTC the day before the clock's midnight: the window has closed.
    sku = load_product(engine, closes_at="2026-12-01T03:00:00+05:00")
    with pytest.raises(WindowClosed):
        engine.place(intent(sku))
    closes = tables.products.c.closes_at
    assert (
        count(
            engine, tables.products, tables.products.c.sku == sku, closes < datetime(2026, 12, 1, tzinfo=UTC)
        )
        == 1
    )


@contextmanager
def failing_insert_of(database_url: str, sku: str) -> Iterator[None]:
    """A trigger that makes the database refuse to store product ``sku``: a failure part-way in a load."""
    trigger = f"refuse_{sku.lower().replace('-', '_')}"
    sql = create_engine(database_url)
    statements = (
        [
            f"CREATE TRIGGER {trigger} BEFORE INSERT ON products WHEN NEW.sku = '{sku}' "
            "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        ]
        if database_url.startswith("sqlite")
        else [
            f"CREATE FUNCTION {trigger}() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'refused by the test'; END $$ LANGUAGE plpgsql",
            f"CREATE TRIGGER {trigger} BEFORE INSERT ON products FOR EACH ROW "
            f"WHEN (NEW.sku = '{sku}') EXECUTE FUNCTION {trigger}()",
        ]
    )
    with sql.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    try:
        yield
    finally:
        with sql.begin() as connection:
            if database_url.startswith("sqlite"):
                connection.exec_driver_sql(f"DROP TRIGGER {trigger}")
            else:
                connection.exec_driver_sql(f"DROP TRIGGER {trigger} ON products")
                connection.exec_driver_sql(f"DROP FUNCTION {trigger}()")
        sql.dispose()


def test_a_catalog_load_that_fails_part_way_leaves_nothing_of_it(
    engine: PreorderEngine, database_url: str
) -> None:
    first, second, facility = unique("SKU"), unique("SKU"), unique("DC")
    catalog = CatalogIn.model_validate(
        {
            "products": [
                {
                    **product_body(facility=facility),
                    "sku": sku,
                    "supply_plan": plan_body(("R-1", 100, "2027-02-01", 2)),
                }
                for sku in (first, second)
            ],
            "lanes": lanes_body(facility)["lanes"],
        }
    )
    # SQLite reports the refusal as a constraint, which the engine retries as a race and then gives up on
    with failing_insert_of(database_url, second), pytest.raises((DBAPIError, TemporarilyUnavailable)):
        engine.load_catalog(catalog)
    assert count(engine, tables.products, tables.products.c.sku.in_([first, second])) == 0
    assert count(engine, tables.supply_plans, tables.supply_plans.c.sku == first) == 0
    assert count(engine, tables.lanes, tables.lanes.c.facility == facility) == 0
    engine.load_catalog(catalog)  # the same file again, once the database accepts it: all of it
    assert count(engine, tables.products, tables.products.c.sku.in_([first, second])) == 2


def test_a_catalog_load_that_lowers_a_cap_under_what_orders_hold_is_refused_as_a_whole(
    engine: PreorderEngine,
) -> None:
    # Given a product whose orders hold 3 units under a cap of 10
    sku, account = load_product(engine, cap=10), unique("acct")
    engine.issue_key(account, frozenset({"orders:write"}))
    engine.place(replace(intent(sku, quantity=3), account_id=account))
    facility = next(p.facility for p in engine.product_states() if p.sku == sku)
    other = unique("SKU")
    catalog = CatalogIn.model_validate(
        {
            "products": [
                {**product_body(facility=facility), "sku": other},
                {**product_body(cap=2, facility=facility), "sku": sku, "name": "Renamed"},
            ]
        }
    )
    # When a catalog file lowers that cap to 2 beside a new product
    with pytest.raises(CapBelowReserved) as refused:
        engine.load_catalog(catalog)
    # Then nothing of the file is loaded, and the refusal says what the orders hold
    assert refused.value.extra == {"units_reserved": 3}
    assert engine.product(sku).terms.cap_units == 10 and engine.product(sku).name == "Test product"
    assert count(engine, tables.products, tables.products.c.sku == other) == 0


def test_a_catalog_load_promises_each_line_it_touched_once_with_every_reason(engine: PreorderEngine) -> None:
    # Given an order for a product shipped from one facility
    sku, account = load_product(engine), unique("acct")
    engine.issue_key(account, frozenset({"orders:write"}))
    order_id = engine.place(replace(intent(sku), account_id=account)).order["id"]
    admin = Caller("ops", "key_ops", frozenset({"admin"}))
    before = len(engine.order(admin, order_id)["history"])
    # When one file moves it to a new facility (with that facility's lanes) and slips its run
    facility = unique("DC")
    engine.load_catalog(
        CatalogIn.model_validate(
            {
                "products": [
                    {
                        **product_body(facility=facility),
                        "sku": sku,
                        "supply_plan": plan_body(("R-1", 100, "2027-02-11", 2)),
                    }
                ],
                "lanes": lanes_body(facility)["lanes"],
            }
        )
    )
    # Then the order was promised again once, saying all of it
    history = engine.order(admin, order_id)["history"][before:]
    assert [entry["type"] for entry in history] == ["promise_changed"]
    cause = history[0]["cause"]
    assert f"ships from {facility} instead of" in cause
    assert "run R-1 slipped 10 days" in cause
    assert f"delivery lanes from {facility} replaced" in cause


def test_replacing_a_supply_plan_bumps_its_version_and_moves_new_promises(engine: PreorderEngine) -> None:
    sku = load_product(engine)
    first = engine.supply_plan(sku)
    catalog = CatalogIn.model_validate(
        {
            "products": [
                {
                    **product_body(facility="DC-X"),
                    "sku": sku,
                    "supply_plan": plan_body(("R-9", 5, "2027-05-01", 0)),
                }
            ]
        }
    )
    engine.load_catalog(catalog)
    second = engine.supply_plan(sku)
    assert second.version == first.version + 1
    assert [lot.id for lot in second.lots] == ["R-9"]


def test_a_key_is_checked_inside_the_placing_transaction(engine: PreorderEngine) -> None:
    sku = load_product(engine)
    issued = engine.issue_key(unique("acct"), frozenset({"orders:write"}))
    placed = engine.place_with_key(issued.key, intent(sku).intent)
    assert placed.order["status"] == "pre_order"
    engine.revoke_key(issued.id)
    with pytest.raises(Unauthorized):
        engine.place_with_key(issued.key, intent(sku).intent)


def test_when_the_store_keeps_failing_the_intake_is_kept_as_a_dead_letter(engine: PreorderEngine) -> None:
    # Given a store whose placing transactions always fail (a table the placement needs is gone)
    sku = load_product(engine)
    assert engine.database is not None
    broken = broken_twin(engine)
    command = intent(sku, external_id=unique("kept"))
    engine.issue_key(command.account_id, frozenset({"orders:write"}))
    # When an order is placed
    with pytest.raises(TemporarilyUnavailable) as refusal:
        broken.place(command)
    # Then its payload is kept, with the reason, and the caller is told which dead letter holds it
    letter_id = refusal.value.extra["dead_letter_id"]
    with engine.database.reader.connect() as connection:
        row = connection.execute(
            select(tables.dead_letters).where(tables.dead_letters.c.id == letter_id)
        ).one()
    assert command.intent.external_id in row.payload
    assert "lock" in row.reason
    # And once the store is back, the replay places it exactly once
    assert engine.replay_dead_letters()["placed"] >= 1
    letter = next(d for d in engine.pending_dead_letters(pending_only=False, limit=1000) if d.id == letter_id)
    assert letter.outcome is not None and letter.outcome.startswith("placed order")
    assert engine.replay_dead_letters()["placed"] == 0
    assert count(engine, tables.preorders, tables.preorders.c.external_id == command.intent.external_id) == 1


def test_replays_running_at_once_in_several_servers_place_each_keyless_intake_once(
    engine: PreorderEngine, database_url: str
) -> None:
    # Given intakes with neither an Idempotency-Key nor an external id, kept as dead letters
    sku = load_product(engine)
    broken = broken_twin(engine)
    commands = [intent(sku) for _ in range(6)]
    for command in commands:
        engine.issue_key(command.account_id, frozenset({"orders:write"}))
        with pytest.raises(TemporarilyUnavailable):
            broken.place(command)
    # When four server processes' intake agents replay the dead letters at the same moment
    servers = [bootstrap(Settings(database_url=database_url), clock=engine.clock) for _ in range(4)]
    start = threading.Barrier(len(servers))

    def replay(server: PreorderEngine) -> None:
        start.wait()
        server.replay_dead_letters()

    try:
        threads = [threading.Thread(target=replay, args=(server,)) for server in servers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        for server in servers:
            server.close()
    # Then each intake became exactly one order
    p = tables.preorders.c
    placed = [count(engine, tables.preorders, p.account_id == c.account_id) for c in commands]
    assert placed == [1] * len(commands)


@pytest.fixture(params=["sqlite", "postgres"])
def engine_alone(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PreorderEngine]:
    """An engine on a database of its own: a test that replays every due dead letter must not see
    (or replay) other tests' letters."""
    from databases import drop_postgres_database, fresh_postgres_database

    from engine.persistence.migrate import upgrade

    server = request.getfixturevalue("postgres_server") if request.param == "postgres" else None
    url = fresh_postgres_database(server) if server else f"sqlite:///{tmp_path / 'alone.sqlite3'}"
    upgrade(url)
    built = engine_on(url)
    try:
        yield built
    finally:
        built.close()
        if server:
            drop_postgres_database(server, url)


def test_a_letter_that_fails_again_waits_out_its_backoff_and_does_not_hold_up_newer_ones(
    engine_alone: PreorderEngine,
) -> None:
    engine = engine_alone
    # Given an intake kept as a dead letter, whose replay failed again while the store was still down
    sku = load_product(engine)
    broken = broken_twin(engine)

    def kept() -> tuple[PlacePreorder, int]:
        command = intent(sku)
        engine.issue_key(command.account_id, frozenset({"orders:write"}))
        with pytest.raises(TemporarilyUnavailable) as refusal:
            broken.place(command)
        return command, int(refusal.value.extra["dead_letter_id"])

    older, older_id = kept()
    broken.replay_dead_letters(1000, due_only=True)
    letter = next(d for d in engine.pending_dead_letters(limit=1000) if d.id == older_id)
    assert letter.attempts == 2 and letter.retry_at is not None
    assert letter.retry_at > datetime.now(UTC)
    # When a newer intake is kept, and the agents replay one letter
    newer, _ = kept()
    due = [d.id for d in engine.dead_letters.page(limit=1000, due_at=datetime.now(UTC))]
    assert older_id not in due and len(due) == 1
    engine.replay_dead_letters(1, due_only=True)
    # Then the newer one is placed, and the older one still waits for its backoff
    p = tables.preorders.c
    assert count(engine, tables.preorders, p.account_id == newer.account_id) == 1
    assert count(engine, tables.preorders, p.account_id == older.account_id) == 0
    assert [d.id for d in engine.pending_dead_letters(limit=1000)] == [older_id]
    # And an admin's replay takes it at once
    engine.replay_dead_letters(1000)
    assert count(engine, tables.preorders, p.account_id == older.account_id) == 1


def test_failed_replays_settled_at_once_in_several_servers_each_count_their_attempt(
    engine_alone: PreorderEngine,
) -> None:
    letters = engine_alone.dead_letters
    letter_id = letters.add(account_id=None, source="place_preorder", payload="{}", reason="down", attempts=1)
    start = threading.Barrier(8)

    def fail_ten_times() -> None:
        start.wait()
        for _ in range(10):
            letters.settle(letter_id, outcome=None, reason="still down")

    threads = [threading.Thread(target=fail_ten_times) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    letter = next(d for d in engine_alone.pending_dead_letters(limit=10) if d.id == letter_id)
    assert letter.attempts == 1 + 8 * 10
    assert letter.retry_at is not None and letter.retry_at - datetime.now(UTC) <= timedelta(hours=1)


def test_a_dead_letter_that_the_rules_refuse_on_replay_is_settled_with_the_reason(
    engine: PreorderEngine,
) -> None:
    sku = load_product(engine, closes_at="2026-11-30T00:00:00Z")
    broken = broken_twin(engine)
    command = intent(sku)
    engine.issue_key(command.account_id, frozenset({"orders:write"}))
    with pytest.raises(TemporarilyUnavailable) as kept:
        broken.place(command)
    engine.replay_dead_letters()
    letter = next(
        d
        for d in engine.pending_dead_letters(pending_only=False, limit=1000)
        if d.id == kept.value.extra["dead_letter_id"]
    )
    assert letter.outcome is not None and letter.outcome.startswith("refused: window_closed")


def broken_twin(engine: PreorderEngine) -> PreorderEngine:
    """The same engine whose every transaction fails as under a stuck writer (its dead letters shared)."""
    return PreorderEngine(
        runner=_FailingRunner(engine),
        dead_letters=engine.dead_letters,
        clock=engine.clock,
        settings=engine.settings,
    )


class _FailingRunner(SqlTransactionRunner):
    """A real SQL runner whose every attempt hits a lock timeout, as under a stuck writer."""

    def __init__(self, engine: PreorderEngine) -> None:
        assert engine.database is not None
        super().__init__(engine.database, attempts=2)

    def run(self, work, *, writes=True, snapshot=True):  # type: ignore[no-untyped-def]
        from sqlalchemy.exc import OperationalError

        def failing(uow):  # type: ignore[no-untyped-def]
            raise OperationalError("INSERT", {}, Exception("database is locked"))

        return super().run(failing, writes=writes, snapshot=snapshot)


def test_a_plan_changed_by_another_server_process_is_used_by_the_next_placement(database_url: str) -> None:
    # Given two engines on one database, as two API workers would be
    clock = ManualClock(datetime(2026, 12, 1, tzinfo=UTC))
    first = bootstrap(Settings(database_url=database_url), clock=clock)
    second = bootstrap(Settings(database_url=database_url), clock=clock)
    try:
        sku = load_product(first)
        command = intent(sku)
        first.issue_key(command.account_id, frozenset({"orders:write"}))
        assert first.place(command).order["expected_availability"] == "2027-02-01"  # cached by the first
        # When the second changes the plan
        new_plan = SupplyPlanIn.model_validate(plan_body(("R-9", 100, "2027-04-01", 0))).to_domain(sku)
        second.replace_supply_plan(ReplaceSupplyPlan(new_plan))
        # Then the first promises from the new plan at once
        again = PlacePreorder(command.account_id, intent(sku).intent)
        assert first.place(again).order["expected_availability"] == "2027-04-01"
    finally:
        first.close()
        second.close()


def test_a_duplicate_found_when_the_transaction_writes_its_rows_is_a_lost_race_to_retry(
    engine: PreorderEngine,
) -> None:
    from sqlalchemy.exc import IntegrityError

    from engine.persistence.sql_unit_of_work import SqlUnitOfWork
    from engine.service.ports import IdempotencyRecord

    assert engine.database is not None
    account = unique("acct")
    engine.issue_key(account, frozenset({"orders:write"}))
    record = IdempotencyRecord(account, "key:dup", "h", "o1", {"id": "o1"}, datetime(2026, 12, 1, tzinfo=UTC))
    with SqlUnitOfWork(engine.database) as uow:
        uow.idempotency.add(record)
        uow.commit()
    with pytest.raises(IntegrityError), SqlUnitOfWork(engine.database) as uow:
        uow.idempotency.add(record)
        uow.commit()


def test_placing_recovers_when_the_database_dropped_every_pooled_connection(postgres_database: str) -> None:
    # Given an engine on PostgreSQL whose pooled connections have all been used
    engine = bootstrap(Settings(database_url=postgres_database))
    try:
        sku = load_product(engine)
        command = intent(sku)
        engine.issue_key(command.account_id, frozenset({"orders:write"}))
        engine.place(command)
        # When the server ends every session of this database (a restart, a failover, an idle timeout)
        assert engine.database is not None
        with engine.database.reader.connect() as connection:
            ours = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        admin = bootstrap(Settings(database_url=postgres_database))
        try:
            assert admin.database is not None
            with admin.database.writer.connect() as connection:
                ended = connection.exec_driver_sql(
                    "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()) AS ended"
                ).scalar()
        finally:
            admin.close()
        assert ours is not None and ended
        # Then the next orders are placed all the same: no error reaches the caller, nothing is lost
        orders = [PreorderCreate.model_validate(order_body(sku, customer=f"c{i}")) for i in range(3)]
        placed = [engine.place(PlacePreorder(command.account_id, order.to_intent())) for order in orders]
        assert all(not placement.replayed for placement in placed)
        assert engine.dead_letters.page(limit=10) == []
    finally:
        engine.close()


def plan_at(sku: str, day: str, quantity: int = 100) -> ReplaceSupplyPlan:
    return ReplaceSupplyPlan(SupplyPlanIn.model_validate(plan_body(("R-1", quantity, day, 2))).to_domain(sku))


def test_an_orders_history_interleaves_its_own_changes_and_its_lines_in_the_order_they_happened(
    engine: PreorderEngine,
) -> None:
    sku = load_product(engine)
    command = intent(sku)
    engine.issue_key(command.account_id, frozenset({"orders:write"}))
    caller = Caller(command.account_id, "k", frozenset({"orders:write", "orders:read"}))
    first = engine.place(command).order
    engine.place(PlacePreorder(command.account_id, intent(sku, customer="someone-else").intent))
    engine.pause(caller, first["id"], "moving house")
    engine.replace_supply_plan(plan_at(sku, "2027-02-06"))  # the paused order's promise on resume moves
    engine.resume(caller, first["id"])
    engine.replace_supply_plan(plan_at(sku, "2027-02-09"))
    engine.receive(sku, quantity=1, reference="R-HIST", received_at=None, lot_id="R-1")

    history = engine.order(caller, first["id"])["history"]
    assert [entry["type"] for entry in history] == [
        "preorder_placed",
        "preorder_paused",
        "promise_changed",
        "preorder_resumed",
        "promise_changed",
        "preorder_allocated",
    ]
    # each promise shown as "before" is the one the previous entry left
    changes = [entry["data"] for entry in history if "after" in entry["data"]]
    assert changes[0]["before"]["expected_availability"] == first["expected_availability"]
    assert [c["before"] for c in changes[1:]] == [c["after"] for c in changes[:-1]]
    assert [c["after"]["expected_availability"] for c in changes[:2]] == ["2027-02-06", "2027-02-09"]
    assert history[-1]["cause"] == "receipt R-HIST"
    assert history[-1]["data"]["receipt"] == "R-HIST" and history[-1]["data"]["quantity"] == 1
    assert history[-1]["data"]["after"]["source"] == "on hand"


def test_a_line_change_shows_in_the_history_of_every_order_it_moved_across_blocks_of_the_line(
    engine: PreorderEngine,
) -> None:
    sku = load_product(engine, cap=None)
    account = unique("acct")
    engine.issue_key(account, frozenset({"orders:write"}))
    caller = Caller(account, "k", frozenset({"orders:read"}))
    engine.replace_supply_plan(plan_at(sku, "2027-02-01", quantity=2 * BLOCK))
    placed = [
        engine.place(PlacePreorder(account, intent(sku, customer=f"c{i}").intent)).order
        for i in range(BLOCK + 3)
    ]
    engine.pause(Caller(account, "k", frozenset({"orders:write"})), placed[5]["id"], None)
    engine.replace_supply_plan(plan_at(sku, "2027-03-01", quantity=2 * BLOCK))
    for order in (placed[0], placed[5], placed[BLOCK - 2], placed[BLOCK - 1], placed[BLOCK], placed[-1]):
        history = engine.order(caller, order["id"])["history"]
        moved = [entry for entry in history if entry["type"] == "promise_changed"]
        assert len(moved) == 1, order["number"]
        assert moved[0]["data"]["after"]["expected_availability"] == "2027-03-01"
        assert moved[0]["data"]["before"]["expected_availability"] == "2027-02-01"
        assert moved[0]["cause"].startswith("supply plan v3: run R-1 slipped 28 days")


def test_a_read_of_several_statements_sees_one_snapshot_of_the_store(engine: PreorderEngine) -> None:
    sku = load_product(engine)
    command = intent(sku)
    engine.issue_key(command.account_id, frozenset({"orders:write"}))
    order_id = engine.place(command).order["id"]
    caller = Caller(command.account_id, "k", frozenset({"orders:write"}))

    def read(uow: UnitOfWork) -> tuple[object, object]:
        order = uow.preorders.get(order_id)
        assert order is not None
        return order, uow.preorders.history(order)

    def read_twice(uow: UnitOfWork) -> tuple[object, object]:
        before = read(uow)
        engine.pause(caller, order_id, None)  # another transaction commits meanwhile
        return before, read(uow)

    before, after = engine.runner.run(read_twice, writes=False)
    assert before == after
    assert engine.order(caller, order_id)["status"] == "paused"
