"""MLflow adapter of the champion-models port, and the pyfunc wrappers the models are registered as.

Registered models carry only their configuration (``model_config``); the code that answers is the
engine's own model classes, so a loaded champion and an in-memory model with the same configuration
predict the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import mlflow
import mlflow.pyfunc
import pandas as pd
from mlflow.pyfunc import PythonModel

from engine.model_registry import (
    CHAMPION_ALIAS,
    DEMAND_MODEL_NAME,
    PRICING_MODEL_NAME,
    BassDemandModel,
    DemandModelConfig,
    DemandOutlook,
    DemandQuery,
    PriceQuery,
    PricingPolicyConfig,
    ScarcityPricingModel,
)

PRICE_COLUMNS = ("remaining_units", "expected_arrivals", "current_price", "periods_since_change")


class PricingPyfunc(PythonModel):
    """Pyfunc form of :class:`ScarcityPricingModel`: one row per product in, a ``price`` column out."""

    def load_context(self, context: Any) -> None:
        self._model = ScarcityPricingModel(PricingPolicyConfig(**context.model_config))

    # ``model_input: pd.DataFrame`` tells MLflow the input is a frame it must not convert; unannotated,
    # MLflow warns on every import that type hints are missing.
    def predict(
        self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None
    ) -> pd.DataFrame:
        frame = pd.DataFrame(model_input)
        queries = [
            PriceQuery(
                remaining_units=float(row.remaining_units),
                expected_arrivals=float(row.expected_arrivals),
                current_price=float(row.current_price),
                periods_since_change=int(row.periods_since_change),
            )
            for row in frame.itertuples(index=False)
        ]
        return pd.DataFrame({"price": self._model.predict(queries)})


class DemandPyfunc(PythonModel):
    """Pyfunc form of :class:`BassDemandModel`: a ``sales`` column of periods so far in, the forecast of
    the next ``horizon`` (a parameter) periods out, totals repeated on every row."""

    def load_context(self, context: Any) -> None:
        self._model = BassDemandModel(DemandModelConfig(**context.model_config))

    def predict(
        self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None
    ) -> pd.DataFrame:
        sales = tuple(float(v) for v in pd.DataFrame(model_input)["sales"])
        horizon = int((params or {}).get("horizon", 1))
        outlook = self._model.predict(DemandQuery(sales=sales, horizon=horizon))
        return pd.DataFrame(
            {
                "period": [float(t) for t in range(len(sales) + 1, len(sales) + horizon + 1)],
                "mean": outlook.mean,
                "lower": outlook.lower,
                "upper": outlook.upper,
                "total_mean": outlook.total_mean,
                "total_lower": outlook.total_lower,
                "total_upper": outlook.total_upper,
            }
        )


class _LoadedPricingModel:
    def __init__(self, model: Any) -> None:
        self._model = model

    def predict(self, queries: Sequence[PriceQuery]) -> list[float]:
        frame = pd.DataFrame(
            {
                "remaining_units": [float(q.remaining_units) for q in queries],
                "expected_arrivals": [float(q.expected_arrivals) for q in queries],
                "current_price": [float(q.current_price) for q in queries],
                # Floats throughout: MLflow's schema treats integer columns as unable to hold missing values.
                "periods_since_change": [float(q.periods_since_change) for q in queries],
            }
        )
        return [float(v) for v in self._model.predict(frame)["price"]]


class _LoadedDemandModel:
    def __init__(self, model: Any) -> None:
        self._model = model

    def predict(self, query: DemandQuery) -> DemandOutlook:
        frame = pd.DataFrame({"sales": [float(v) for v in query.sales]})
        out = self._model.predict(frame, params={"horizon": query.horizon})
        return DemandOutlook(
            mean=tuple(float(v) for v in out["mean"]),
            lower=tuple(float(v) for v in out["lower"]),
            upper=tuple(float(v) for v in out["upper"]),
            total_mean=float(out["total_mean"].iloc[0]),
            total_lower=float(out["total_lower"].iloc[0]),
            total_upper=float(out["total_upper"].iloc[0]),
        )


class MlflowChampionModels:
    """Loads the versions that hold the ``champion`` alias from an MLflow model registry.

    MLflow resolves ``models:/`` URIs through its process-wide registry URI, so loading points it at
    ``tracking_uri`` first.
    """

    def __init__(
        self,
        tracking_uri: str,
        *,
        pricing_name: str = PRICING_MODEL_NAME,
        demand_name: str = DEMAND_MODEL_NAME,
        alias: str = CHAMPION_ALIAS,
    ) -> None:
        self.tracking_uri = tracking_uri
        self.pricing_name = pricing_name
        self.demand_name = demand_name
        self.alias = alias

    def load_pricing(self) -> _LoadedPricingModel:
        return _LoadedPricingModel(self._load(self.pricing_name))

    def load_demand(self) -> _LoadedDemandModel:
        return _LoadedDemandModel(self._load(self.demand_name))

    def _load(self, name: str) -> Any:
        mlflow.set_tracking_uri(self.tracking_uri)
        mlflow.set_registry_uri(self.tracking_uri)
        return mlflow.pyfunc.load_model(f"models:/{name}@{self.alias}")
