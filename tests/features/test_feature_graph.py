"""The feature graph is derived from the SQL: build order, early drops, new files, cycles."""

from __future__ import annotations

import pytest

from scorehouse.features import graph
from scorehouse.features.snapshot import CATEGORY_SNAPSHOT_SQL, FEATURE_SNAPSHOT_SQL, SNAPSHOT_PLAN
from scorehouse.features.sqlsource import relations_read


def test_every_relation_comes_after_what_its_sql_reads():
    reads = graph.relation_reads()
    position = {name: index for index, name in enumerate(SNAPSHOT_PLAN.steps)}
    assert {FEATURE_SNAPSHOT_SQL, CATEGORY_SNAPSHOT_SQL} <= set(position)
    for name in SNAPSHOT_PLAN.steps:
        for source in reads[name]:
            assert position[source] < position[name], (source, name)


def test_reads_are_parsed_from_from_and_join_clauses_not_ctes():
    # customer_repeat_summary reads customer_gaps; its CTEs are not relations
    assert "customer_gaps" in relations_read("features/customer_repeat_summary")
    assert graph.relation_reads()["features/customer_repeat_summary"] >= {"features/customer_gaps"}
    assert "transactions" in relations_read("features/customer_rfm")  # a table, outside the graph
    assert graph.relation_reads()["features/customer_rfm"] == frozenset()


def test_each_temporary_relation_is_dropped_after_its_last_reader():
    reads = graph.relation_reads()
    dropped_at = {name: index for index, names in enumerate(SNAPSHOT_PLAN.drops) for name in names}
    intermediate = [name for name in SNAPSHOT_PLAN.steps if name not in SNAPSHOT_PLAN.targets]
    assert set(dropped_at) == set(intermediate)  # everything built is dropped, once
    for name in intermediate:
        readers = [i for i, step in enumerate(SNAPSHOT_PLAN.steps) if name in reads[step]]
        assert dropped_at[name] == max(readers)


def test_a_new_relation_file_joins_the_order_by_what_it_reads():
    reads = {
        "features/a": frozenset(),
        "features/b": frozenset({"features/a"}),
        "features/new_feature": frozenset({"features/a"}),  # added: one file
        "features/wide": frozenset({"features/b", "features/new_feature"}),
    }
    plan = graph.plan(["features/wide"], reads)
    assert plan.steps == ("features/a", "features/b", "features/new_feature", "features/wide")
    assert plan.drops == ((), (), ("features/a",), ("features/b", "features/new_feature"))
    # only what a target needs is built
    assert graph.plan(["features/b"], reads).steps == ("features/a", "features/b")


def test_a_cycle_is_a_clear_error_naming_it():
    reads = {
        "features/a": frozenset({"features/c"}),
        "features/b": frozenset({"features/a"}),
        "features/c": frozenset({"features/b"}),
        "features/wide": frozenset({"features/c"}),
    }
    with pytest.raises(graph.FeatureGraphError, match=r"cycle: features/\w( -> features/\w){3}"):
        graph.plan(["features/wide"], reads)


def test_unknown_and_consumed_targets_are_refused():
    reads = {"features/a": frozenset(), "features/b": frozenset({"features/a"})}
    with pytest.raises(graph.FeatureGraphError, match="no relation features/zzz"):
        graph.plan(["features/zzz"], reads)
    with pytest.raises(graph.FeatureGraphError, match="features/a is read by other relations"):
        graph.plan(["features/a", "features/b"], reads)
