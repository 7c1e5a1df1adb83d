"""The HTML report: self-contained, every figure an embedded PNG with a caption, numbers from hand examples."""

from __future__ import annotations

import base64
import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

from scorehouse.features.warehouse import Warehouse
from scorehouse.jobs import cli
from scorehouse.jobs.report import (
    accuracy_section,
    binned_means,
    decile_table,
    per_class_metrics,
    report,
    table_html,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_decile_lift_and_gains_by_hand():
    actual = np.array([100.0] + [0.0] * 19)  # one buyer in 20 customers
    perfect = decile_table(actual, {"model": actual})
    assert perfect["lift_model"].iloc[0] == pytest.approx(10.0)  # 2 rows in decile 1: mean 50 / overall mean 5
    assert perfect["gain_model"].iloc[0] == 1.0 and perfect["gain_model"].iloc[-1] == 1.0
    backwards = decile_table(actual, {"model": -actual})
    assert backwards["gain_model"].iloc[8] == 0.0 and backwards["gain_model"].iloc[9] == 1.0


def test_binned_means_and_per_class_metrics():
    bins = binned_means(np.arange(10.0), np.arange(10.0) * 2, bins=5)
    assert bins["predicted"].tolist() == [0.5, 2.5, 4.5, 6.5, 8.5]
    assert bins["actual"].tolist() == [1.0, 5.0, 9.0, 13.0, 17.0]
    truth = np.array(["a", "a", "b", "b"], dtype=object)
    predicted = np.array(["a", "b", "b", "b"], dtype=object)
    table = per_class_metrics(truth, predicted, ["a", "b"]).set_index("category")
    assert table.loc["a", "precision"] == 1.0 and table.loc["a", "recall"] == 0.5
    assert table.loc["b", "precision"] == pytest.approx(2 / 3) and table.loc["b", "customers"] == 2


def test_tables_escape_text():
    assert "&lt;script&gt;" in table_html(pd.DataFrame({"name": ["<script>"]}))


def test_accuracy_over_time_plots_matured_days():
    warehouse = Warehouse.memory()
    assert "No scored day has matured yet" in accuracy_section(warehouse).html()
    rows = pd.DataFrame({
        "as_of_date": [dt.date(2026, 5, 1)] * 2 + [dt.date(2026, 5, 8)] * 2, "customer_id": ["a", "b"] * 2,
        "predicted_spend_30d": [10.0, 0.0, 12.0, 1.0], "spend_p10_30d": [0.0] * 4,
        "spend_p90_30d": [20.0] * 4, "purchase_probability_30d": [0.8, 0.1, 0.7, 0.2],
        "predicted_category": ["x"] * 4, "actual_spend_30d": [15.0, 0.0, 30.0, 0.0],
        "actual_purchased_30d": [True, False, True, False], "actual_next_category": ["x", None, "y", None],
        "spend_model_id": ["m"] * 4, "category_model_id": ["c"] * 4, "run_id": ["r1"] * 2 + ["r2"] * 2,
        "evaluated_at": [pd.Timestamp("2026-06-10")] * 4,
    })
    warehouse.insert_data("score_outcomes", rows)
    section = accuracy_section(warehouse)
    assert section.image.startswith("data:image/png;base64,") and "30-day window" in section.caption
    assert "2026-05-08" in section.tables[0] and "50.0%" in section.tables[0]  # coverage 1 of 2 on May 8


@pytest.mark.slow
def test_report_is_one_self_contained_file_with_captioned_figures(trained, tmp_path, capsys):
    out = tmp_path / "nested" / "report.html"
    code = cli.main(["report", "--warehouse", trained.warehouse_url, "--artifacts-dir",
                     str(trained.artifacts_dir), "--out", str(out)])
    assert code == 0 and f"report written to {out}" in capsys.readouterr().out
    text = out.read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)  # nothing fetched from anywhere
    assert "<script" not in text and "@import" not in text and "url(" not in text
    images = re.findall(r'<img src="([^"]+)"', text)
    assert len(images) >= 9
    for uri in images:
        assert uri.startswith("data:image/png;base64,")
        assert base64.b64decode(uri.split(",", 1)[1]).startswith(PNG_MAGIC)
    assert text.count("<figcaption>") == len(images)
    assert "could not be drawn" not in text
    for title in ("Model comparison: spend", "Model comparison: category", "Decile gains and lift",
                  "Predicted vs realised spend", "Purchase-probability calibration", "Interval coverage",
                  "confusion matrix", "Feature importance", "Score distribution by segment",
                  "Realised accuracy of past runs", "Data quality and freshness", "oracle (knows hidden traits)"):
        assert title in text, title


@pytest.mark.slow
def test_report_refuses_an_unmatured_cutoff_in_words(trained, tmp_path):
    with Warehouse.for_settings(trained, read_only=True) as warehouse:
        result = report(warehouse, trained, as_of=dt.date(2026, 6, 29), out=tmp_path / "r.html")
    assert result.cutoff is None
    assert "has not matured" in (tmp_path / "r.html").read_text()


@pytest.mark.slow
def test_nightly_run_can_write_the_report(trained, tmp_path, capsys):
    out = tmp_path / "after-run.html"
    code = cli.main(["run", "--warehouse", trained.warehouse_url, "--artifacts-dir", str(trained.artifacts_dir),
                     "--as-of", "2026-06-30", "--report", str(out)])
    assert code == 0 and f"report written to {out}" in capsys.readouterr().out
    assert "Score distribution by segment" in out.read_text()
