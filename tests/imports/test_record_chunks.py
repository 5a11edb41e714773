"""record_chunks.py, the fast path for records of one line each, gives what the reference
reader records.iter_records gives: on awkward text, and on lists csv.writer wrote from
mostly valid cells (hypothesis.event counts the examples that compared equal)."""

from __future__ import annotations

import csv
import io

from hypothesis import event, given, settings
from hypothesis import strategies as st

from directory_api.imports.record_chunks import fast_records
from directory_api.imports.records import iter_records
from tests.imports.helpers import header_fields, mostly_valid

texts = st.lists(
    st.one_of(
        st.sampled_from(["a,b", '"a,b",c', '"multi\nline",x', "", " , ", '""', '"x"y', '"open']),
        st.sampled_from(["\r\n", "\n", "\r", ";", ",", "\t", '"', " "]),
        st.text(alphabet='ab ,;"\r\n\t', max_size=6),
        # lines without quotes (split without csv.reader), and what else splitlines() splits at
        st.sampled_from(
            ["a,b\n", "\n", "x;y\r\n", " ,\n", "a\tb\r", "a\x0bb", "\x1c", "\x85", "\u2028"]
        ),
    ),
    max_size=12,
).map("".join)


@st.composite
def written(draw: st.DrawFn) -> str:
    """A list as csv.writer writes it: mostly valid cells, quoted where they need it."""
    header = draw(header_fields())
    out = io.StringIO()
    terminator = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    writer = csv.writer(out, delimiter=draw(st.sampled_from(",;\t")), lineterminator=terminator)
    writer.writerow(header)
    writer.writerows(draw(st.lists(st.tuples(*map(mostly_valid, header)), max_size=6)))
    return out.getvalue()


@settings(max_examples=1000, deadline=None)
@given(
    text=st.one_of(texts, written(), written()),
    delimiter=st.sampled_from([",", ";", "\t"]),
    size=st.sampled_from([1, 2, 3, 5000]),
)
def test_fast_records_equal_iter_records(text, delimiter, size):
    """fast_records joins record_chunks: chunk boundaries anywhere change nothing."""
    records = list(iter_records(text, delimiter))
    fast = fast_records(text, delimiter, size)
    if fast is None:
        event("records compared: none (a record spans lines)")
        return
    assert [(r.line, r.fields, r.error) for r in records] == [
        (line, fields, None) for line, fields in zip(*fast, strict=True)
    ]
    event(f"records compared equal: {'none' if not records else 'some'}")


def test_fast_records_leave_multi_line_records_to_iter_records():
    assert fast_records('a,b\n"x\ny",z\n', ",") is None
    assert fast_records('a,b\n"open\n', ",") is None
    assert fast_records("a,b\n\n , \nc,d\r\n", ",") == ([1, 4], [["a", "b"], ["c", "d"]])
