"""The relation graph of the feature layer, derived from the SQL itself.

Every file in ``sql/features/`` and ``sql/labels/`` is one relation, named after the file. What a
relation reads is parsed from its ``from``/``join`` clauses (sqlglot), so the build order and the
moment each intermediate relation can be dropped are computed, never kept by hand: adding a feature
relation is adding one ``.sql`` file that the snapshot relations read.

A :class:`Plan` builds what some *targets* need. Intermediate relations are materialised as
temporary tables named after the relation (DuckDB views cannot hold bound parameters), each target is
handed to the caller (to insert, fetch or count), and each temporary table is dropped right after the
last step that reads it, so a memory-limited warehouse holds as little at once as the graph allows.
"""

from __future__ import annotations

import datetime as dt
import functools
import graphlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from scorehouse.config.errors import ScorehouseError
from scorehouse.features.sqlsource import relations_read, sql_names
from scorehouse.features.warehouse import Warehouse

log = logging.getLogger(__name__)

#: folders whose files form the graph (features read features; labels read the feature spine)
GRAPH_FOLDERS = ("features", "labels")


class FeatureGraphError(ScorehouseError):
    """The relation files do not form a buildable graph (a cycle, a clash of names)."""


@functools.cache
def relation_reads() -> Mapping[str, frozenset[str]]:
    """Relation (``"features/customer_gaps"``) -> the graph's relations its SQL reads."""
    by_stem: dict[str, str] = {}
    for folder in GRAPH_FOLDERS:
        for name in sql_names(folder):
            stem = name.split("/")[1]
            if stem in by_stem:
                raise FeatureGraphError(f"two relation files are named {stem}: {by_stem[stem]} and {name}")
            by_stem[stem] = name
    return {
        name: frozenset(by_stem[table] for table in relations_read(name) if table in by_stem and by_stem[table] != name)
        for name in by_stem.values()
    }


@dataclass(frozen=True)
class Plan:
    """The steps that produce ``targets``: intermediate relations to materialise, then the targets.

    ``steps`` is a topological order of every relation the targets need (targets included);
    ``drops[i]`` names the temporary relations nothing after step ``i`` reads.
    """

    targets: tuple[str, ...]
    steps: tuple[str, ...]
    drops: tuple[tuple[str, ...], ...]


def plan(targets: Sequence[str], reads: Mapping[str, frozenset[str]] | None = None) -> Plan:
    """The build plan for ``targets`` (relation names); ``reads`` defaults to the package's SQL.

    Raises :class:`FeatureGraphError` naming the cycle when relations read each other, a target
    that another needed relation reads, or a relation that is not in the graph.
    """
    reads = relation_reads() if reads is None else reads
    needed: dict[str, frozenset[str]] = {}
    pending = list(targets)
    while pending:
        name = pending.pop()
        if name in needed:
            continue
        if name not in reads:
            raise FeatureGraphError(f"no relation {name} in sql/{'/, sql/'.join(GRAPH_FOLDERS)}/")
        needed[name] = reads[name]
        pending.extend(reads[name])
    read_by_others = {source for sources in needed.values() for source in sources}
    consumed = [target for target in targets if target in read_by_others]
    if consumed:
        raise FeatureGraphError(f"{', '.join(consumed)} is read by other relations: build it, do not target it")
    _check_acyclic(needed)
    steps = _just_in_time(targets, needed)
    last_read: dict[str, int] = {}
    for index, name in enumerate(steps):
        for source in needed[name]:
            last_read[source] = index
    drops = tuple(
        tuple(sorted(source for source, last in last_read.items() if last == index)) for index in range(len(steps))
    )
    return Plan(tuple(targets), steps, drops)


def _check_acyclic(reads: Mapping[str, frozenset[str]]) -> None:
    """Raise :class:`FeatureGraphError` naming a cycle, if the relations read each other in one."""
    sorter = graphlib.TopologicalSorter({name: sorted(sources) for name, sources in sorted(reads.items())})
    try:
        sorter.prepare()
    except graphlib.CycleError as error:
        cycle = " -> ".join(error.args[1])
        raise FeatureGraphError(f"the feature relations read each other in a cycle: {cycle}") from None


def _just_in_time(targets: Sequence[str], reads: Mapping[str, frozenset[str]]) -> tuple[str, ...]:
    """Every relation after what it reads, each built just before the first step that needs it.

    A depth-first walk from each target in the order given (what it reads first, by name): a
    relation only a later target needs is not built, and does not hold memory, while an earlier
    target is written. Deterministic for the same files.
    """
    order: list[str] = []
    placed: set[str] = set()

    def visit(name: str) -> None:
        if name in placed:
            return
        for source in sorted(reads[name]):
            visit(source)
        placed.add(name)
        order.append(name)

    for target in reversed(targets):  # what the last target needs, then what only earlier ones need
        visit(target)
    intermediate = [name for name in order if name not in targets]
    return (*intermediate, *targets)


def temporary_name(relation: str) -> str:
    """The table a relation is materialised as: its bare name, which is how later SQL reads it."""
    return relation.split("/")[-1]


def run_plan(
    warehouse: Warehouse, as_of: dt.date, plan: Plan, use_target: Callable[[str], object]
) -> None:
    """Materialise ``plan``'s intermediate relations for ``as_of`` and hand each target to ``use_target``.

    Temporary tables are dropped as soon as nothing later reads them. On failure the ones built so
    far stay until replaced (dropping could mask the error; a rollback discards them).
    """
    params = {"as_of": as_of}
    for index, name in enumerate(plan.steps):
        started = time.perf_counter()
        if name in plan.targets:
            use_target(name)
            log.info("%s for %s in %.2fs", name, as_of, time.perf_counter() - started)
        else:
            rows = warehouse.materialize(temporary_name(name), name, params)
            log.info("%s for %s: %d rows in %.2fs", name, as_of, rows, time.perf_counter() - started)
        for done in plan.drops[index]:
            warehouse.drop_temporary(temporary_name(done))
