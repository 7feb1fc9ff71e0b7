"""An answer's results as CSV (ui/export.py): the columns, cells a spreadsheet cannot run as formulas,
and ``labstories search --format csv`` under its filters (the app's /export.csv is in test_share.py)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from cli_support import run
from hits_support import _peru

from labstories.rag.answer import Answer, group_by_story
from labstories.rag.records import Filters
from labstories.ui.export import COLUMNS, answer_csv, safe_cell

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _read(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def _answer(*hits) -> Answer:
    groups = group_by_story(list(hits))
    return Answer("q", Filters(), groups, 1, len(groups), len(hits), len(groups), set(), hits=list(hits))


def test_one_row_per_passage_with_every_column():
    hits = [
        _peru(speaker="Gabriel Lamma"),
        _peru(at=500, link="?story=SolutionMappers_PER&t=500", text='Second,\n"quoted" moment.', interpolated=False),
    ]
    text = answer_csv(_answer(*hits), "https://labs.example.org/", NOW)
    assert text.startswith(",".join(COLUMNS) + "\r\n")
    first, second = _read(text)
    assert first == {
        "rank": "1",
        "type": "story",
        "title": "Empowering Migrant Entrepreneurs",
        "interviewee": "Gabriel Lamma",
        "role": "Solutions Mapper",
        "lab": "UNDP Accelerator Lab Peru",
        "country": "Peru",
        "year": "",
        "timestamp": "~8:03",
        "seconds": "483",
        "passage": "We met migrant entrepreneurs every week.",
        "link": "https://labs.example.org/?story=SolutionMappers_PER&t=483",
        "source": "https://example.org/per.mp3#t=483",
        "exported": "2026-01-02T03:04:05+00:00",
    }
    assert second["rank"] == "1" and second["timestamp"] == "8:20" and second["passage"] == 'Second, "quoted" moment.'


def test_documents_have_their_year_and_own_page_and_no_moment():
    blog = _peru(
        type="blog", role="", story="b", doc="b", link="?doc=b", url="https://blog.example/b", year=2021, audio_url=None
    )
    [row] = _read(answer_csv(_answer(blog), "", NOW))
    assert (row["type"], row["year"], row["timestamp"], row["seconds"]) == ("blog", "2021", "", "")
    assert row["link"] == "?doc=b" and row["source"] == "https://blog.example/b"


def test_no_cell_can_run_as_a_formula():
    assert [safe_cell(v) for v in ("=1+1", "+A1", "-2", "@SUM(A1)", "\tx", "\rx", "ok", "a=b", 3, None)] == [
        "'=1+1",
        "'+A1",
        "'-2",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "ok",
        "a=b",
        "3",
        "",
    ]
    hostile = _peru(
        title='=HYPERLINK("http://evil.test","x")', text="@SUM(1)", speaker="+Mallory", role="-role", country="=Peru"
    )
    [row] = _read(answer_csv(_answer(hostile), "", NOW))
    assert all(not value.startswith(("=", "+", "-", "@")) for value in row.values())
    assert row["title"] == '\'=HYPERLINK("http://evil.test","x")' and row["passage"] == "'@SUM(1)"


def test_cli_search_prints_csv_under_its_filters(capsys, mini_dir, use_session_model):
    code, out, _ = run(capsys, "search", "savings box keys", "--format", "csv", "--data-dir", mini_dir)
    rows = _read(out)
    assert code == 0 and list(rows[0]) == list(COLUMNS) and len({r["country"] for r in rows}) > 1
    assert any(r["interviewee"] == "Jacqueline" and r["country"] == "South Sudan" for r in rows)
    code, out, _ = run(
        capsys, "search", "savings box keys", "--format", "csv", "--country", "Peru", "--data-dir", mini_dir
    )
    rows = _read(out)
    assert code == 0 and rows and {r["country"] for r in rows} == {"Peru"}
    assert [int(r["rank"]) for r in rows] == sorted(int(r["rank"]) for r in rows)
    assert all(r["link"].startswith("?story=Experimenters_OPN&t=") for r in rows)
