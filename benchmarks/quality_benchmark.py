"""Prediction quality per generator regime: the champion against the classic models and the oracle.

For every regime and seed, the product's own commands run in child processes:

    scorehouse generate --regime R --seed S --customers N --end-date E --replace
    scorehouse train --as-of D            (D = E - 30, or the last day with purchases - 30 if earlier:
                                          data up to D only)

then ``jobs.evaluate.evaluate`` (what ``scorehouse evaluate --as-of D`` runs) scores the champions
on the cutoff D, whose outcome window D+1..D+30 no model saw, next to the classic models fitted the
way a data team would (stock BG/NBD, MBG/NBD, Pareto/NBD x Gamma-Gamma on the summary as of D) and the
oracle that knows the hidden traits. Results are cached per run as JSON in --workdir, so an
interrupted benchmark resumes. The table printed at the end averages the 3 seeds per regime.

    .venv/bin/python benchmarks/quality_benchmark.py --customers 5000 --seeds 1 2 3

Goals (issue 11): spend RMSE at most 1.00x the best classic model in ``btyd`` and at most 0.90x in
``seasonal``, ``regular`` and ``rich``; within 10% of the oracle everywhere; top-decile capture at
least the best classic model's + 0.02 in every regime but ``btyd``; category accuracy at least 95%
of the oracle's; bias ratio within 5%; p10-p90 coverage 80% +- 3 points.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCOREHOUSE = str(Path(sys.executable).parent / "scorehouse")
REGIMES = ["btyd", "cohort", "seasonal", "regular", "rich"]
RMSE_GOAL = {"btyd": 1.00, "seasonal": 0.90, "regular": 0.90, "rich": 0.90}
CLASSIC = ("stock BG/NBD x Gamma-Gamma", "stock MBG/NBD x Gamma-Gamma", "stock Pareto/NBD x Gamma-Gamma")
ORACLE = "oracle (knows hidden traits)"


def run(command: list[str], log: Path) -> float:
    """Run a scorehouse command, appending its output to ``log``; seconds taken."""
    started = time.perf_counter()
    with log.open("a") as out:
        out.write(f"$ {' '.join(command)}\n")
        out.flush()
        subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, check=True, cwd=ROOT)
    return time.perf_counter() - started


def one_run(workdir: Path, regime: str, seed: int, customers: int, end: dt.date, horizon: int) -> dict:
    """Generate, train and evaluate one (regime, seed); cached as JSON."""
    cache = workdir / f"{regime}_s{seed}_n{customers}.json"
    if cache.exists():
        return json.loads(cache.read_text())
    url = f"duckdb:///{workdir / f'{regime}_s{seed}_n{customers}.duckdb'}"
    artifacts = workdir / f"artifacts_{regime}_s{seed}_n{customers}"
    common = ["--warehouse", url, "--artifacts-dir", str(artifacts), "--log-level", "WARNING"]
    log = workdir / f"{regime}_s{seed}_n{customers}.log"
    from scorehouse.config import load_settings
    from scorehouse.features.warehouse import Warehouse
    from scorehouse.jobs.evaluate import evaluate, latest_matured_cutoff

    settings = load_settings(None, warehouse_url=url, artifacts_dir=str(artifacts))
    seconds = {"generate": run([SCOREHOUSE, "generate", *common, "--customers", str(customers), "--seed",
                                str(seed), "--end-date", str(end), "--regime", regime, "--replace"], log)}
    # end - horizon, or earlier when nobody bought on the last days (a decayed cohort): the outcome
    # window must be covered by data, as `scorehouse evaluate` requires
    with Warehouse.for_settings(settings) as warehouse:
        cutoff = min(end - dt.timedelta(days=horizon), latest_matured_cutoff(warehouse, settings))
    seconds["train"] = run([SCOREHOUSE, "train", *common, "--as-of", str(cutoff)], log)
    started = time.perf_counter()
    with Warehouse.for_settings(settings) as warehouse:
        report = evaluate(warehouse, settings, as_of=cutoff)
    seconds["evaluate"] = time.perf_counter() - started
    with log.open("a") as out:
        out.write(f"$ scorehouse evaluate --as-of {cutoff} (in-process)\n{report}\n")
    result = {
        "regime": regime, "seed": seed, "customers": customers, "cutoff": str(cutoff), "seconds": seconds,
        "spend": {name: {k: _plain(v) for k, v in row.items()} for name, row in report.spend.iterrows()},
        "category": {name: {k: _plain(v) for k, v in row.items()} for name, row in report.category.iterrows()},
    }
    cache.write_text(json.dumps(result, indent=1))
    return result


def _plain(value):
    value = float(value)
    return None if np.isnan(value) else value


def summarise(result: dict) -> dict:
    """The figures the goals are about, for one run."""
    spend, category = result["spend"], result["category"]
    champion = next(name for name in spend if name.startswith("champion"))
    classic = min((name for name in CLASSIC if name in spend), key=lambda name: spend[name]["rmse"])
    c, b, o = spend[champion], spend[classic], spend[ORACLE]
    cat = next((name for name in category if name.startswith("champion")), None)
    out = {
        "champion": champion.replace("champion ", ""),
        "best_classic": classic.replace("stock ", "").replace(" x Gamma-Gamma", ""),
        "rmse": c["rmse"], "classic_rmse": b["rmse"], "oracle_rmse": o["rmse"],
        "vs_classic": c["rmse"] / b["rmse"], "vs_oracle": c["rmse"] / o["rmse"],
        "classic_vs_oracle": b["rmse"] / o["rmse"],
        "top10": c["top_decile_capture"], "classic_top10": b["top_decile_capture"],
        "oracle_top10": o["top_decile_capture"],
        "bias": c["bias_ratio"], "classic_bias": b["bias_ratio"], "coverage": c.get("p10_p90_coverage"),
        "brier": c.get("purchase_brier"), "ece": c.get("purchase_ece"), "oracle_brier": o.get("purchase_brier"),
    }
    if cat and ORACLE in category:
        out.update(cat_acc=category[cat]["accuracy"], oracle_acc=category[ORACLE]["accuracy"],
                   cat_vs_oracle=category[cat]["accuracy"] / category[ORACLE]["accuracy"],
                   top3=category[cat]["top3_accuracy"], log_loss=category[cat]["log_loss"],
                   oracle_log_loss=category[ORACLE]["log_loss"])
    return out


def table(results: list[dict]) -> str:
    """Regime x metric means over seeds (and per-seed rows), with the goals' verdicts."""
    by_regime: dict[str, list[dict]] = {}
    for result in results:
        by_regime.setdefault(result["regime"], []).append(summarise(result))
    lines = ["regime    seeds  RMSE champ  classic  oracle  champ/classic  oracle/classic  champ/oracle  top10 champ  "
             "classic  oracle  bias   cover  Brier   ECE    cat acc/oracle  top-3  logloss (oracle)"]
    verdicts = []
    for regime, rows in by_regime.items():
        m = {key: float(np.mean([r[key] for r in rows if r.get(key) is not None]))
             for key in rows[0] if not isinstance(rows[0][key], str)}
        spread = np.ptp([r["vs_classic"] for r in rows]) if len(rows) > 1 else 0.0
        lines.append(
            f"{regime:<9} {len(rows):>5}  {m['rmse']:>10.2f}  {m['classic_rmse']:>7.2f}  {m['oracle_rmse']:>6.2f}  "
            f"{m['vs_classic']:>13.3f}  {1 / m['classic_vs_oracle']:>14.3f}  {m['vs_oracle']:>12.3f}  "
            f"{m['top10']:>11.3f}  {m['classic_top10']:>7.3f}  "
            f"{m['oracle_top10']:>6.3f}  {m['bias']:.3f}  {m.get('coverage', float('nan')):.3f}  "
            f"{m['brier']:.4f}  {m['ece']:.3f}  {m.get('cat_vs_oracle', float('nan')):>14.3f}  "
            f"{m.get('top3', float('nan')):.3f}  {m.get('log_loss', float('nan')):.3f} "
            f"({m.get('oracle_log_loss', float('nan')):.3f})")
        for r in rows:
            lines.append(f"  seed: champion {r['champion']}, best classic {r['best_classic']}: "
                         f"{r['vs_classic']:.3f}x classic, {r['vs_oracle']:.3f}x oracle, top10 "
                         f"{r['top10']:.3f} vs {r['classic_top10']:.3f}, bias {r['bias']:.3f}")
        goal = RMSE_GOAL.get(regime)
        checks = []
        if goal is not None:
            checks.append(f"RMSE <= {goal:.2f}x classic: {'MET' if m['vs_classic'] <= goal else 'NOT MET'} "
                          f"({m['vs_classic']:.3f}, spread over seeds {spread:.3f})")
        checks.append(f"<= 1.10x oracle: {'MET' if m['vs_oracle'] <= 1.10 else 'NOT MET'} ({m['vs_oracle']:.3f})")
        if regime != "btyd":
            gain = m["top10"] - m["classic_top10"]
            checks.append(f"top10 >= classic + 0.02: {'MET' if gain >= 0.02 else 'NOT MET'} ({gain:+.3f})")
        checks.append(f"bias within 5%: {'MET' if abs(m['bias'] - 1) <= 0.05 else 'NOT MET'} ({m['bias']:.3f})")
        if m.get("coverage") is not None and not np.isnan(m.get("coverage", np.nan)):
            checks.append(f"coverage 80+-3: {'MET' if abs(m['coverage'] - 0.8) <= 0.03 else 'NOT MET'} "
                          f"({m['coverage']:.3f})")
        if "cat_vs_oracle" in m:
            checks.append(f"category >= 95% oracle: {'MET' if m['cat_vs_oracle'] >= 0.95 else 'NOT MET'} "
                          f"({m['cat_vs_oracle']:.3f})")
        verdicts.append(f"{regime}: " + "; ".join(checks))
    return "\n".join(lines + ["", *verdicts])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--regimes", nargs="+", default=REGIMES, choices=["default", *REGIMES])
    parser.add_argument("--end-date", type=dt.date.fromisoformat, default=dt.date(2026, 6, 30))
    parser.add_argument("--horizon-days", type=int, default=30)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/scorehouse-quality"))
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for regime in args.regimes:
        for seed in args.seeds:
            started = time.perf_counter()
            result = one_run(args.workdir, regime, seed, args.customers, args.end_date, args.horizon_days)
            s = summarise(result)
            print(f"{regime} seed {seed}: champion {s['champion']} {s['vs_classic']:.3f}x best classic "
                  f"({s['best_classic']}), {s['vs_oracle']:.3f}x oracle  [{time.perf_counter() - started:.0f}s]",
                  flush=True)
            results.append(result)
    print()
    print(f"{args.customers:,} customers per run, end date {args.end_date}, held-out cutoff = end - "
          f"{args.horizon_days} days, means over seeds {args.seeds}")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
