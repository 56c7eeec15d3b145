"""The simulated world: one day per tick of demand, supply, customers and carriers around the engine.

Each day, in this order: parcels due today are delivered; the world reads the market (prices, stock);
supply lands and suppliers confirm or move lots; paused orders past their limit resume; customers
pause, resume and cancel; visitors arrive (Bass × price response × wait-time conversion) and order
through the engine; at the cut-off hour the agents tick once; what they shipped gets a carrier transit
time. The server's daily re-promise sweep (``refresh_promises``) is not run: it changes no promise
a customer is held to, and it is costly (10 of 34 s of the launch at 200 SKUs over 365 days).
Every draw comes from seeded generators, one stream per concern, so baselines face the same supply
and carriers and the same scenario and seed always give the same run.
"""

from __future__ import annotations

import logging
import math
import time
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import numpy as np

from agents.runtime import AgentRuntime
from engine.clock import ManualClock
from engine.domain.errors import DomainError
from engine.domain.orders import Address, Customer, OrderIntent, OrderStatus
from engine.domain.supply import LotKind, SupplyLot, SupplyPlan
from engine.facade import PreorderEngine
from engine.service.commands import MarkDelivered, PlacePreorder, ReplaceSupplyPlan
from engine.service.market import ProductState
from experiments.simulation.catalog import scenario_catalog
from experiments.simulation.customers import ACCOUNT, Customers
from experiments.simulation.ledger import Ledger
from experiments.simulation.policies import PolicySet
from experiments.simulation.scenario import Scenario, mean_units_per_order
from experiments.simulation.supply import LotFate, Replenisher, realise_planned
from optimizers.demand import BassParameters, bass_period_sales

log = logging.getLogger(__name__)
_Z90 = 1.2815515655446004
POSTAL_CODES_PER_REGION = 20


def _cdf(weights: list[float], *, normalised: bool = True) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    cdf = np.cumsum(p / p.sum() if normalised else p)
    return cdf / cdf[-1]


def total_days(scenario: Scenario) -> int:
    """The horizon (or, if later, the day after the last planned lot), then days without new demand so
    parcels already on the road can arrive."""
    last_lot = max((lot.day for p in scenario.products for lot in p.supply.lots), default=0)
    drain = max(lane.handling_days + 3 * lane.transit_days.p90 for lane in scenario.lanes)
    return max(scenario.horizon_days, last_lot + 1) + math.ceil(drain) + 1


class World:
    """The synthetic market around one engine; ``day(d, runtime)`` advances it by one day."""

    def __init__(
        self, scenario: Scenario, policy: PolicySet, engine: PreorderEngine, clock: ManualClock
    ) -> None:
        self.scenario, self.policy, self.engine, self.clock = scenario, policy, engine, clock
        self.start = datetime.combine(scenario.start, datetime.min.time(), tzinfo=UTC)
        self.ledger = Ledger()
        streams = np.random.SeedSequence(scenario.seed).spawn(4)
        self.demand_rng, self.supply_rng, customer_rng, self.carrier_rng = (
            np.random.default_rng(s) for s in streams
        )
        self.customers_in_line = Customers(scenario, policy, engine, self.ledger, customer_rng)
        self.skus = [p.sku for p in scenario.products]
        self.sku_index = {sku: k for k, sku in enumerate(self.skus)}
        self.bass = self._bass_curves()
        self.quantities = np.array(sorted(scenario.demand.units_per_order), dtype=np.int64)
        self.channels = sorted(scenario.channels)
        # What Generator.choice(p=...) draws with, without its checks on every call: same stream.
        self.quantity_cdf = _cdf(
            [scenario.demand.units_per_order[q] for q in self.quantities.tolist()], normalised=False
        )
        self.channel_cdf = _cdf([scenario.channels[c] for c in self.channels])
        self.lane_cdf = _cdf([lane.share for lane in scenario.lanes])
        self.addresses = {
            (k, code): Address(lane.country, lane.region, f"{k:02d}{code:03d}")
            for k, lane in enumerate(scenario.lanes)
            for code in range(POSTAL_CODES_PER_REGION)
        }
        self.transit_mu = np.array([math.log(lane.transit_days.p50 + 1) for lane in scenario.lanes])
        self.transit_sigma = np.array(
            [
                max(0.0, math.log(lane.transit_days.p90 + 1) - math.log(lane.transit_days.p10 + 1))
                / (2 * _Z90)
                for lane in scenario.lanes
            ]
        )
        self.handling = np.array([lane.handling_days for lane in scenario.lanes], dtype=np.int64)
        self.events: dict[int, list[tuple[str, LotFate]]] = defaultdict(list)
        self.replenishers = {  # the planned lots are on order from the start: they arrive like the rest
            k: Replenisher(k, p.supply.replenish, on_order=sum(lot.quantity for lot in p.supply.lots))
            for k, p in enumerate(scenario.products)
            if p.supply.replenish is not None
        }
        self.sold = np.zeros((len(self.skus), scenario.horizon_days), dtype=np.int64)  # units by day
        self.net_sold = np.zeros(len(self.skus), dtype=np.int64)
        self.deliveries: dict[int, list[int]] = defaultdict(list)
        self.free_on_hand: dict[str, int] = {}
        self.prices: dict[str, tuple[float, float]] = {}  # sku -> (selling price, list price)
        self.customers = 0
        self.series: dict[str, list[float]] = defaultdict(list)
        self.total_days = total_days(scenario)

    # --- set-up ---------------------------------------------------------------------------------
    def _bass_curves(self) -> np.ndarray:
        """Expected converted visitors per SKU and day at list price and no wait (0 outside windows)."""
        horizon = self.scenario.horizon_days
        curves = np.zeros((len(self.skus), horizon))
        for k, product in enumerate(self.scenario.products):
            opens = product.window.opens_day
            closes = min(product.window.closes_day or horizon, horizon)
            if closes <= opens:
                continue
            bass = BassParameters(product.demand.p, product.demand.q, product.demand.m)
            curves[k, opens:closes] = bass_period_sales(bass, 1, closes - opens)
        # Bass counts adopting units; visitors order several units at a time.
        return curves / mean_units_per_order(self.scenario)

    def _day(self, day: int) -> date:
        return self.scenario.start + timedelta(days=day)

    def load(self) -> None:
        """Put the scenario's catalog, supply plans and lanes into the engine; draw every lot's fate."""
        fates_by_product = []
        for k, p in enumerate(self.scenario.products):
            fates = [realise_planned(k, lot, LotKind.RUN, self.supply_rng) for lot in p.supply.runs]
            fates += [
                realise_planned(k, lot, LotKind.PURCHASE_ORDER, self.supply_rng)
                for lot in p.supply.purchase_orders
            ]
            for fate in fates:
                self._schedule(fate)
            fates_by_product.append(fates)
        self.clock.set(self.start)
        self.engine.load_catalog(scenario_catalog(self.scenario, self.start, fates_by_product))

    def _schedule(self, fate: LotFate) -> None:
        if fate.announce_day is not None:
            self.events[fate.announce_day].append(("confirm", fate))
        self.events[fate.arrival_day].append(("arrive", fate))

    # --- one day --------------------------------------------------------------------------------
    def day(self, day: int, runtime: AgentRuntime) -> None:
        """Advance the world by one day, ending with one agent tick at the cut-off hour."""
        self.until_cut_off(day)
        self.shipped(day, runtime.tick().moved_orders)

    def until_cut_off(self, day: int) -> None:
        """The day up to the agents' tick at the cut-off hour, where the clock is left."""
        midnight = self.start + timedelta(days=day)
        self.clock.set(midnight + timedelta(hours=6))
        self._deliver(day)
        self._record_market(self.engine.product_states())
        self._supply(day)
        self.customers_in_line.resumed_at_limit(day, self.engine.expire_pauses())
        # Customers with orders act every day of the run; visitors come only within the horizon.
        for row in self.customers_in_line.act(day):
            self.net_sold[self.ledger.sku[row]] -= self.ledger.units[row]
        self.clock.set(midnight + timedelta(hours=12))
        placed = self._arrivals(day) if day < self.scenario.horizon_days else 0
        self.series["orders_placed"].append(float(placed))
        self.clock.set(midnight + timedelta(hours=self.scenario.policies.cut_off_hour))

    def _record_market(self, products: tuple[ProductState, ...]) -> None:
        self.free_on_hand = {p.sku: p.units_on_hand for p in products}
        prices = [p.price / p.list_price for p in products if p.list_price > 0]
        self.series["price_index"].append(100.0 * float(np.mean(prices)) if prices else 100.0)
        self.series["queued_units"].append(float(sum(p.units_queued for p in products)))
        self.series["units_on_hand"].append(float(sum(p.units_on_hand for p in products)))
        self.prices = {p.sku: (p.price, p.list_price) for p in products}

    # --- supply ---------------------------------------------------------------------------------
    def _supply(self, day: int) -> None:
        for kind, fate in self.events.pop(day, []):
            sku = self.skus[fate.sku]
            if kind == "confirm":
                self._confirm_lot(sku, fate)
            else:
                receipt = self.engine.receive(
                    sku, quantity=fate.quantity, reference=fate.id, received_at=None, lot_id=fate.id
                )
                self.free_on_hand[sku] = receipt.receipt.left_on_hand
                replenisher = self.replenishers.get(fate.sku)
                if replenisher is not None:
                    replenisher.on_order -= fate.quantity
                    replenisher.received += fate.quantity
        if day < self.scenario.horizon_days:
            self._replenish(day)

    def _confirm_lot(self, sku: str, fate: LotFate) -> None:
        """The supplier now knows whether the lot slips: the plan states its day (moved if it slipped)
        and only the timing noise remains of its uncertainty."""
        plan = self.engine.supply_plan(sku)
        day, spread = self._day(fate.slipped_day), fate.spread_days
        lots = tuple(
            replace(lot, expected_date=day, spread_days=spread) if lot.id == fate.id else lot
            for lot in plan.lots
        )
        self.engine.replace_supply_plan(ReplaceSupplyPlan(replace(plan, lots=lots)))

    def _replenish(self, day: int) -> None:
        for k, replenisher in self.replenishers.items():
            window = replenisher.rule.review_every_days
            if day >= window:
                rate = float(self.sold[k, day - window : day].sum()) / window
            else:  # no history yet: the supplier is told the launch forecast
                rate = float(self.bass[k, day : day + window].mean()) * mean_units_per_order(self.scenario)
            quantity = replenisher.order(day, net_units_sold=int(self.net_sold[k]), recent_units_per_day=rate)
            if quantity <= 0:
                continue
            fate = replenisher.fate(quantity, day, self.supply_rng, self.skus[k])
            self._schedule(fate)
            sku = self.skus[k]
            plan = self.engine.supply_plan(sku)
            lot = SupplyLot(
                fate.id,
                LotKind.PURCHASE_ORDER,
                quantity,
                self._day(fate.stated_day),
                fate.stated_spread,
                supplier=fate.supplier,
            )
            grown = SupplyPlan(sku, plan.version, (*plan.lots, lot), plan.beyond_plan)
            self.engine.replace_supply_plan(ReplaceSupplyPlan(grown))

    # --- demand ---------------------------------------------------------------------------------
    def _displayed_waits(self, skus: list[str], day: int) -> dict[str, float | None]:
        """Days until availability a visitor of each SKU sees this morning, or None when nothing can be
        ordered (a SKU's orders do not change another SKU's wait, so all are read at once)."""
        if not self.policy.preorders:
            return {sku: 0.0 if self.free_on_hand.get(sku, 0) > 0 else None for sku in skus}
        if not self.policy.engine_promise:  # a fixed lead time, unless the shelf has the product
            naive = float(self.scenario.policies.naive_lead_time_days)
            return {sku: 0.0 if self.free_on_hand.get(sku, 0) > 0 else naive for sku in skus}
        lane, today = self.scenario.lanes[0], self._day(day)
        answers = self.engine.wait_times(skus, lane.country, lane.region)
        return {
            sku: float((date.fromisoformat(answer["expected_availability"]) - today).days)
            if answer["preorderable"]
            else None
            for sku, answer in answers.items()
        }

    def _arrivals(self, day: int) -> int:
        """Visitors of every open SKU today; returns the orders the engine accepted."""
        s, rng, placed = self.scenario, self.demand_rng, 0
        waits = self._displayed_waits([sku for k, sku in enumerate(self.skus) if self.bass[k, day] > 0], day)
        for k, sku in enumerate(self.skus):
            base = float(self.bass[k, day])
            if base <= 0:
                continue
            price, list_price = self.prices.get(sku, (1.0, 1.0))
            response = (price / list_price) ** -s.demand.elasticity if list_price > 0 else 1.0
            wait = waits[sku]
            conversion = 1.0 if wait is None else math.exp(-s.demand.wait_sensitivity_per_week * wait / 7)
            count = int(rng.poisson(base * response * conversion))
            if count == 0:
                continue
            # one uniform per order for each of quantity, channel and lane, in that order
            uniforms = rng.random(3 * count)
            quantities = self.quantities[self.quantity_cdf.searchsorted(uniforms[:count], "right")].tolist()
            channels = self.channel_cdf.searchsorted(uniforms[count : 2 * count], "right").tolist()
            lanes = self.lane_cdf.searchsorted(uniforms[2 * count :], "right").tolist()
            postal = rng.integers(0, POSTAL_CODES_PER_REGION, size=count).tolist()
            for units, channel, lane, code in zip(quantities, channels, lanes, postal, strict=True):
                self.ledger.units_demanded += units
                if wait is None:
                    self.ledger.refuse("sold_out" if self.policy.preorders else "out_of_stock", units)
                elif not self.policy.preorders and self.free_on_hand.get(sku, 0) < units:
                    self.ledger.refuse("out_of_stock", units)
                elif self._place(day, k, units, self.channels[channel], lane, code):
                    placed += 1
        return placed

    def _place(self, day: int, sku: int, units: int, channel: str, lane_index: int, code: int) -> bool:
        self.customers += 1
        customer_id = f"c{self.customers}"
        intent = OrderIntent(
            self.skus[sku],
            units,
            Customer(customer_id, f"{customer_id}@simulation.invalid", self.addresses[lane_index, code]),
            channel,
        )
        started = time.perf_counter()
        try:
            order = self.engine.place(PlacePreorder(ACCOUNT, intent)).placed
        except DomainError as refusal:
            self.ledger.decision_seconds.append(time.perf_counter() - started)
            self.ledger.refuse(refusal.code, units)
            return False
        self.ledger.decision_seconds.append(time.perf_counter() - started)
        assert order is not None  # a new order, never a replay: the simulation sends no dedupe keys
        from_stock = order.status is OrderStatus.ALLOCATED
        promise = self.customers_in_line.promised(day, lane_index, order.promise, from_stock=from_stock)
        self.ledger.add(
            order.id,
            sku=sku,
            units=units,
            price=float(order.unit_price),
            lane=lane_index,
            day=day,
            promise=promise,
            from_stock=from_stock,
        )
        if not self.policy.preorders:
            self.free_on_hand[self.skus[sku]] -= units
        self.sold[sku, day] += units
        self.net_sold[sku] += units
        return True

    # --- carriers -------------------------------------------------------------------------------
    def shipped(self, day: int, order_ids: list[str]) -> None:
        """Orders that left today: each gets a handling plus transit time drawn from its lane."""
        rows = sorted(r for r in (self.ledger.row_of.get(i) for i in order_ids) if r is not None)
        if not rows:
            return
        lanes = np.array([self.ledger.lane[r] for r in rows], dtype=np.int64)
        transit = np.exp(self.carrier_rng.normal(self.transit_mu[lanes], self.transit_sigma[lanes])) - 1.0
        days = day + self.handling[lanes] + np.floor(np.round(np.maximum(transit, 0.0), 9)).astype(np.int64)
        first = self.scenario.start.toordinal()
        # read-only, for the KPI only; under the naive baseline the engine's promises are never shown
        orders = getattr(self.engine.runner, "store", None) if self.policy.engine_promise else None
        for row, arrive in zip(rows, days.tolist(), strict=True):
            self.ledger.shipped(row, day)
            if orders is not None:
                window = orders.orders[self.ledger.ids[row]].promise.delivery_window
                self.ledger.last_window[row] = (
                    window.earliest.toordinal() - first,
                    window.latest.toordinal() - first,
                )
            self.deliveries[int(arrive)].append(row)

    def _deliver(self, day: int) -> None:
        rows = self.deliveries.pop(day, [])
        if not rows:
            return
        self.engine.apply("world", [MarkDelivered(tuple(self.ledger.ids[r] for r in rows))])
        for row in rows:
            self.ledger.delivered_day[row] = day

    def undelivered(self) -> int:
        """Parcels still on the road when the run ended."""
        return sum(len(rows) for rows in self.deliveries.values())
