#!/usr/bin/env bash
# What publishing the serving copy costs: whole `scorehouse run` processes with and without it.
#
#   benchmarks/serving_benchmark.sh [CUSTOMERS] [WORKDIR]     (defaults: 200000, benchmarks/out/serving)
#
# Builds WORKDIR/warehouse.duckdb once (`generate --seed 11`, then `train`), then times alternating
# runs for the last data day with the serving copy on and off (SCOREHOUSE_SCORING__SERVING_COPY),
# then two more days with it on, so customer_scores holds three days. Prints one line per run: wall
# seconds and peak RSS of the process (/usr/bin/time), the copy's own time from the run's report,
# and the load average when the run started.
set -euo pipefail
customers=${1:-200000}
workdir=${2:-benchmarks/out/serving}
bin=$(cd "$(dirname "$0")/.." && pwd)/.venv/bin
mkdir -p "$workdir"
cd "$workdir"
if [ ! -f warehouse.duckdb ]; then
    "$bin/scorehouse" generate --customers "$customers" --seed 11
    "$bin/scorehouse" train --artifacts-dir artifacts
fi
last=$("$bin/python" -c "import duckdb; print(duckdb.connect('warehouse.duckdb', read_only=True).execute('select max(transaction_date)::date from transactions').fetchone()[0])")
next1=$(date -d "$last + 1 day" +%F)
next2=$(date -d "$last + 2 day" +%F)

run() {  # run AS_OF SERVING_COPY
    local load
    load=$(cut -d' ' -f1 /proc/loadavg)
    SCOREHOUSE_SCORING__SERVING_COPY=$2 /usr/bin/time -f "%e %M" -o time.txt \
        "$bin/scorehouse" run --as-of "$1" --artifacts-dir artifacts --log-level WARNING > report.txt
    local published
    published=$(grep -o 'published in [0-9.]*s' report.txt || echo "no serving copy")
    read -r wall rss < time.txt
    printf 'as-of %s serving_copy=%-5s wall %6.1f s  peak RSS %5.2f GiB  %-22s load %s  (%s)\n' \
        "$1" "$2" "$wall" "$(echo "$rss / 1048576" | bc -l)" "$published" "$load" \
        "$(grep -o 'total [0-9.]*s' report.txt)"
}

run "$last" true    # warm-up: the first serving copy, the file cache
for _ in 1 2; do
    run "$last" false
    run "$last" true
done
run "$next1" true
run "$next2" true
run "$next2" false
run "$next2" true
ls -l warehouse.duckdb warehouse.serving.duckdb
