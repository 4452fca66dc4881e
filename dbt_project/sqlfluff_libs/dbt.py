"""dbt's cross-database macros as the SQL they render on DuckDB (for linting only)."""


def concat(fields):
    return "concat(" + ", ".join(fields) + ")"


def current_timestamp():
    return "current_timestamp"


def length(expression):
    return f"length({expression})"


def position(substring_text, string_text):
    return f"position({substring_text} in {string_text})"


def replace(field, old_chars, new_chars):
    return f"replace({field}, {old_chars}, {new_chars})"


def split_part(string_text, delimiter_text, part_number):
    return f"split_part({string_text}, {delimiter_text}, {part_number})"


def dateadd(datepart, interval, from_date_or_timestamp):
    return f"date_add({from_date_or_timestamp}, interval ({interval}) {datepart})"


def date_trunc(datepart, date):
    return f"date_trunc('{datepart}', {date})"


def date_spine(datepart, start_date, end_date):
    return f"select range as date_{datepart} from range({start_date}, {end_date}, interval 1 {datepart})"


def datediff(first_date, second_date, datepart):
    return f"date_diff('{datepart}', {first_date}, {second_date})"
