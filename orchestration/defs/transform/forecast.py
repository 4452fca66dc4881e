import dagster as dg

from orchestration.defs.resources import WarehouseResource
from orchestration.forecast import FORECAST_SCHEMA, FORECAST_TABLE, write_spend_forecast
from orchestration.progress import report


@dg.asset(
    key=[FORECAST_SCHEMA, FORECAST_TABLE],
    deps=[dg.AssetKey(["intermediate", "int_budget_actuals_daily"])],
    group_name="transform",
    kinds={"python", "duckdb"},
    description="Each budget's daily spend forecast to the end of its current period (orchestration/forecast.py: "
    "Holt-Winters with weekly seasonality and a damped trend on >= 14 days, else the mean of the days so far), "
    "fitted on int_budget_actuals_daily; dbt reads it as source forecast.spend_forecast_daily.",
)
def spend_forecast_daily(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect(context) as conn:
        summary = write_spend_forecast(conn)
    methods = sorted({method for _, method, _ in summary})
    report(context, f"forecast: {len(summary)} budgets ({', '.join(methods) or 'none configured'})")
    return dg.MaterializeResult(
        metadata={"budgets": len(summary), "forecast_days": sum(days for _, _, days in summary)}
    )


@dg.definitions
def defs() -> dg.Definitions:
    return dg.Definitions(assets=[spend_forecast_daily])
