"""A mapping's mistakes stop the load before it starts (issue 9).

Static mistakes are refused when the mapping loads, before any row is read; a date format
that reads day and month swapped is refused before the file loads; a file whose rows
mostly fail on one mapping key rolls back whole. Fewer failures keep rows and rejects.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from callscope.errors import MappingError
from callscope.ingest import ingest_files
from callscope.ingest.mapping import Mapping
from callscope.model import OUTCOMES

ROOT = Path(__file__).resolve().parents[2]
PWC_MAPPING = ROOT / "mappings" / "pwc_call_centre.toml"
BASE = "[fields.contact_id]\ncolumn = 'id'\n[fields.arrival_ts]\ncolumn = 't'\n"


def _files(tmp_path: Path, csv_text: str, toml: str, suffix: str = ".toml") -> tuple[Path, Path]:
    p = tmp_path / "calls.csv"
    p.write_text(csv_text)
    m = tmp_path / f"m{suffix}"
    m.write_text(toml)
    return p, m


def _nothing_landed(store) -> None:
    for table in ("contacts", "surveys", "rejects", "ingests"):
        assert store.count(table) == 0, table


# -- 1. what the mapping alone shows ------------------------------------------------------
@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (  # the case: a value map naming an unknown outcome
            BASE
            + "[fields.outcome]\ncolumn = 'a'\nvalues = { Y = 'answered', N = 'abandonned' }\n",
            [
                'fields.outcome.values.N = "abandonned" is not an outcome',
                "allowed: " + ", ".join(OUTCOMES),
                'did you mean "abandoned"?',
            ],
        ),
        (  # a source value that is not a bare TOML key is quoted as written
            BASE + "[fields.outcome]\ncolumn = 'a'\nvalues = { 'Not answered' = 'abandon' }\n",
            ['fields.outcome.values."Not answered" = "abandon"', 'did you mean "abandoned"?'],
        ),
        (
            BASE + "[fields.channel]\ncolumn = 'a'\nvalues = { P = 'voise' }\n",
            ['fields.channel.values.P = "voise" is not a channel', "allowed: voice, chat, email"],
        ),
        (
            BASE + "[fields.direction]\ncolumn = 'a'\nvalues = { I = 'incoming' }\n",
            ["fields.direction.values.I", "allowed: inbound, outbound"],
        ),
        (
            BASE + "[fields.resolved]\ncolumn = 'a'\nvalues = { Y = 'ture', N = false }\n",
            ['fields.resolved.values.Y = "ture" is not a boolean', 'did you mean "true"?'],
        ),
        (
            BASE + "[fields.priority]\ncolumn = 'a'\nvalues = { H = 'high' }\n",
            ['fields.priority.values.H = "high" is not a number'],
        ),
        (
            BASE + "[fields.talk_s]\ncolumn = 'a'\nduration = 'h:mm:ss'\nvalues = { x = '90s' }\n",
            ['fields.talk_s.values.x = "90s" is not a h:mm:ss duration'],
        ),
        (
            BASE + "[defaults]\nchannel = 'phone'\n",
            ['defaults.channel = "phone" is not a channel'],
        ),
        (
            BASE + "[defaults]\noutcome = 'answerd'\n",
            ['defaults.outcome = "answerd"', 'did you mean "answered"?'],
        ),
        (
            BASE + "[defaults]\nqueue_entry_ts = '2025-01-01 10:00:00'\n",
            ["defaults.queue_entry_ts: a time cannot be a constant"],
        ),
        (
            "[fields.arrival_ts]\ncolumn = 't'\n[defaults]\ncontact_id = 'x'\n",
            ["defaults.contact_id: every contact needs its own id"],
        ),
        (
            BASE + "[defaults]\nagent = 'x'\n[fields.agent]\ncolumn = 'a'\n",
            ["defaults.agent and fields.agent are both given", "fields.agent.default"],
        ),
        (
            BASE + "[fields.agent]\ncolumn = 'a'\ndefault = 'nobody'\n[fields.rings]\n"
            "column = 'a'\ndefault = 'many'\n",
            ['fields.rings.default = "many" is not a number'],
        ),
        (  # a strptime pattern DuckDB refuses would have crashed mid-load
            "[fields.arrival_ts]\ncolumn = 't'\nformat = '%Y-%m-%Q'\n",
            ['fields.arrival_ts.format = "%Y-%m-%Q" is not a valid strptime format', "%Q"],
        ),
        (
            "[fields.arrival_ts]\ndate = 't'\ndate_format = 'dd/mm/yyyy'\n",
            [
                'fields.arrival_ts.date_format = "dd/mm/yyyy" has no strptime codes',
                'did you mean "%d/%m/%Y"?',
            ],
        ),
        (
            "[fields.arrival_ts]\ndate = 't'\ntime = 'a'\ntime_format = 'HH:mm'\n",
            ['time_format = "HH:mm" has no strptime codes', 'did you mean "%H:%M"?'],
        ),
        (
            BASE + "[fields.agent]\ncolumn = 'a'\nformat = '%H'\n",
            ["fields.agent.format: agent is not a timestamp"],
        ),
        (
            "[fields.arrival_ts]\ncolumn = 't'\ndate = 't'\n",
            ["fields.arrival_ts: give column (with format) or date"],
        ),
        (
            "[fields.arrival_ts]\ncolumn = 't'\ntime_format = '%H:%M'\n",
            ["fields.arrival_ts.time_format needs date"],
        ),
        (
            BASE + "[fields.agent]\ncolumn = 'a'\nduration = 'seconds'\n",
            ["fields.agent.duration: agent is not a duration"],
        ),
        (
            BASE + "[fields.agent]\ncolumn = 'a'\nvalue = { x = 'y' }\n",
            ["fields.agent has unknown key(s) value", 'did you mean "values"?'],
        ),
        (
            BASE + "[fields.outcome]\ncolumn = 'a'\nvalues = ['answered']\n",
            ["fields.outcome.values must be a table"],
        ),
        (BASE + "[csv]\ndelim = ';'\n", ["csv has unknown key(s) delim"]),
        (
            BASE + "[surveys.csat]\ncolumn = 'a'\nscale = [5, 1]\n",
            ["surveys.csat.scale = [5, 1]: give [min, max] with min < max"],
        ),
        (
            "[fields.arrived_at]\ncolumn = 't'\n",
            ["'arrived_at' is not a canonical contacts field", 'did you mean "arrival_ts"?'],
        ),
    ],
)
def test_mapping_mistakes_are_refused_when_it_loads(tmp_path, toml, expected):
    m = tmp_path / "m.toml"
    m.write_text(toml)
    with pytest.raises(MappingError) as e:
        Mapping.load(m)  # before any CSV is opened
    msg = str(e.value)
    assert msg.startswith(f"mapping {m}: ") and "\n" not in msg
    for part in expected:
        assert part in msg, (part, msg)
    assert e.value.field == "mapping"


def test_unquoted_yaml_yes_no_keys_are_named(tmp_path):
    m = tmp_path / "m.yaml"
    m.write_text(
        "fields:\n  arrival_ts: t\n  outcome: {column: a, values: {yes: answered, no: abandoned}}\n"
    )
    with pytest.raises(MappingError, match=r"fields\.outcome\.values: YAML read an unquoted key"):
        Mapping.load(m)


def test_shipped_mappings_pass_the_checks():
    for m in sorted((ROOT / "mappings").glob("*.toml")):
        Mapping.load(m)


def test_unknown_outcome_stops_before_any_row(store, tmp_path):
    p, m = _files(
        tmp_path,
        "id,t,a\n1,2025-01-01 10:00:00,Y\n2,2025-01-01 10:01:00,N\n",
        BASE + "[fields.outcome]\ncolumn = 'a'\nvalues = { Y = 'answered', N = 'abandonned' }\n",
    )
    with pytest.raises(MappingError, match='did you mean "abandoned"'):
        ingest_files(store, [p], "csv", mapping=m)
    _nothing_landed(store)


# -- 2. a date format that reads day and month swapped ------------------------------------
DMY = "id,d,h\n1,01/02/2025,9:00:00\n2,12/02/2025,10:30:00\n3,13/02/2025,11:00:00\n"
DMY += "4,28/02/2025,12:00:00\n5,03/03/2025,8:15:00\n"


def _dated(fmt: str, extra: str = "") -> str:
    return (
        "[fields.contact_id]\ncolumn = 'id'\n[fields.queue_entry_ts]\ndate = 'd'\n"
        f"date_format = '{fmt}'\ntime = 'h'\n" + extra
    )


def test_swapped_day_and_month_are_detected(store, tmp_path):
    p, m = _files(tmp_path, DMY, _dated("%m/%d/%Y"))
    with pytest.raises(MappingError) as e:
        ingest_files(store, [p], "csv", mapping=m)
    msg = str(e.value)
    assert (
        f"{p}: column 'd': 2 of 5 values do not match fields.queue_entry_ts.date_format = "
        '"%m/%d/%Y" (e.g. \'13/02/2025\' on line 4) but all match "%d/%m/%Y": '
        f'set date_format = "%d/%m/%Y" in mapping {m}; nothing was loaded'
    ) == msg
    _nothing_landed(store)


def test_the_suggested_format_loads(store, tmp_path):
    p, m = _files(tmp_path, DMY, _dated("%d/%m/%Y"))
    summary = ingest_files(store, [p], "csv", mapping=m)
    assert summary.rows_loaded == 5 and summary.rows_rejected == 0
    got = store.con.execute("SELECT queue_entry_ts FROM contacts WHERE contact_id = '3'")
    assert got.fetchall()[0][0] == datetime(2025, 2, 13, 11, 0)


def test_ambiguous_dates_load_as_configured(store, tmp_path):
    """Every day <= 12: both formats read every value, nothing can tell them apart."""
    p, m = _files(
        tmp_path, "id,d,h\n1,03/04/2025,9:00:00\n2,12/01/2025,9:30:00\n", _dated("%m/%d/%Y")
    )
    summary = ingest_files(store, [p], "csv", mapping=m)
    assert summary.rows_loaded == 2 and summary.rows_rejected == 0
    got = dict(store.con.execute("SELECT contact_id, queue_entry_ts FROM contacts").fetchall())
    assert got == {"1": datetime(2025, 3, 4, 9, 0), "2": datetime(2025, 12, 1, 9, 30)}


def test_swapped_format_in_one_timestamp_column(store, tmp_path):
    p, m = _files(
        tmp_path,
        "id,t\n1,2025-02-13 10:00\n2,2025-02-14 10:05\n",
        "[fields.contact_id]\ncolumn = 'id'\n[fields.arrival_ts]\ncolumn = 't'\n"
        "format = '%Y-%d-%m %H:%M'\n",
    )
    with pytest.raises(MappingError, match=r'set format = "%Y-%m-%d %H:%M"'):
        ingest_files(store, [p], "csv", mapping=m)
    _nothing_landed(store)


def test_wrong_time_format_names_time_format(store, tmp_path):
    p, m = _files(tmp_path, DMY, _dated("%d/%m/%Y", "time_format = '%I:%M %p'\n"))
    with pytest.raises(
        MappingError, match=r'5 of 5 values do not match .*set time_format = "%H:%M:%S"'
    ):
        ingest_files(store, [p], "csv", mapping=m)
    _nothing_landed(store)


def test_a_few_bad_dates_that_no_format_reads_are_rejected_rows(store, tmp_path):
    p, m = _files(tmp_path, DMY + "6,someday,9:00:00\n", _dated("%d/%m/%Y"))
    summary = ingest_files(store, [p], "csv", mapping=m)
    assert summary.rows_loaded == 5
    assert [(r.line, r.reason.split(" in ")[0]) for r in summary.rejects] == [
        (7, "queue_entry_ts: value someday 9:00:00")
    ]


def test_real_pwc_file_with_swapped_date_format(store, shared_data, tmp_path):
    path = shared_data / "pwc_call_centre" / "call_centre_trends_2021.csv"
    m = tmp_path / "pwc_mdy.toml"
    m.write_text(PWC_MAPPING.read_text().replace('"%d/%m/%Y"', '"%m/%d/%Y"'))
    with pytest.raises(MappingError) as e:
        ingest_files(store, [path], "csv", mapping=m)
    msg = str(e.value)
    assert "column 'Date': 2,890 of 5,000 values do not match" in msg
    assert "'13/01/2021' on line 720" in msg
    assert 'set date_format = "%d/%m/%Y"' in msg
    _nothing_landed(store)


def test_real_pwc_file_with_misspelt_outcome(store, shared_data, tmp_path):
    path = shared_data / "pwc_call_centre" / "call_centre_trends_2021.csv"
    m = tmp_path / "pwc_typo.toml"
    m.write_text(PWC_MAPPING.read_text().replace('N = "abandoned"', 'N = "abandonned"'))
    with pytest.raises(MappingError, match=r'fields\.outcome\.values\.N = "abandonned"'):
        ingest_files(store, [path], "csv", mapping=m)
    _nothing_landed(store)


# -- 3. most rows failing on one key roll the file back -----------------------------------
def _outcomes(n_bad: int, n: int = 30) -> str:
    rows = [f"{i},2025-01-01 10:{i:02d}:00,{'Yes' if i <= n_bad else 'Y'}" for i in range(1, n + 1)]
    return "id,t,a\n" + "\n".join(rows) + "\n"


OUTCOME_MAP = (
    BASE + "[fields.outcome]\ncolumn = 'a'\nvalues = { Y = 'answered', N = 'abandoned' }\n"
)


def test_most_rows_failing_on_one_key_roll_the_file_back(store, tmp_path):
    p, m = _files(tmp_path, _outcomes(20), OUTCOME_MAP)
    with pytest.raises(MappingError) as e:
        ingest_files(store, [p], "csv", mapping=m)
    assert str(e.value) == (
        f"{p}: 20 of 30 rows fail on fields.outcome of mapping {m} (e.g. 'Yes' on line 2); "
        "nothing from this file was loaded: list the column's values under "
        "fields.outcome.values (it maps only Y, N)"
    )
    assert e.value.field == "mapping"
    _nothing_landed(store)


@pytest.mark.parametrize("n_bad", [10, 15])
def test_fewer_failures_keep_the_good_rows(store, tmp_path, n_bad):
    p, m = _files(tmp_path, _outcomes(n_bad), OUTCOME_MAP)
    summary = ingest_files(store, [p], "csv", mapping=m)
    assert summary.rows_loaded == 30 - n_bad and store.count("contacts") == 30 - n_bad
    assert [r.line for r in summary.rejects] == list(range(2, n_bad + 2))
    assert all(r.file == str(p) and "outcome: value Yes" in r.reason for r in summary.rejects)


def test_a_small_file_failing_whole_on_one_key_names_the_key(store, tmp_path):
    p, m = _files(tmp_path, _outcomes(3, n=3), OUTCOME_MAP)
    with pytest.raises(MappingError, match=r"3 of 3 rows fail on fields\.outcome"):
        ingest_files(store, [p], "csv", mapping=m)
    _nothing_landed(store)


def test_most_rows_failing_an_iso_timestamp_say_to_set_format(store, tmp_path):
    rows = "".join(f"{i},0{i % 9 + 1}.01.2025 10:00\n" for i in range(25))
    p, m = _files(tmp_path, "id,t\n" + rows, BASE)
    with pytest.raises(
        MappingError, match=r"25 of 25 rows fail on fields\.arrival_ts.*not ISO 8601"
    ):
        ingest_files(store, [p], "csv", mapping=m)


def test_most_rows_repeating_an_id_roll_the_file_back(store, tmp_path):
    rows = "".join(f"agent{i % 2},2025-01-01 10:{i:02d}:00\n" for i in range(30))
    p, m = _files(tmp_path, "id,t\n" + rows, BASE)
    with pytest.raises(
        MappingError, match=r"28 of 30 rows repeat the contact_id .*'agent0' on line 4"
    ):
        ingest_files(store, [p], "csv", mapping=m)
    _nothing_landed(store)


def test_a_file_before_the_failing_one_stays_loaded(store, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(_outcomes(0))
    p, m = _files(tmp_path, _outcomes(25), OUTCOME_MAP)
    with pytest.raises(MappingError, match=re.escape(f"{p}: 25 of 30 rows")):
        ingest_files(store, [good, p], "csv", mapping=m)
    assert store.count("contacts") == 30 and store.count("ingests") == 1


# -- row checks the loader lacked --------------------------------------------------------
def test_channel_and_direction_values_are_checked_per_row(store, tmp_path):
    p, m = _files(
        tmp_path,
        "id,t,c,d\n1,2025-01-01 10:00:00,Voice,inbound\n2,2025-01-01 10:01:00,phone,inbound\n"
        "3,2025-01-01 10:02:00,chat,sideways\n",
        BASE + "[fields.channel]\ncolumn = 'c'\n[fields.direction]\ncolumn = 'd'\n",
    )
    summary = ingest_files(store, [p], "csv", mapping=m)
    reasons = {r.line: r.reason for r in summary.rejects}
    assert reasons == {
        3: "channel: phone is not one of voice, chat, email",
        4: "direction: sideways is not one of inbound, outbound",
    }
    assert store.con.execute("SELECT channel FROM contacts").fetchall() == [("voice",)]


def test_a_number_out_of_range_is_a_reject_not_a_crash(store, tmp_path):
    p, m = _files(
        tmp_path,
        "id,t,p\n1,2025-01-01 10:00:00,2\n2,2025-01-01 10:01:00,99999\n",
        BASE + "[fields.priority]\ncolumn = 'p'\n",
    )
    summary = ingest_files(store, [p], "csv", mapping=m)
    assert summary.rows_loaded == 1
    assert [r.line for r in summary.rejects] == [3]
    assert summary.rejects[0].reason == (
        "priority 99999 is out of range: priority takes whole numbers from -32,768 to 32,767 "
        "(SMALLINT)"
    )


def test_a_field_default_fills_empty_cells(store, tmp_path):
    p, m = _files(
        tmp_path,
        "id,t,q\n1,2025-01-01 10:00:00,sales\n2,2025-01-01 10:01:00,\n",
        BASE + "[fields.queue]\ncolumn = 'q'\ndefault = 'main'\n",
    )
    ingest_files(store, [p], "csv", mapping=m)
    got = dict(store.con.execute("SELECT contact_id, queue FROM contacts").fetchall())
    assert got == {"1": "sales", "2": "main"}
