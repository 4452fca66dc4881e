"""dbt's adapter, as far as the models use it (for linting only)."""


def dispatch(macro_name, macro_namespace=None):
    def call(*args, **kwargs):
        return f"{macro_name}(" + ", ".join(str(a) for a in args) + ")"

    return call


def get_columns_in_relation(relation):
    return []


def quote(identifier):
    return f'"{identifier}"'
