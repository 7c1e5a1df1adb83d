"""Progress (a bar on a terminal, log lines otherwise), stage timing, and the report tables."""

from __future__ import annotations

import io
import logging

from scorehouse.jobs.runtime.progress import StageTimer, progress
from scorehouse.jobs.runtime.tables import cell, text_table


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_off_a_terminal_each_step_is_one_log_line_and_no_bar(caplog):
    stream = io.StringIO()
    with caplog.at_level(logging.INFO, logger="scorehouse"):
        assert list(progress(iter("abc"), total=3, label="scoring", stream=stream)) == ["a", "b", "c"]
    steps = [record.getMessage() for record in caplog.records]
    assert [step.split(" (")[0] for step in steps] == ["scoring: 1/3", "scoring: 2/3", "scoring: 3/3"]
    assert stream.getvalue() == ""


def test_on_a_terminal_a_bar_is_drawn_instead_of_log_lines(caplog):
    stream = _Terminal()
    with caplog.at_level(logging.INFO, logger="scorehouse"):
        assert list(progress(range(4), total=4, label="generate", stream=stream)) == [0, 1, 2, 3]
    drawn = stream.getvalue()
    assert "generate" in drawn and "4/4" in drawn
    assert not caplog.records


def test_leaving_early_closes_the_bar():
    stream = _Terminal()
    for item in progress(range(10), total=10, label="early", stream=stream):
        if item == 2:
            break
    assert "early" in stream.getvalue()


def test_stages_are_timed_in_order_and_logged(caplog):
    timer = StageTimer()
    with caplog.at_level(logging.INFO, logger="scorehouse"):
        with timer.stage("features"):
            pass
        with timer.stage("score"):
            pass
        with timer.stage("features"):
            pass
    assert list(timer.seconds) == ["features", "score"]
    assert all(seconds >= 0 for seconds in timer.seconds.values())
    assert timer.summary().startswith("features 0.0s, score 0.0s")
    messages = [record.getMessage() for record in caplog.records]
    assert messages[0] == "features ..." and messages[1].startswith("features done in ")


def test_text_table_aligns_the_first_column_left_and_the_others_right():
    lines = text_table(["candidate", "RMSE", "top10%"], [["* btyd (baseline)", "91.44", "n/a"], ["  ridge", "108.51", "0.516"]])
    assert lines == [
        "  candidate            RMSE  top10%",
        "  * btyd (baseline)   91.44     n/a",
        "    ridge            108.51   0.516",
    ]


def test_cells_format_numbers_and_say_n_a_for_missing_values():
    assert cell(0.12345, "{:.3f}") == "0.123"
    assert cell(0.827, "{:.1%}") == "82.7%"
    assert cell(float("nan"), "{:.2f}") == cell(None, "{:.2f}") == "n/a"
