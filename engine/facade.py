"""The engine facade: what the API, the CLI and the agents talk to — commands and read views only."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

from engine.catalog_input import CatalogIn
from engine.clock import Clock
from engine.config import Settings
from engine.domain.catalog import Product
from engine.domain.errors import DomainError, TemporarilyUnavailable, Unauthorized
from engine.domain.lanes import Lane
from engine.domain.orders import OrderIntent
from engine.domain.supply import SupplyPlan
from engine.persistence.database import Database
from engine.service import access, agent_actions, catalog, fulfilment, placing, queries
from engine.service.catalog_cache import CatalogCache
from engine.service.commands import (
    AgentCommand,
    PlacePreorder,
    PutProduct,
    ReplaceLanes,
    ReplaceSupplyPlan,
    ReplayDeadLetters,
)
from engine.service.market import MarketView, ProductState, market_view, product_states
from engine.service.ports import DeadLetter, DeadLetters, Decision, OrderQuery, Shipment, UnitOfWork
from engine.service.transactions import StoreUnavailable, TransactionRunner

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass
class PreorderEngine:
    """What the API, the CLI and the agents talk to: commands and read views, nothing else."""

    runner: TransactionRunner
    dead_letters: DeadLetters
    clock: Clock
    settings: Settings
    database: Database | None = None
    catalog_cache: CatalogCache = field(default_factory=CatalogCache)

    # --- commands -------------------------------------------------------------------------------
    def place(self, command: PlacePreorder) -> placing.Placement:
        """Place a pre-order; if the store fails, keep the intake as a dead letter and say so."""
        return self._place(command, lambda uow: command)

    def place_with_key(
        self, raw_key: str | None, intent: OrderIntent, idempotency_key: str | None = None
    ) -> placing.Placement:
        """Check the key (scope ``orders:write``) and place the order in the same transaction."""

        def authorised(uow: UnitOfWork) -> PlacePreorder:
            caller = access.authenticate(uow, raw_key)
            caller.require("orders:write")
            return PlacePreorder(caller.account_id, intent, idempotency_key)

        # Until the key is checked the account is unknown; its hash lets a replay find the account.
        key_hash = access.hash_key(raw_key) if raw_key else None
        return self._place(PlacePreorder("", intent, idempotency_key), authorised, key_hash=key_hash)

    def _place(
        self,
        command: PlacePreorder,
        authorise: Callable[[UnitOfWork], PlacePreorder],
        *,
        key_hash: str | None = None,
    ) -> placing.Placement:
        def work(uow: UnitOfWork) -> placing.Placement:
            return placing.place_preorder(
                uow,
                authorise(uow),
                now=self.clock.now(),
                confidence=self.settings.window_confidence,
                tolerance_days=self.settings.conflict_tolerance_days,
                cache=self.catalog_cache,
            )

        try:
            return self.runner.run(work)
        except DomainError:
            raise
        except Exception as failure:
            if not isinstance(failure, StoreUnavailable):
                log.exception("placing a pre-order failed unexpectedly")
            payload = json.dumps({**asdict(command), "key_hash": key_hash}, default=str, sort_keys=True)
            letter = self._keep(command.account_id or None, payload, repr(failure))
            raise TemporarilyUnavailable(
                "the order could not be stored right now; it was kept and will be replayed",
                dead_letter_id=letter,
            ) from failure

    def replay_dead_letters(self, limit: int = 100, *, due_only: bool = False) -> dict[str, int]:
        """Place again the intakes the store could not take; an idempotency key or external id makes a
        replay of something that did land harmless. Each letter ends placed, refused, or still pending
        (due again after a backoff). ``due_only``: only letters whose backoff is over (the agents)."""
        counts = {"placed": 0, "refused": 0, "pending": 0}
        due_at = datetime.now(UTC) if due_only else None
        for letter in self.dead_letters.page(limit=limit, due_at=due_at):
            try:
                command = placing.command_from_letter(letter.payload)
            except (ValueError, KeyError, TypeError) as unreadable:
                self.dead_letters.settle(letter.id, outcome=f"unreadable payload: {unreadable}", reason=None)
                counts["refused"] += 1
                continue
            key_hash = json.loads(letter.payload).get("key_hash")

            def work(
                uow: UnitOfWork,
                command: PlacePreorder = command,
                key_hash: str | None = key_hash,
                letter_id: int = letter.id,
            ) -> Any:
                if not command.account_id:
                    key = uow.accounts.key_by_hash(key_hash or "")
                    if key is None or key.revoked_at is not None:
                        raise Unauthorized("the key of this intake is unknown or revoked")
                    command = replace(command, account_id=key.account_id)
                # Replays running at once (each server's intake agent, an admin's replay) place it once.
                command = replace(command, dead_letter_id=letter_id)
                return placing.place_preorder(
                    uow,
                    command,
                    now=self.clock.now(),
                    confidence=self.settings.window_confidence,
                    tolerance_days=self.settings.conflict_tolerance_days,
                    cache=self.catalog_cache,
                )

            try:
                placed = self.runner.run(work)
            except DomainError as refusal:
                self.dead_letters.settle(
                    letter.id, outcome=f"refused: {refusal.code}: {refusal.detail}", reason=None
                )
                counts["refused"] += 1
            except Exception as failure:  # still failing: it stays for the next replay
                self.dead_letters.settle(letter.id, outcome=None, reason=repr(failure))
                counts["pending"] += 1
            else:
                self.dead_letters.settle(letter.id, outcome=f"placed order {placed.order['id']}", reason=None)
                counts["placed"] += 1
        return counts

    def pending_dead_letters(
        self, *, limit: int = 50, offset: int = 0, pending_only: bool = True
    ) -> list[DeadLetter]:
        return self.dead_letters.page(limit=limit, offset=offset, pending_only=pending_only)

    def _keep(self, account_id: str | None, payload: str, reason: str) -> int | None:
        try:
            return self.dead_letters.add(
                account_id=account_id, source="place_preorder", payload=payload, reason=reason, attempts=1
            )
        except Exception:  # the store is down: the log is the last place the payload can go
            log.critical("dead letter could not be stored; payload follows: %s", payload)
            return None

    def _catalog_write(self, change: Callable[..., T], command: Any) -> T:
        """A catalog change, with what re-promising the queues it touches needs."""
        now, policy = self.clock.now(), self.policy
        c, days = policy.confidence, policy.tolerance_days
        return self._write(lambda uow: change(uow, command, now=now, confidence=c, tolerance_days=days))

    def put_product(self, command: PutProduct) -> bool:
        return self._catalog_write(catalog.put_product, command)

    def replace_supply_plan(self, command: ReplaceSupplyPlan) -> SupplyPlan:
        """Replace the plan; every queued order of the SKU is re-promised in the same transaction."""
        return self._catalog_write(catalog.replace_supply_plan, command)

    @property
    def policy(self) -> fulfilment.Policy:
        return fulfilment.Policy(self.settings.window_confidence, self.settings.conflict_tolerance_days)

    def pause(self, caller: access.Caller, order_id: str, reason: str | None) -> dict[str, Any]:
        self._write(
            lambda uow: fulfilment.pause(
                uow, order_id, self._tenant(caller), reason=reason, now=self.clock.now(), policy=self.policy
            )
        )
        return self.order(caller, order_id)

    def resume(self, caller: access.Caller, order_id: str) -> dict[str, Any]:
        self._write(
            lambda uow: fulfilment.resume(
                uow, order_id, self._tenant(caller), now=self.clock.now(), policy=self.policy
            )
        )
        return self.order(caller, order_id)

    def cancel(self, caller: access.Caller, order_id: str, reason: str | None) -> dict[str, Any]:
        self._write(
            lambda uow: fulfilment.cancel(
                uow, order_id, self._tenant(caller), reason=reason, now=self.clock.now(), policy=self.policy
            )
        )
        return self.order(caller, order_id)

    def receive(
        self, sku: str, *, quantity: int, reference: str, received_at: datetime | None, lot_id: str | None
    ) -> fulfilment.ReceiptResult:
        """Units arrived for ``sku``: allocate them in queue order (the same reference is applied once)."""
        now = self.clock.now()
        return self._write(
            lambda uow: fulfilment.receive(
                uow,
                sku,
                quantity=quantity,
                reference=reference,
                received_at=received_at or now,
                lot_id=lot_id,
                now=now,
                policy=self.policy,
            )
        )

    def expire_pauses(self) -> list[str]:
        """Resume every order whose maximum pause has run out, a batch per transaction."""
        now, policy, resumed = self.clock.now(), self.policy, []
        while batch := self._write(lambda uow: fulfilment.expire_pauses(uow, now=now, policy=policy)):
            resumed += batch
        return resumed

    def refresh_promises(self) -> int:
        """Re-promise every SKU with orders in line (run daily: dates move with the calendar)."""
        skus = self._read(lambda uow: uow.queues.active_skus())
        return self._repromise_lines(skus, "promises refreshed for a new day")

    def _repromise_lines(self, skus: Sequence[str], cause: str) -> int:
        """Promise each line again, a transaction each; returns how many orders moved."""
        again = partial(catalog.repromise_line, cause=cause)
        return sum(len(self._catalog_write(again, sku)) for sku in skus)

    def queue(self, sku: str, *, after: int = 0, limit: int = 50) -> dict[str, Any]:
        return self._read(lambda uow: queries.queue_page(uow, sku, after=after, limit=limit))

    def conflicts(self, *, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        return self._read(lambda uow: queries.conflicts(uow, limit=limit, offset=offset))

    @staticmethod
    def _tenant(caller: access.Caller) -> str | None:
        """Admins act on any order; everyone else on their account's only."""
        return None if "admin" in caller.scopes else caller.account_id

    def replace_lanes(self, command: ReplaceLanes) -> int:
        """Replace the facilities' lanes, then promise every line they ship again, a line per transaction."""
        change = self._write(lambda uow: catalog.replace_lanes(uow, command, now=self.clock.now()))
        self._repromise_lines(change.lines, change.cause)
        return change.lanes

    def load_catalog(self, data: CatalogIn, *, only_into_empty: bool = False) -> dict[str, int] | None:
        """Load products, their plans and lanes in one transaction: all of it, or nothing (None when
        ``only_into_empty`` and the catalog has products)."""
        load = replace(data.to_command(), only_into_empty=only_into_empty)
        if not self._catalog_write(catalog.load_catalog, load):
            return None
        return {"products": len(data.products), "lanes": len(data.lanes)}

    def issue_key(self, account_id: str, scopes: frozenset[str]) -> access.IssuedKey:
        return self._write(
            lambda uow: access.issue_key(uow, account_id=account_id, scopes=scopes, now=self.clock.now())
        )

    def revoke_key(self, key_id: str) -> None:
        self._write(lambda uow: access.revoke_key(uow, key_id, now=self.clock.now()))

    def ensure_bootstrap_key(self) -> None:
        raw = self.settings.bootstrap_admin_key
        if raw:
            self._write(lambda uow: access.ensure_bootstrap_key(uow, raw, now=self.clock.now()))

    # --- views ----------------------------------------------------------------------------------
    def authenticate(self, raw_key: str | None) -> access.Caller:
        return self._read(lambda uow: access.authenticate(uow, raw_key), snapshot=False)

    def order(self, caller: access.Caller, order_id: str) -> dict[str, Any]:
        return self._read(
            lambda uow: queries.get_order(
                uow, account_id=caller.account_id, order_id=order_id, is_admin="admin" in caller.scopes
            )
        )

    def orders(self, query: OrderQuery) -> queries.Page:
        return self._read(lambda uow: queries.list_orders(uow, query))

    def supply_plan(self, sku: str) -> SupplyPlan:
        return self._read(lambda uow: catalog.supply_plan_of(uow, sku))

    def product(self, sku: str) -> Product:
        return self._read(lambda uow: catalog.product_of(uow, sku))

    def lanes(self, facility: str) -> list[Lane]:
        return self._read(lambda uow: uow.lanes.for_facility(facility))

    def wait_time(
        self, sku: str, country: str, region: str | None, quantity: int = 1, *, raw_key: str | None = None
    ) -> dict[str, Any]:
        """What an order placed now would be promised; with ``raw_key``, any valid key is checked in the
        same read (one transaction per request on the public hot path)."""

        def read(uow: UnitOfWork) -> dict[str, Any]:
            if raw_key is not None:
                access.authenticate(uow, raw_key)
            return self._wait_time(uow, sku, country, region, quantity)

        # The public hot path: no snapshot (the catalog it may read is keyed by the version it read).
        return self._read(read, snapshot=False)

    def wait_times(self, skus: Sequence[str], country: str, region: str | None) -> dict[str, dict[str, Any]]:
        """:meth:`wait_time` for one unit of each SKU, read together (a storefront's listing page)."""
        return self._read(lambda uow: {sku: self._wait_time(uow, sku, country, region, 1) for sku in skus})

    def _wait_time(
        self, uow: UnitOfWork, sku: str, country: str, region: str | None, quantity: int
    ) -> dict[str, Any]:
        now, confidence = self.clock.now(), self.settings.window_confidence
        return queries.wait_time(
            uow,
            sku=sku,
            country=country,
            region=region,
            quantity=quantity,
            now=now,
            confidence=confidence,
            cache=self.catalog_cache,
        )

    # --- agents ---------------------------------------------------------------------------------
    def market_view(self, cursor: int, *, ready_orders: bool = True) -> MarketView:
        """Products, what happened since ``cursor``, and (unless not wanted) the orders ready to ship."""
        now, limit = self.clock.now(), (self.settings.agent_ready_orders if ready_orders else 0)
        view = self._read(lambda uow: market_view(uow, now=now, cursor=cursor, ready_limit=limit))
        due = self.dead_letters.page(limit=1000, due_at=datetime.now(UTC))  # the backoff's wall clock
        return replace(view, dead_letters_pending=len(due))

    def outbox_end(self) -> int:
        """A market-view cursor past everything that has happened so far."""
        return self._read(lambda uow: uow.outbox_end())

    def product_states(self) -> tuple[ProductState, ...]:
        """Every product's price, terms and counters: the part of the market view a storefront shows."""
        return self._read(product_states)

    def apply(self, agent: str, commands: Sequence[AgentCommand]) -> list[str]:
        """Apply an agent's commands, each in its own transaction; a refused one is logged and skipped.
        Returns the ids of orders that moved (shipped or delivered)."""
        moved: list[str] = []
        for command in commands:
            if isinstance(command, ReplayDeadLetters):
                counts = self.replay_dead_letters(command.limit, due_only=True)
                log.info("%s replayed dead letters: %s", agent, counts)
                record = partial(agent_actions.record_replay, agent=agent, now=self.clock.now())
                self._write(partial(record, command=command, counts=counts))
                continue

            def work(uow: UnitOfWork, command: AgentCommand = command) -> list[str]:
                return agent_actions.apply(uow, command, agent=agent, now=self.clock.now())

            try:
                moved += self._write(work)
            except DomainError as refusal:
                log.warning("%s: %s refused: %s", agent, type(command).__name__, refusal.detail)
        return moved

    def decisions(self, *, limit: int = 50, offset: int = 0, sku: str | None = None) -> list[Decision]:
        return self._read(lambda uow: uow.decisions.page(limit, offset, sku))

    def shipments(self, *, limit: int = 50, offset: int = 0) -> list[Shipment]:
        return self._read(lambda uow: uow.shipments.page(limit, offset))

    # --- plumbing -------------------------------------------------------------------------------
    def _write(self, work: Callable[[UnitOfWork], T]) -> T:
        return self._guard(lambda: self.runner.run(work))

    def _read(self, work: Callable[[UnitOfWork], T], *, snapshot: bool = True) -> T:
        return self._guard(lambda: self.runner.run(work, writes=False, snapshot=snapshot))

    @staticmethod
    def _guard(call: Callable[[], T]) -> T:
        try:
            return call()
        except StoreUnavailable as failure:
            raise TemporarilyUnavailable("the store is busy or unavailable; try again shortly") from failure

    def close(self) -> None:
        if self.database is not None:
            self.database.dispose()
