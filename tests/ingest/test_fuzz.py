"""Fuzzing the ingesters (issue 11, item 11): mutated real and synthetic files, one
hypothesis test per format.

Each example takes a small slice of a seed file (the Anonymous Bank months and the PwC
export read in place from ``../shared/data``, files written by :mod:`callscope.synth`,
``tests/ingest/data``), mutates it (fields replaced by hostile values, deleted, joined
or split; lines duplicated, swapped, deleted, cut or joined; bytes flipped, inserted or
deleted; line ends changed), ingests it into a fresh DuckDB store and checks what
README's "What ingest promises" says:

* nothing but a one-line :class:`~callscope.errors.CallscopeError` escapes (a refused
  file leaves nothing of it in the store);
* every row is accounted for. One record per row (Amazon Connect, Anonymous Bank, CSV):
  rows read = contacts loaded + rejected + duplicates, and the store holds exactly those
  contacts and rejects. A ``queue_log`` reads events, several per call: every event line
  read is rejected at its line, kept pending, part of a stored call (or of a call
  rejected at another of its lines), or an agent-state or informational event; none is
  dropped unsaid. Every reject names this file, a true line number and a reason; stored
  contacts name true line numbers;
* the KPI suite (``callscope kpi --by day,queue``) still runs, down to Python values;
* ingesting the file again adds nothing: the same file is skipped (or refused again), and
  a copy under another name (one more line end, so another SHA-256) loads no row and
  changes none. The files of a ``queue_log`` share the calls pending between them, so a
  log (or its copy) offered again may complete calls other files left open, and store
  those, but never a call segment stored before (the same call entering the same queue
  at the same second) nor change a stored row.

CI runs a short, deterministic run (``derandomize``: the same examples every time, no
example database, no shrinking, so a failure is reported at once, with the files drawn).
A release check runs thousands, from another seed, and shrinks what fails to a small
example::

    CALLSCOPE_FUZZ_EXAMPLES=5000 CALLSCOPE_FUZZ_SEED=1 CALLSCOPE_FUZZ_SHRINK=1 \
        nice .venv/bin/pytest -p no:cacheprovider tests/ingest/test_fuzz.py

(``CALLSCOPE_FUZZ_SHRINK=1`` alone shrinks a failure of CI's examples; shrinking stops
after five minutes.)
"""

from __future__ import annotations

import functools
import json
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from callscope.errors import CallscopeError
from callscope.ingest import FileResult, asterisk, ingest_files
from callscope.ingest.mapping import Mapping
from callscope.kpi.engine import compute_kpis, duckdb_source
from callscope.store import Store
from callscope.store.store import StorePrivacy

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
SHARED = ROOT.parent / "shared" / "data"
KEY = bytes(range(32))

#: Examples per ingester: CI's budget, or $CALLSCOPE_FUZZ_EXAMPLES for a release check.
EXAMPLES = int(os.environ.get("CALLSCOPE_FUZZ_EXAMPLES") or 0)
#: CI's budget: an example costs about 0.7 s of one core (a fresh store, up to six
#: ingests, the KPI suite), so the four tests take some 30 s of CPU.
CI_EXAMPLES = 10
SEED = os.environ.get("CALLSCOPE_FUZZ_SEED")
SHRINK = os.environ.get("CALLSCOPE_FUZZ_SHRINK", "") not in ("", "0")
#: Lines of a seed taken per example, at most.
MAX_LINES = 40


def fuzz_settings(ci_examples: int) -> Callable[[Any], Any]:
    """Hypothesis settings of a fuzz test: ``ci_examples`` unless the environment asks
    for more; deterministic unless a seed is given; no example database; shrinking only
    when asked."""

    def wrap(test: Any) -> Any:
        test = settings(
            max_examples=EXAMPLES or ci_examples,
            derandomize=SEED is None,
            database=None,
            deadline=None,
            phases=(Phase.explicit, Phase.generate) + ((Phase.shrink,) if SHRINK else ()),
            suppress_health_check=list(HealthCheck),
            print_blob=True,
        )(test)
        return seed(int(SEED))(test) if SEED is not None else test

    return wrap


# -- seeds --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seed:
    """Lines of a seed file (each with its line end): ``head`` kept whole (a header),
    ``body`` sliced; ``mapping`` for a CSV."""

    name: str
    head: tuple[bytes, ...]
    body: tuple[bytes, ...]
    mapping: str | None = None


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def _seed(name: str, data: bytes, head: int = 0, mapping: str | None = None) -> Seed:
    lines = _lines(data)
    return Seed(name, tuple(lines[:head]), tuple(lines[head:]), mapping)


@functools.cache
def _synthetic() -> dict[str, bytes]:
    """A small synthetic day in each source format callscope.synth writes."""
    from callscope.synth import (
        SynthConfig,
        generate_days,
        write_amazon_connect,
        write_contacts_csv,
        write_queue_log,
    )

    days = list(generate_days(SynthConfig(days=1, contacts_per_day=150, seed=23)))
    out = {}
    with tempfile.TemporaryDirectory() as d:
        for name, write in (
            ("queue_log", write_queue_log),
            ("ctr.jsonl", write_amazon_connect),
            ("contacts.csv", write_contacts_csv),
        ):
            write(days, Path(d) / name)
            out[name] = (Path(d) / name).read_bytes()
    return out


def _shared(rel: str) -> bytes:
    p = SHARED / rel
    if not p.is_file():
        pytest.skip(f"{p} is not beside the project")
    return p.read_bytes()


PWC_NO_ID = """# the PwC export keyed by each row's content (no contact_id)
[csv]
delimiter = ","
[defaults]
queue = "main"
[fields.agent]
column = "Agent"
[fields.arrival_ts]
date = "Date"
date_format = "%d/%m/%Y"
time = "Time"
[fields.outcome]
column = "Answered (Y/N)"
values = { Y = "answered", N = "abandoned" }
[fields.wait_s]
column = "Speed of answer in seconds"
duration = "seconds"
[fields.talk_s]
column = "AvgTalkDuration"
duration = "h:mm:ss"
[surveys.csat]
column = "Satisfaction rating"
scale = [1, 5]
missing = ["0", ""]
"""


@functools.cache
def _mapping(name: str) -> Mapping:
    if name == "pwc-no-id":
        with tempfile.TemporaryDirectory() as d:
            p = Path(d) / "pwc_no_id.toml"
            p.write_text(PWC_NO_ID, encoding="utf-8")
            return Mapping.load(p)
    return Mapping.load(ROOT / "mappings" / name)


@functools.cache
def seeds(fmt: str) -> tuple[Seed, ...]:
    if fmt == "asterisk":
        return (
            _seed("queue_log.txt", (DATA / "queue_log.txt").read_bytes()),
            _seed("synthetic queue_log", _synthetic()["queue_log"]),
        )
    if fmt == "amazon-connect":
        records = [json.dumps(r) for r in json.loads((DATA / "ctr_array.json").read_text())]
        return (
            _seed("ctr.jsonl", (DATA / "ctr.jsonl").read_bytes()),
            _seed("ctr_array.json", ("\n".join(records) + "\n").encode()),
            _seed("synthetic ctr.jsonl", _synthetic()["ctr.jsonl"]),
        )
    if fmt == "anonymous-bank":
        return tuple(
            _seed(f"anonymous bank {m}", _shared(f"anonymous_bank/data_anonymous_bank_{m}.txt"), 1)
            for m in ("january", "february", "october")
        )
    pwc = _shared("pwc_call_centre/call_centre_trends_2021.csv")
    return (
        _seed("pwc", pwc, 1, "pwc_call_centre.toml"),
        _seed("pwc, content keys", pwc, 1, "pwc-no-id"),
        _seed("synthetic contacts.csv", _synthetic()["contacts.csv"], 1, "callscope_contacts.toml"),
        _seed("chats.csv", (DATA / "chats.csv").read_bytes(), 1, "livechat_transcript.toml"),
        _seed("orders.csv", (DATA / "orders.csv").read_bytes(), 1, "shop_orders.toml"),
    )


# -- mutations ----------------------------------------------------------------------------

HOSTILE = (
    "", " ", "0", "-0", "-1", "1", "00", "+1", "0x10", "1_000", "1e3", " 12 ", "１２", "٣",
    "32767", "32768", "-32769", "2147483648", "9223372036854775807", "9223372036854775808",
    "-9223372036854775809", "99999999999999999999999", "1e308", "-1e308", "1e400",
    "4.9e-324", "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "0.5", "-0.5", "31622400",
    "31622401", "4102444799", "4102444800", "9999999999999", "-99999999999", "1736928000",
    "1736928000.5", "[/x]", "[link=https://x.test]y[/link]", "[bold]", "'", '"', '""',
    "';--", "x'; DELETE FROM contacts; --", '"; DROP TABLE contacts; --', ";", ",", "|",
    "\t", "\\", "\\n", "%s", "%Q", "{}", "[]", "{", "NULL", "null", "None", "true",
    "false", "NONE", "unknown", "é", "Ωmega", "😀", "\u202e", "\u00a0", "\x7f", "ı",
    "0:00:00", "23:59:59", "24:00:00", "25:05:41", "23:60:00", "-0:00:01", "99:99:99",
    "1:2:3:4", "9:12:58 PM", "990229", "991301", "000000", "991231", "01/01/2021",
    "31/12/2099", "29/02/2021", "13/13/2021", "2025-01-15", "2025-02-30 10:00:00",
    "1969-12-31 23:59:59", "2100-01-01 00:00:00", "2099-12-31 23:59:59", "9999-12-31 23:59:59",
    "2025-01-15T09:00:00Z", "2025-01-15T09:00:00+14:00", "1970-01-01T00:00:00Z",
    "1969-12-31T23:59:59Z", "2100-01-01T00:00:00Z", "294247-01-15T09:00:00Z",
    "0000-01-01T00:00:00Z", "AGENT", "HANG", "PHANTOM", "NO_SERVER", "answered",
    "abandoned", "ivr_only", "phantom", "blocked", "voice", "chat", "email", "sms", "TASK",
    "inbound", "outbound", "sideways", "Y", "N", "y", "ENTERQUEUE", "CONNECT",
    "COMPLETECALLER", "COMPLETEAGENT", "ABANDON", "EXITWITHKEY", "EXITWITHTIMEOUT",
    "EXITEMPTY", "TRANSFER", "ATTENDEDTRANSFER", "FULL", "JOINEMPTY", "RINGNOANSWER",
    "AGENTLOGIN", "AGENTLOGOFF", "ADDMEMBER", "REMOVEMEMBER", "PAUSE", "UNPAUSE",
    "PAUSEALL", "UNPAUSEALL", "QUEUESTART", "enterqueue", "Agent/1001", "+48 600 100 200",
    "ann@example.com", "x" * 300, "9" * 40, "x" * 70000,
)  # fmt: skip

JSON_HOSTILE: tuple[Any, ...] = (
    None, True, False, 0, -1, 1, 2**15, 2**31, 2**63, -(2**63) - 1, 10**40, 1e308, -1e12,
    0.5, [], {}, [1, 2], {"Name": "Q"}, {"Address": None}, [[[[[[[[[[]]]]]]]]]],
    {"a": {"b": {"c": {"d": [1, {"e": None}]}}}},
)  # fmt: skip

CTR_KEYS = (
    "ContactId", "InitialContactId", "PreviousContactId", "Channel", "InitiationMethod",
    "InitiationTimestamp", "ConnectedToSystemTimestamp", "DisconnectTimestamp",
    "DisconnectReason", "TransferCompletedTimestamp", "TransferredToEndpoint",
    "LastUpdateTimestamp", "CustomerEndpoint", "Queue", "Agent", "Attributes",
)  # fmt: skip
CTR_INNER = {
    "Queue": ("Name", "EnqueueTimestamp", "DequeueTimestamp", "Duration"),
    "Agent": (
        "Username", "ConnectedToAgentTimestamp", "AgentInteractionDuration",
        "CustomerHoldDuration", "AfterContactWorkDuration",
    ),
    "CustomerEndpoint": ("Address", "Type"),
    "Attributes": ("disposition", "Disposition"),
}  # fmt: skip

SEPARATORS = {"asterisk": b"|", "anonymous-bank": b"\t", "csv": b",", "amazon-connect": b","}
ENDS = (b"\r\n", b"\n", b"\r")
SPECIAL_BYTES = (
    b"\x00", b"\xff", b"\xe9", b"\xc3", b"\xef\xbb\xbf", b"\r", b"\n", b"\r\n", b'"', b"'",
    b"|", b"\t", b",", b";", b"[", b"]", b"{", b"}", b"\\", b" ", b"\x1a", b"\x0b",
)  # fmt: skip


def _text_values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.text(max_size=12),
        st.integers(-(2**70), 2**70).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
    )


def _json_values() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(JSON_HOSTILE),
        _text_values(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=True, allow_infinity=True),
    )


def _split_end(line: bytes) -> tuple[bytes, bytes]:
    for end in ENDS:
        if line.endswith(end):
            return line[: -len(end)], end
    return line, b""


def _csv_field(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


@st.composite
def _mutate_fields(draw: Any, line: bytes, sep: bytes, csv: bool) -> bytes:
    """One field of a delimited line replaced, deleted, added, joined to the next or
    split in two."""
    body, end = _split_end(line)
    fields = body.split(sep)
    k = draw(st.integers(0, len(fields) - 1))
    op = draw(st.sampled_from(("replace", "replace", "replace", "delete", "insert", "join")))
    value = draw(_text_values())
    if csv and draw(st.booleans()):
        value = _csv_field(value)
    raw = value.encode("utf-8", "surrogatepass")
    if op == "replace":
        fields[k] = raw
    elif op == "delete" and len(fields) > 1:
        del fields[k]
    elif op == "insert":
        fields.insert(k, raw)
    elif op == "join" and k + 1 < len(fields):
        fields[k : k + 2] = [fields[k] + b" " + fields[k + 1]]
    return sep.join(fields) + end


def _json_paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = []
    items = (
        obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else ()
    )
    for k, v in items:
        out.append((*prefix, k))
        out.extend(_json_paths(v, (*prefix, k)))
    return out


@st.composite
def _mutate_json(draw: Any, line: bytes) -> bytes:
    """One value of a JSON record replaced (any type), deleted or added; a record that
    does not parse has a field of its text mutated instead."""
    body, end = _split_end(line)
    try:
        obj = json.loads(body)
    except ValueError:
        return draw(_mutate_fields(line, b",", False))
    if not isinstance(obj, dict):
        return draw(_mutate_fields(line, b",", False))
    op = draw(st.sampled_from(("replace", "replace", "delete", "add")))
    paths = _json_paths(obj)
    if op == "add" or not paths:
        key = draw(st.sampled_from(CTR_KEYS))
        inner = CTR_INNER.get(key)
        if inner and isinstance(obj.get(key), dict) and draw(st.booleans()):
            obj[key][draw(st.sampled_from(inner))] = draw(_json_values())
        else:
            obj[key] = draw(_json_values())
    else:
        path = draw(st.sampled_from(paths))
        parent = obj
        for k in path[:-1]:
            parent = parent[k]
        if op == "delete":
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(_json_values())
    text = json.dumps(obj, ensure_ascii=draw(st.booleans()))
    return text.encode("utf-8", "surrogatepass") + end


@st.composite
def _line_op(draw: Any, lines: list[bytes], fmt: str) -> list[bytes]:
    """Lines duplicated, swapped, deleted, cut, joined, moved or added."""
    n = len(lines)
    i, j = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
    op = draw(
        st.sampled_from(
            ("duplicate", "swap", "delete", "cut", "join", "blank", "garbage", "reverse", "copy")
        )
    )
    lines = list(lines)
    if op == "duplicate":
        lines.insert(j, lines[i])
    elif op == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif op == "delete" and n > 1:
        del lines[i]
    elif op == "cut":
        body, end = _split_end(lines[i])
        keep = draw(st.integers(0, len(body)))
        lines[i] = body[:keep] + (end if draw(st.booleans()) else b"")
    elif op == "join" and i + 1 < n:
        lines[i : i + 2] = [_split_end(lines[i])[0] + lines[i + 1]]
    elif op == "blank":
        lines.insert(i, draw(st.sampled_from((b"\n", b"   \n", b"\t\n", b" " * 12 + b"\n"))))
    elif op == "garbage":
        lines.insert(i, draw(st.binary(max_size=40)) + b"\n")
    elif op == "reverse":
        lines.reverse()
    elif op == "copy":  # a line of another seed of the format (a record from elsewhere)
        other = draw(st.sampled_from(seeds(fmt)))
        lines.insert(i, draw(st.sampled_from(other.body)))
    return lines


@st.composite
def _byte_op(draw: Any, data: bytes) -> bytes:
    """Bytes flipped, inserted, deleted or replaced; the file cut; its line ends
    changed; a byte-order mark put in front."""
    n = len(data)
    i = draw(st.integers(0, max(n - 1, 0)))
    op = draw(st.sampled_from(("flip", "insert", "insert", "delete", "cut", "ends", "bom")))
    if op == "flip" and n:
        return data[:i] + bytes([data[i] ^ (1 << draw(st.integers(0, 7)))]) + data[i + 1 :]
    if op == "insert":
        b = draw(st.one_of(st.sampled_from(SPECIAL_BYTES), st.binary(min_size=1, max_size=8)))
        return data[:i] + b + data[i:]
    if op == "delete":
        return data[:i] + data[i + draw(st.integers(1, 16)) :]
    if op == "cut":
        return data[: max(i, 1)]
    if op == "ends":
        end = draw(st.sampled_from(ENDS))
        return re.sub(rb"\r\n|\r|\n", end, data)
    return b"\xef\xbb\xbf" + data


@st.composite
def _mutate_slice(draw: Any, s: Seed, fmt: str, start: int, k: int) -> bytes:
    """Lines ``start`` to ``start + k`` of seed ``s`` (after its head), mutated."""
    lines = list(s.head) + list(s.body[start : start + k])
    if lines and not lines[-1].endswith((b"\n", b"\r")):
        lines[-1] += b"\n"
    for _ in range(draw(st.integers(0, 4))):  # fields
        i = draw(st.integers(0, len(lines) - 1))
        if fmt == "amazon-connect":
            lines[i] = draw(_mutate_json(lines[i]))
        else:
            lines[i] = draw(_mutate_fields(lines[i], SEPARATORS[fmt], fmt == "csv"))
    for _ in range(draw(st.integers(0, 2))):  # lines
        lines = draw(_line_op(lines, fmt))
    if fmt == "amazon-connect" and draw(st.booleans()):  # one JSON array
        records = [_split_end(x)[0] for x in lines]
        if draw(st.booleans()):
            data = b"[\n" + b",\n".join(records) + b"\n]\n"
        else:
            try:
                data = json.dumps([json.loads(r) for r in records], indent=2).encode()
            except ValueError:
                data = b"[" + b",".join(records) + b"]"
    else:
        data = b"".join(lines)
    for _ in range(draw(st.integers(0, 3))):  # bytes
        data = draw(_byte_op(data))
    return data


@st.composite
def mutated(
    draw: Any, fmt: str, mappings: tuple[str, ...] | None = None
) -> tuple[Seed, list[bytes]]:
    """One or two files of ``fmt``: mutated slices of one seed (of a CSV: one read
    through one of ``mappings``, when given), the second near the first or overlapping
    it (the next file of a log, an export that grew, records again or updated)."""
    s = draw(st.sampled_from([x for x in seeds(fmt) if mappings is None or x.mapping in mappings]))
    n = len(s.body)
    k = draw(st.integers(1, min(MAX_LINES, n)))
    start = draw(st.integers(0, n - k))
    files = [draw(_mutate_slice(s, fmt, start, k))]
    if draw(st.booleans()):
        k2 = draw(st.integers(1, min(MAX_LINES, n)))
        lo, hi = max(0, start - k2), min(n - k2, start + k)
        start2 = draw(st.integers(min(lo, hi), hi))
        files.append(draw(_mutate_slice(s, fmt, start2, k2)))
    return s, files


# -- the checks ---------------------------------------------------------------------------

_NEWLINE = re.compile(rb"\r\n|\r|\n")


def physical_lines(data: bytes) -> list[bytes]:
    """The file's lines as a text editor numbers them (``\\r\\n``, ``\\r`` or ``\\n``
    ends a line; a byte-order mark at the start is not text)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = _NEWLINE.split(data)
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def _text(line: bytes) -> str:
    return line.decode("utf-8", "replace")


def _blank(line: bytes) -> bool:
    """A line no ingester counts: empty or spaces only."""
    return line.strip(b" ") == b""


def _query(store: Store, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    return store.con.execute(sql, params or []).fetchall()


def _snapshot(store: Store) -> dict[str, Any]:
    """Every canonical row that matters to a report, and the pending events."""
    return {
        "contacts": sorted(
            map(repr, _query(store, "SELECT * EXCLUDE (source_file) FROM contacts"))
        ),
        "agent_states": sorted(
            map(repr, _query(store, "SELECT * EXCLUDE (source_file) FROM agent_states"))
        ),
        "surveys": sorted(map(repr, _query(store, "SELECT * EXCLUDE (source_file) FROM surveys"))),
        **{
            t: sorted(map(repr, _query(store, f"SELECT * EXCLUDE (source_file) FROM {t}")))
            for t in ("messages", "orders")
        },
    }


def _batch(store: Store, path: Path) -> tuple[str, tuple[Any, ...]]:
    rows = _query(
        store,
        "SELECT batch_id, rows_read, rows_loaded, rows_rejected, rows_duplicate FROM ingests "
        "WHERE file = ?",
        [str(path)],
    )
    assert len(rows) == 1, rows
    return rows[0][0], rows[0][1:]


def check_accounting(
    store: Store,
    fmt: str,
    path: Path,
    data: bytes,
    f: FileResult,
    stored_before: int,
    table: str = "contacts",
) -> None:
    """Every row of ``path`` is accounted for, in the summary and in the store
    (``stored_before``: the contacts stored before it; ``table``: the table a CSV's
    rows land in; a chat transcript's chats are contacts derived from its messages)."""
    batch_id, manifest = _batch(store, path)
    assert manifest == (f.rows_read, f.rows_loaded, f.rows_rejected, f.rows_duplicate)
    lines = physical_lines(data)
    rows = _query(store, "SELECT file, line, reason FROM rejects WHERE batch_id = ?", [batch_id])
    assert all(file == str(path) and reason.strip() for file, _, reason in rows), rows
    rejected = [line for _, line, _ in rows]
    assert len(rejected) == f.rows_rejected, (len(rejected), f)
    assert len(set(rejected)) == len(rejected), f"a line rejected twice: {sorted(rejected)}"
    assert store.count("contacts") - stored_before == f.tables.get("contacts", 0) - f.rows_replaced
    contacts = _query(
        store,
        "SELECT contact_id, source_line FROM contacts WHERE source_file = ?",
        [str(path)],
    )
    array = fmt == "amazon-connect" and data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"[")
    if not array:  # lines named are true lines of the file
        assert all(line is not None and 1 <= line <= len(lines) for line in rejected), (
            f"rejects at lines {sorted(rejected)} of a file of {len(lines)} lines"
        )
        assert all(1 <= line <= len(lines) for _, line in contacts), (
            f"contacts at lines {sorted(line for _, line in contacts)} of {len(lines)}"
        )
    nonempty = sum(1 for x in lines if x != b"")
    nonblank = sum(1 for x in lines if not _blank(x))
    if fmt == "asterisk":
        assert nonblank <= f.rows_read <= nonempty, (nonblank, f.rows_read, nonempty)
        _check_queue_log(store, batch_id, path, lines, set(rejected), contacts)
        return
    # one record per row
    assert f.rows_read == f.tables.get(table, 0) + f.rows_rejected + f.rows_duplicate, f
    if table != "contacts":
        (n,) = _query(store, f"SELECT count(*) FROM {table} WHERE source_file = ?", [str(path)])[0]
        assert n == f.tables.get(table, 0), (n, f)
    if fmt != "amazon-connect" and table != "messages":  # (a chat grows over files)
        assert f.rows_replaced == 0, f  # records of other sources are final
    if array:
        return
    header = 1 if fmt in ("anonymous-bank", "csv") else 0
    if fmt == "csv":  # a quoted field may hold line ends: rows span lines
        assert f.rows_read <= nonempty - header, (f.rows_read, nonempty)
    else:
        assert nonblank - header <= f.rows_read <= nonempty - header, (nonblank, f, nonempty)
    for cid, line in contacts:  # each stored contact names its own line
        text = _text(lines[line - 1])
        if fmt == "anonymous-bank":
            p = text.split("\t")
            assert cid == f"ab:{p[5]}:{p[0]}:{p[1]}", (cid, line, text)
        elif fmt == "amazon-connect":
            # (the ingester drops every byte-order mark, U+FEFF, at the start of line 1)
            assert json.loads(text.lstrip("\ufeff"))["ContactId"] == cid, (cid, line, text)
        elif not cid.startswith("csv:"):
            assert cid in text.replace('""', '"'), (cid, line, text)


def _check_queue_log(
    store: Store,
    batch_id: str,
    path: Path,
    lines: list[bytes],
    rejected: set[int],
    contacts: list[tuple[Any, ...]],
) -> None:
    """Every event line is rejected, pending, part of a stored call (or of a call
    rejected at another line), or an agent-state or informational event."""
    pending = {
        r[0]
        for r in _query(
            store, "SELECT line FROM pending WHERE batch_id = ? AND file = ?", [batch_id, str(path)]
        )
    }
    stored = {r[0] for r in _query(store, "SELECT conversation_id FROM contacts")}
    calls_rejected = set()
    events = {}
    for n, line in enumerate(lines, 1):
        p = _text(line).split("|")
        if len(p) >= 5:
            ev = p[4] if p[4] in asterisk.CALL_EVENTS else p[4].upper()
            events[n] = (p[1], ev)
            if n in rejected:
                calls_rejected.add(p[1])
    for _, line in contacts:
        assert events.get(line, ("", ""))[1] in asterisk.START_EVENTS, (line, lines[line - 1])
    for n, line in enumerate(lines, 1):
        if _blank(line) or n in rejected or n in pending:
            continue
        callid, ev = events.get(n, (None, None))
        assert callid is not None, f"line {n} {line!r} neither read nor rejected"
        if ev in asterisk.CALL_EVENTS and callid != "NONE":
            assert f"ast:{callid}" in stored or callid in calls_rejected, (
                f"line {n} {line!r}: an event of call {callid}, which is neither stored, "
                "pending nor rejected"
            )
        else:
            known = asterisk.STATE_EVENTS + asterisk.IGNORED_EVENTS + asterisk.CALL_EVENTS
            assert ev in known, f"line {n} {line!r}: unknown event {ev} not rejected"


def _calls(store: Store) -> dict[str, tuple[Any, ...]]:
    """Stored contacts: contact_id -> (conversation_id, queue, arrival_ts)."""
    rows = _query(store, "SELECT contact_id, conversation_id, queue, arrival_ts FROM contacts")
    return {r[0]: tuple(r[1:]) for r in rows}


def _pending_calls(store: Store) -> set[str]:
    """Calls with events pending (a ``queue_log``'s ``uniqueid``), whichever file."""
    return {r[0] for r in _query(store, "SELECT DISTINCT key FROM pending")}


def check_copy_of_log(
    store: Store, before: dict[str, Any], calls: dict[str, tuple[Any, ...]], pending: set[str]
) -> None:
    """A copy of a ``queue_log`` ingested after other files of the log changes no stored
    row, and stores only calls it completes: each new contact is a call that had events
    pending from another file (the copy now gives them their start or their end), and no
    call segment stored before (the same call entering the same queue at the same time)
    is stored again under another number."""
    after = _snapshot(store)
    for table in ("agent_states", "surveys"):  # (spans are not carried across files)
        assert after[table] == before[table], f"a copy of a log changed {table}"
    assert set(before["contacts"]) <= set(after["contacts"]), "a copy changed stored contacts"
    stored = set(calls.values())
    for cid, (conv, queue, arrival) in _calls(store).items():
        if cid in calls:
            continue
        assert conv.removeprefix("ast:") in pending, (
            f"a copy of a log stored {cid}, a call with no events pending from another file"
        )
        assert (conv, queue, arrival) not in stored, (
            f"a copy of a log stored {cid} ({queue}, {arrival}): the same segment is "
            f"stored as {[k for k, v in calls.items() if v == (conv, queue, arrival)]}"
        )


def check_kpis(store: Store) -> None:
    """The store still answers the KPI suite (what ``callscope kpi --by day,queue``
    runs), down to its rows as Python values (an out-of-range time or number that
    landed fails here). One grouping: totals run the same aggregates without keys."""
    rows = compute_kpis(duckdb_source(store), ("day", "queue")).rows()
    assert all(isinstance(r["queue"], str | None) for r in rows), rows


def ingest_and_check(fmt: str, files: list[bytes], mapping: str | None = None) -> None:
    """Ingest ``files`` of ``fmt`` in turn into a fresh store, then each again and a copy
    of each, and check every promise."""
    suffix = {"amazon-connect": ".json", "csv": ".csv", "anonymous-bank": ".txt"}.get(fmt, "")
    options: dict[str, Any] = {"mapping": _mapping(mapping)} if mapping else {}
    with (
        tempfile.TemporaryDirectory(prefix="callscope-fuzz-") as d,
        Store(Path(d) / "fuzz.duckdb") as store,
    ):
        store.privacy = StorePrivacy(KEY)
        paths = [Path(d) / f"file{i}{suffix}" for i in range(len(files))]
        loaded = []
        for path, data in zip(paths, files, strict=True):
            path.write_bytes(data)
            loaded.append(_ingest(store, fmt, path, data, options) is not None)
        for path, data, ok in zip(paths, files, loaded, strict=True):
            check_again(store, fmt, path, data, ok, options)
        check_kpis(store)


def check_again(
    store: Store, fmt: str, path: Path, data: bytes, ok: bool, options: dict[str, Any]
) -> None:
    """``path`` ingested again is skipped (``ok``: it loaded) or refused again, and a
    copy of it (another SHA-256, the same rows) adds nothing: no row of a file of one
    record per row. A log's files share its pending calls, so a log refused before may
    load now, and a log or its copy may store calls it completes, nothing else
    (:func:`check_copy_of_log`)."""
    if ok:
        again = ingest_files(store, [path], fmt, **options)
        assert again.files[0].skipped and again.rows_loaded == 0, again
    elif fmt == "asterisk":
        ok = _ingest_log_again(store, path, data) is not None
    else:
        with pytest.raises(CallscopeError):
            ingest_files(store, [path], fmt, **options)
    copy = path.with_name("copy-" + path.name)
    copy.write_bytes(data + b"\n")
    if fmt == "asterisk":  # (refused when what it loaded was calls now stored)
        _ingest_log_again(store, copy, data + b"\n")
        return
    before = _snapshot(store)
    f = _ingest(store, fmt, copy, data + b"\n", options)
    if ok:
        assert f is not None, "a copy of a file that loaded was refused"
        assert (f.rows_loaded, f.rows_replaced) == (0, 0), f
        assert _snapshot(store) == before, "a copy of a file changed the store"
    else:
        assert f is None, "a copy of a refused file loaded"


def _ingest_log_again(store: Store, path: Path, data: bytes) -> FileResult | None:
    """Ingest ``path``, a queue_log whose lines were all offered to the store before,
    and check that it stored only calls it completes."""
    before = _snapshot(store)
    calls, pending = _calls(store), _pending_calls(store)
    f = _ingest(store, "asterisk", path, data, {})
    if f is not None:
        assert f.rows_replaced == 0, f
        check_copy_of_log(store, before, calls, pending)
    return f


def _ingest(
    store: Store, fmt: str, path: Path, data: bytes, options: dict[str, Any]
) -> FileResult | None:
    """Ingest ``path`` and check its accounting; its result, or None when the file was
    refused (in one line, nothing of it stored). The same bytes as a file ingested
    before (two slices of a seed can be equal) are skipped, with nothing stored."""
    stored = store.count("contacts"), store.count("rejects")
    try:
        summary = ingest_files(store, [path], fmt, **options)
    except CallscopeError as e:  # (any other exception fails the test)
        assert str(e).strip() and "\n" not in str(e), f"a refusal not in one line: {e!r}"
        assert not _query(store, "SELECT 1 FROM ingests WHERE file = ?", [str(path)])
        assert (store.count("contacts"), store.count("rejects")) == stored
        return None
    f = summary.files[0]
    assert len(summary.rejects) == f.rows_rejected
    if f.skipped:
        assert (f.rows_read, f.rows_loaded, f.rows_rejected) == (0, 0, 0), f
        assert (store.count("contacts"), store.count("rejects")) == stored
        assert not _query(store, "SELECT 1 FROM ingests WHERE file = ?", [str(path)])
        return f
    table = options["mapping"].table if "mapping" in options else "contacts"
    check_accounting(store, fmt, path, data, f, stored[0], table)
    return f


# -- the tests ----------------------------------------------------------------------------


@pytest.mark.slow
@fuzz_settings(CI_EXAMPLES)
@given(st.data())
def test_fuzz_asterisk_queue_log(data):
    _, files = data.draw(mutated("asterisk"), label="files")
    ingest_and_check("asterisk", files)


@pytest.mark.slow
@fuzz_settings(CI_EXAMPLES)
@given(st.data())
def test_fuzz_amazon_connect(data):
    _, files = data.draw(mutated("amazon-connect"), label="files")
    ingest_and_check("amazon-connect", files)


@pytest.mark.slow
@fuzz_settings(CI_EXAMPLES)
@given(st.data())
def test_fuzz_anonymous_bank(data):
    _, files = data.draw(mutated("anonymous-bank"), label="files")
    ingest_and_check("anonymous-bank", files)


@pytest.mark.slow
@fuzz_settings(CI_EXAMPLES)
@given(st.data())
def test_fuzz_mapped_csv(data):
    contacts = ("pwc_call_centre.toml", "pwc-no-id", "callscope_contacts.toml")
    s, files = data.draw(mutated("csv", contacts), label="files")
    ingest_and_check("csv", files, s.mapping)


@pytest.mark.slow
@fuzz_settings(CI_EXAMPLES)
@given(st.data())
def test_fuzz_chat_transcripts_and_orders(data):
    mappings = ("livechat_transcript.toml", "shop_orders.toml")
    s, files = data.draw(mutated("csv", mappings), label="files")
    ingest_and_check("csv", files, s.mapping)
