"""dbt's target (for linting only)."""

schema = "main"
name = "lint"
type = "duckdb"
