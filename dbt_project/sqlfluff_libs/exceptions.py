"""dbt's exceptions namespace (for linting only): a compile-time error renders nothing."""


def raise_compiler_error(message):
    return ""
