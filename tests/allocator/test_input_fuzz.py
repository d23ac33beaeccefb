"""Whatever a planner's files hold, validation ends in a Round or an InputError: never a traceback."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocator import InputError, load_round
from allocator.schema import TABLES, columns

CELLS = st.one_of(
    st.sampled_from(["", "r0", "f0", "g0", "gp", "grant", "targeted", "paid", "true", "да", "0", "1", "2",
                     "-1", "52,04", "1 000", "1e309", "nan", "inf", "53.2", "200", "gp;nurse", ";", "\"", "NA"]),
    st.text(min_size=0, max_size=6),
)


@st.composite
def messy_rounds(draw):
    tables = {}
    for table in TABLES:
        if table == "programmes" and draw(st.booleans()):
            continue
        names = [c.name for c in columns(table)]
        keep = [c for c in names if draw(st.integers(0, 9)) > 0]  # now and then a column goes missing
        if draw(st.integers(0, 9)) == 0:
            keep.append(draw(st.sampled_from(["notes", "extra", "Region_ID "])))
        n = draw(st.integers(0, 3))
        tables[table] = pd.DataFrame({c: [draw(CELLS) for _ in range(n)] for c in keep}, dtype=object)
    return tables


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messy_rounds(), st.sampled_from([",", ";"]), st.sampled_from(["utf-8", "utf-8-sig", "cp1251"]))
def test_messy_files_give_a_round_or_listed_problems(tables, sep, encoding):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, frame in tables.items():
            text = frame.to_csv(index=False, sep=sep)
            try:
                data = text.encode(encoding)
            except UnicodeEncodeError:
                data = text.encode("utf-8")
            (folder / f"{name}.csv").write_bytes(data)
        try:
            round_ = load_round(folder)
        except InputError as err:
            assert err.problems
            assert all(p.file and p.message and p.message_ru for p in err.problems)
        else:
            assert len(round_.regions) > 0 and len(round_.graduates) > 0
