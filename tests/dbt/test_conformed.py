"""Sources are plugins: the unions read the conformed staging models that the source registry names.

The registry (``connectors.registry``) gives dbt the var ``finops_conformed`` (kind -> model names, built by
``orchestration.defs.transform.project.dbt_vars()``); the models themselves are marked in their folder's
YAML with ``config: meta: {finops_conformed: <kind>}``. These tests hold the two lists together, check that
dbt registered every listed model as a dependency of its union, that the unions name no source, that an
empty kind builds to an empty, typed union, and that dbt refuses to run without the var.
"""

import json
import re

import duckdb
import pytest
from dbt_inprocess import run_dbt

pytestmark = pytest.mark.slow

UNIONS = {
    "usage_lines": "int_usage_unioned",
    "billed_lines": "int_billed_costs_unioned",
    "accounts": "int_accounts_unioned",
    "api_keys": "int_api_keys_unioned",
    "users": "int_users_unioned",
    "request_lines": "int_requests_unioned",
    "price_lines": "stg_pricing__price_book",  # the curated seed rows, the published ones, then the generated ones
}
MISSING_VAR = "dbt var 'finops_conformed' is missing: finops passes it from the source registry on every dbt command"


def _passed() -> dict[str, list[str]]:
    from orchestration.defs.transform.project import dbt_vars

    return dbt_vars()["finops_conformed"]


@pytest.fixture(scope="module")
def manifest(tmp_path_factory) -> dict:
    from orchestration.defs.transform.project import vars_arg

    home = tmp_path_factory.mktemp("finops_home")
    result = run_dbt(home, ["parse", *vars_arg()])  # exactly what finops passes
    assert result.success, f"dbt parse failed: {result.exception}"
    return json.loads((home / "dbt_target" / "manifest.json").read_text())


def _models(manifest: dict) -> dict[str, dict]:
    return {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}


def _marked(manifest: dict) -> dict[str, str]:
    """model name -> the kind its YAML marks it with (config.meta, which dbt also copies to node.meta)."""
    marked = {}
    for name, node in _models(manifest).items():
        kind = node["config"].get("meta", {}).get("finops_conformed") or node.get("meta", {}).get("finops_conformed")
        if kind:
            marked[name] = kind
    return marked


def test_every_marked_model_is_passed_and_every_passed_model_is_marked(manifest):
    marked = {(kind, name) for name, kind in _marked(manifest).items()}
    passed = {(kind, name) for kind, names in _passed().items() for name in names}
    assert passed, "no conformed model at all: the registry lists no source"
    problems = [
        f"{name} is marked `finops_conformed: {kind}` in dbt YAML, but the source registry does not pass it "
        "(dbt_vars()): add the kind to the source's `conformed` (connectors/<source>/__init__.py), or drop the mark"
        for kind, name in sorted(marked - passed)
    ] + [
        f"{name} is passed as {kind} by the source registry (dbt_vars()), but not marked in dbt YAML: give it "
        f"`config: {{meta: {{finops_conformed: {kind}}}}}` in its folder's YAML, or drop the kind from the source"
        for kind, name in sorted(passed - marked)
    ]
    assert problems == [], "\n".join(problems)


def test_conformed_models_are_named_placed_and_contracted_alike(manifest):
    from connectors.source import CONFORMED_KINDS

    models = _models(manifest)
    columns_of_kind: dict[str, dict[str, list]] = {}
    for name, kind in sorted(_marked(manifest).items()):
        node = models[name]
        assert kind in CONFORMED_KINDS, f"{name}: unknown kind {kind!r}; known: {CONFORMED_KINDS}"
        match = re.fullmatch(r"stg_([a-z0-9_]+?)__([a-z_]+)", name)
        assert match and match.group(2) == kind, f"{name}: a conformed model of kind {kind} is stg_<source>__{kind}"
        assert node["original_file_path"] == f"models/staging/{match.group(1)}/{name}.sql", (
            f"{name}: conformed models end their source's staging folder, models/staging/{match.group(1)}/"
        )
        assert node["config"]["contract"]["enforced"], f"{name}: a conformed model enforces its contract"
        columns = [(c["name"], (c.get("data_type") or "").lower()) for c in node["columns"].values()]
        columns_of_kind.setdefault(kind, {})[name] = columns
    for kind, by_model in columns_of_kind.items():
        assert len({tuple(c) for c in by_model.values()}) == 1, (
            f"the conformed models of kind {kind} declare different columns or types: {by_model}"
        )


def test_each_union_depends_on_every_passed_model(manifest):
    models = _models(manifest)
    for kind, union in UNIONS.items():
        parents = {uid.split(".")[-1] for uid in models[union]["depends_on"]["nodes"]}
        assert set(_passed()[kind]) <= parents, f"{union} does not ref every model passed for {kind}"


def test_the_unions_and_dim_account_name_no_source(manifest):
    from connectors.registry import SOURCES

    models = _models(manifest)
    for name in [*UNIONS.values(), "dim_account"]:
        code = re.sub(r"\{#.*?#\}", "", models[name]["raw_code"], flags=re.DOTALL)  # Jinja comments
        code = re.sub(r"--[^\n]*", "", code).lower()  # SQL comments
        # a source's name as a word of its own or as part of a name (stg_openai__costs, openai_buckets)
        named = [s.name for s in SOURCES if re.search(rf"(?<![a-z0-9]){re.escape(s.name)}(?![a-z0-9])", code)]
        assert named == [], f"{name} names sources {named}: a new source must add no line to the unions"


def test_an_empty_kind_builds_an_empty_typed_union(tmp_path):
    nothing = json.dumps({"finops_conformed": {kind: [] for kind in UNIONS}})
    result = run_dbt(
        tmp_path,
        [
            "build",
            "--vars",
            nothing,
            "--resource-type",
            "seed",
            "--resource-type",
            "model",
            "--select",
            "model_aliases",
            "price_book",
            "stg_pricing__model_aliases",
            # the generated genai-prices seeds (`finops prices sync`): the price book and the model resolution read them
            "genai_prices__price_book",
            "genai_prices__model_matches",
            "stg_pricing__genai_prices_model_matches",
            *UNIONS.values(),
        ],
    )
    assert result.success, f"dbt build failed: {result.exception}"
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as conn:
        types = {
            (table, column): data_type
            for table, column, data_type in conn.execute(
                "select table_name, column_name, data_type from information_schema.columns "
                "where table_schema = 'intermediate' order by table_name, ordinal_position"
            ).fetchall()
        }
        for union in UNIONS.values():
            if union.startswith("int_"):
                assert conn.execute(f"select count(*) from intermediate.{union}").fetchone() == (0,)
        # the price book without published prices is the curated seed, whole (beside the generated rows)
        (seeded,) = conn.execute("select count(*) from pricing.price_book").fetchone()
        origins = dict(
            conn.execute("select price_origin, count(*) from staging.stg_pricing__price_book group by 1").fetchall()
        )
        assert origins["curated"] == seeded and "published" not in origins
    assert types[("int_usage_unioned", "usage_date")] == "DATE"
    assert types[("int_usage_unioned", "quantity")] == "BIGINT"
    assert types[("int_usage_unioned", "prompt_tokens_gt")] == "BIGINT"
    assert types[("int_billed_costs_unioned", "billed_cost_usd")] == "DECIMAL(38,12)"
    assert types[("int_accounts_unioned", "is_listed")] == "BOOLEAN"
    assert types[("int_accounts_unioned", "created_at")] == "TIMESTAMP"


def test_dbt_without_the_var_stops_with_one_sentence(tmp_path):
    result = run_dbt(tmp_path, ["build"])
    assert not result.success
    assert MISSING_VAR in str(result.exception)
    assert not (tmp_path / "warehouse.duckdb").exists(), "nothing may run without the var"
