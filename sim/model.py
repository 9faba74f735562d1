"""PromotionModel: the Mesa model whose ``step`` is the ODD schedule.

One step is one month. Each phase is a function of ``sim.behaviour``, ``sim.managers`` or
``sim.promotions`` that updates the whole workforce at once, followed by the hooks of the
interventions that act in that phase. Cadences (reviews, promotion cycles, hiring) are scenario
parameters.
"""

from __future__ import annotations

import difflib
import warnings
from collections import defaultdict
from collections.abc import Callable, Mapping
from copy import deepcopy
from functools import partial
from pathlib import Path
from typing import Any

import mesa
import numpy as np

import sim
from sim import behaviour, hiring, managers, promotions
from sim import interventions as levers
from sim.allocator import keep_freed_memory
from sim.compiled import jit
from sim.errors import InputError
from sim.experiment.fingerprint import engine_files
from sim.metrics import EXITED, METRICS, MOVES, Recorder, group_ratio_parts, ledger_metric
from sim.org import VACANT, Org
from sim.random import LazyStream, Streams, key_from
from sim.records import Coded, EventLog, Ledger
from sim.scenario import MANAGEMENT, TRACKS, Scenario, key_path_parts, load_scenario
from sim.workforce import Employee, Manager, Workforce, draw_people

Phase = Callable[["PromotionModel", np.random.Generator], None]

# The engine's files as this process loaded them: a Dask worker whose files change afterwards
# (a git pull in its checkout) still runs the old code, and the code check must say so.
sim._engine_files = engine_files()

# Exit event details: each reason, plain or after being passed over (code 2 * reason + passed over).
EXIT_LABELS = tuple(r + po for r in behaviour.EXIT_REASONS for po in ("", " after being passed over"))

# Friendly keyword names (for SolaraViz sliders and quick experiments) -> scenario key paths.
SHORTCUTS: dict[str, str] = {
    "policy": "policy.name",
    "silence_as_disinterest": "managers.heuristics.silence_as_disinterest",
    "visibility_as_readiness": "managers.heuristics.visibility_as_readiness",
    "decline_as_permanent": "managers.heuristics.decline_as_permanent",
    "micro_penalty_rate": "managers.micro_penalty_rate",
    "voice_rate": "behaviour.voice_rate",
    "years": "years",
    "warmup_months": "warmup_months",
}


SEED_COLUMN = "seed"  # the run seed's column in model.datacollector, and so in mesa.batch_run's rows
# Said by reset_rng and reset_randomizer: they reset Mesa's generators, which no phase draws from.
UNUSED_RNG = ("{method} resets Mesa's model.rng and model.random, which the simulation does not draw from: every "
              "phase draws from its own streams of the run seed (model.seed, docs/ODD.md Stochasticity), so the run "
              "goes on as it would have; to replay a run, build a new model with rng=model.seed")


def _metric_of(model: PromotionModel, name: str) -> float:
    return model.metric(name)


class _MetricCollector(mesa.DataCollector):
    """Mesa's DataCollector of the headline metrics and the run seed, reading them straight from the model.

    Collecting through the reporters (``_metric_of`` for each name) calls three functions and
    a ``deepcopy`` per metric; a float's deepcopy is the float itself, so appending the
    recorder's current values gives the same table. Anything else (other reporters, agent
    reporters, another model) goes the usual way.

    The seed (``SEED_COLUMN``) is a column so that ``mesa.batch_run`` without ``rng`` in its
    parameters, whose rows hold only the parameters and the reporters, says which seed each run
    drew: without it, those runs could not be replayed.
    """

    def __init__(self, model: PromotionModel, names: tuple[str, ...]):
        super().__init__(model_reporters={**{name: partial(_metric_of, name=name) for name in names},
                                          SEED_COLUMN: "seed"})
        self._owner = model
        self._names = names
        self._reporters = dict(self.model_reporters)

    def collect(self, model: Any) -> None:
        if (
            model is not self._owner or not self._validated or self.agent_reporters or self.agenttype_reporters
            or self.model_reporters != self._reporters
        ):
            super().collect(model)
            return
        current = model.recorder.current
        model_vars = self.model_vars
        nan = float("nan")
        for name in self._names:
            value = current.get(name, nan)
            model_vars[name].append(value if type(value) is float else deepcopy(value))
        model_vars[SEED_COLUMN].append(model.seed)


def _collections(collector: Any) -> tuple[int, ...]:
    """How much a Mesa DataCollector holds: it changes when the collector collects."""
    return (*(len(values) for values in getattr(collector, "model_vars", {}).values()),
            len(getattr(collector, "_agent_records", ())), len(getattr(collector, "_agenttype_records", ())))


class PromotionModel(mesa.Model):
    """An organisation whose people have hidden aspirations and whose managers read signals.

    Args:
        scenario: A Scenario, a path to a scenario file, a shipped scenario's name, or a mapping;
            a Scenario is validated again and copied, so a field set in Python
            is checked and later changes to the caller's object do not reach this model.
        rng: The run seed, a whole number 0 or more (a numpy Generator or SeedSequence, which
            ``mesa.Model`` takes, is refused: the seed is kept with the results to replay the
            run). ``None`` draws a fresh seed, recorded as ``self.seed``.
        headcount: Resize the organisation to about this many people, keeping its shape.
        overrides: Dotted key paths to values, applied to the scenario before validation.
        **kwargs: Shortcut names (see ``SHORTCUTS``) or key paths with ``__`` for ``.``;
            keyword-only so that SolaraViz and batch tools can re-create the model. Named
            ``kwargs`` because Mesa's SolaraViz (3.3) accepts extra keywords only under that name:
            with ``**params`` it refused every model ("Missing required model parameter: params").
    """

    def __init__(
        self,
        *,
        scenario: Scenario | str | Path | Mapping[str, Any] = "baseline",
        rng: int | None = None,
        headcount: int | None = None,
        overrides: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ):
        keep_freed_memory()
        seed = int(np.random.SeedSequence().entropy % (2**63)) if rng is None else run_seed(rng)
        super().__init__(rng=seed)
        check_keywords(kwargs)
        extra = {SHORTCUTS.get(k, k): v for k, v in kwargs.items()}
        if "seed" in extra:  # Mesa 3's old keyword; as a scenario key it read "unknown key 'seed'"
            raise InputError("the run seed is rng=, as in mesa.Model (seed= is not a scenario key)",
                             source="PromotionModel", path="seed")
        # Always validated again and copied, also a Scenario given as is: its fields can be set in Python
        # without validation (a mistyped value failed deep in the compiled loops, an out-of-range one
        # ran silently), and changing it after building a model changed that model mid-run.
        spec = load_scenario(scenario, headcount=headcount, overrides={**(overrides or {}), **extra})
        self.seed = seed
        spec, self.interventions = with_levers(spec)
        self.scenario = spec
        self.streams = Streams(seed)
        self.month = -spec.warmup_months
        self.org = Org(spec)
        self.workforce = Workforce(self.org.n_slots, spec.behaviour.engagement_effect)
        # Mesa agents are handles made on demand (see sync_agents); the cache and what it holds. A list,
        # not a numpy array of objects: the garbage collector cannot see into one, so the cycle of
        # model and agents was never freed (each batch_run with agent reporters kept every model).
        self.agent_at: list[Employee | None] = [None] * self.org.n_slots
        self._agent_kind = np.full(self.org.n_slots, -1, dtype=np.int8)
        self._agent_uid = np.full(self.org.n_slots, -1, dtype=np.int64)
        self._next_uid = 1
        self._agents_listed = False  # whether a Mesa agent set was handed out (kept up to date at each step)
        self.reserved_external = np.zeros(self.org.n_slots, dtype=bool)
        self.group_bias = np.array([g.rating_bias for g in spec.groups], dtype=float)
        self.group_suppression = np.array([g.ambition_suppression for g in spec.groups], dtype=float)
        self.names: dict[int, str] = {}
        self.events = EventLog()
        self.promotions = Ledger(
            {"step": np.int32, "uid": np.int64, "row": np.int64, "group": np.int16, "from_level": np.int16,
             "to_level": np.int16, "track": np.int8, "unwanted": bool, "timing": bool,
             "wrong_fit": bool, "pre_performance": float, "pre_competence": float,
             "post_competence": float}
        )
        self.development = Ledger({"step": np.int32, "uid": np.int64, "row": np.int64, "group": np.int16,
                                   "toward_mgmt": bool})
        self.decliners = Ledger({"step": np.int32, "uid": np.int64, "row": np.int64, "group": np.int16})
        self.flow: defaultdict[str, float] = defaultdict(float)
        # This month's promotions (into each cell) and exits (from it), by (group, level, track).
        self.moves = np.zeros((len(MOVES), len(spec.groups), spec.n_levels, len(TRACKS)))
        self.recorder = Recorder(self)

        # Knobs the levers turn (defaults = no lever).
        self.climate = spec.managers.micro_penalty_rate
        self.criteria_weight = 0.0
        self.rank_by_readiness = False
        self.readiness_floor = -np.inf
        self.consider_direction = False
        self.keep_beliefs_on_manager_change = False
        self.learning_toward_mgmt = np.full(self.org.n_slots, -1, dtype=np.int8)

        self._hooks: dict[str, list[levers.Intervention]] = defaultdict(list)
        for lever in self.interventions:
            lever.setup(self)
            for phase in lever.phases:
                self._hooks[phase].append(lever)

        self.datacollector = _MetricCollector(self, METRICS)
        self._populate()
        self.events.enabled = False
        while self.month < 0:
            self._advance()
        self.events.enabled = True
        # The event log is off during the warm-up, so a named person leaving then would vanish unsaid.
        gone = self.row_of_uid(np.fromiter(self.names, dtype=np.int64)) < 0 if self.names else []
        self.left_in_warmup = [name for name, out in zip(self.names.values(), gone, strict=True) if out]
        self.running = True
        # Row 0 of the collector is the model as built (NaN: nothing is measured before month 1), so
        # that row i is month i: Mesa models collect once when built, and batch_run reads
        # ``model_vars[step]`` for its row of that step (without this row, every one was a month late).
        self.datacollector.collect(self)

    # -- the schedule ---------------------------------------------------------------------
    def step(self) -> None:
        """One month; ``self.datacollector`` is collected once it is over (see ``_wrapped_step``).

        ``running`` turns False after the scenario's ``years``, as Mesa's ``run_model``, batch_run
        and SolaraViz's Play expect of a model that ends: they ran on for ever (a Mesa user's
        trial). Stepping on is still allowed (``simulate(years=...)`` runs past the scenario's).

        Once ``model.agents`` has been listed, the agents are brought up to date here: Mesa's agent
        sets are live, and one kept from ``model.agents`` or ``agents_by_type`` lacked every hire
        and change of track until the model was next asked (a Mesa user's trial).
        """
        self._advance()
        if self._agents_listed:
            self.sync_agents()
        self.running = self.month < round(12 * self.scenario.years)

    def _wrapped_step(self, *args: Any, **kwargs: Any) -> None:
        """``model.step()``: Mesa's step, then ``self.datacollector`` collected unless the step collected it.

        Collected after the whole step, a subclass's ``step`` included. A subclass with a DataCollector
        of its own that it collects in its ``step``, the Mesa way, had it collected twice a month
        (``PromotionModel.step`` collected it too): row *i*, and batch_run's ``Step`` *i*, held month
        *i*/2 (a Mesa user's trial).
        """
        collector = self.datacollector
        before = _collections(collector)
        super()._wrapped_step(*args, **kwargs)
        if self.datacollector is not collector or _collections(collector) == before:
            self.datacollector.collect(self)

    def reset_rng(self, rng: Any = None) -> None:
        """Mesa's ``reset_rng``, with a warning: ``model.rng`` does not drive the simulation.

        A researcher resetting it to replay a run, or to change the rest of one, would see no error and
        no change. ``None`` resets to the run seed, as Mesa's docstring says (its code drew a fresh one).
        """
        warnings.warn(UNUSED_RNG.format(method="reset_rng"), stacklevel=2)
        super().reset_rng(self.seed if rng is None else rng)

    def reset_randomizer(self, seed: int | None = None) -> None:
        """Mesa's ``reset_randomizer``, with a warning, as :meth:`reset_rng` (``None``: the run seed)."""
        warnings.warn(UNUSED_RNG.format(method="reset_randomizer"), stacklevel=2)
        super().reset_randomizer(self.seed if seed is None else seed)

    def _advance(self) -> None:
        """One month, in the order of docs/ODD.md (Process overview and scheduling)."""
        self.month += 1
        self.flow = defaultdict(float)
        self.moves[:] = 0.0
        sc = self.scenario
        self._phase("clock", behaviour.advance_clock)
        self._phase("signals", behaviour.emit_signals)
        self._phase("beliefs", managers.update_beliefs)
        if self._due(sc.managers.review_every_months):
            self._phase("reviews", managers.annual_review)
        self._phase("learning", behaviour.learn)
        if self._due(sc.policy.cycle_months):
            self._phase("promotions", promotions.promotion_round)
        self._phase("outcomes", promotions.settle_promotions)
        self._phase("exits", behaviour.exits)
        if self._due(sc.hiring.every_months):
            self._phase("hiring", hiring.hire)
        if self.month >= 1:
            self._phase("measure", lambda model, rng: model.recorder.measure())

    def _due(self, every: int) -> bool:
        return self.month % every == 0

    def _phase(self, name: str, work: Phase) -> None:
        """Run a phase: levers' ``before_`` hooks, the core work, then levers' ``on_`` hooks."""
        levers_here = self._hooks.get(name, ())
        for lever in levers_here:
            if hasattr(lever, f"before_{name}"):
                getattr(lever, f"before_{name}")(self, self._lazy_stream(f"{lever.name}.before_{name}"))
        work(self, self._lazy_stream(name))
        for lever in levers_here:
            if hasattr(lever, f"on_{name}"):
                lever.hook(name, self, self._lazy_stream(f"{lever.name}.{name}"))

    def stream(self, name: str) -> np.random.Generator:
        """The random stream for process ``name`` this month (see sim/random.py)."""
        return self.streams.get(name, self.month)

    def _lazy_stream(self, name: str) -> np.random.Generator:
        """``stream(name)``, made only if the phase draws from it (most draw in compiled loops)."""
        return LazyStream(self.streams, name, self.month)  # type: ignore[return-value]

    @property
    def next_uid(self) -> int:
        """The uid the next person to arrive gets; every uid from 1 below it was issued."""
        return self._next_uid

    def stream_key(self, name: str) -> np.uint64:
        """The key of process ``name`` this month for counter-based draws in compiled loops (sim/random.py)."""
        return self.streams.key(name, self.month)

    # -- results --------------------------------------------------------------------------
    @property
    def current_metrics(self) -> dict[str, float]:
        """The latest month's metric values (empty before the first recorded month)."""
        return self.recorder.current

    def metric(self, name: str) -> float:
        """One of this month's metric values, NaN when not yet measured.

        A name the model never reports raises: a mistyped name (``"misread_rat"``) gave NaN,
        which a DataCollector's column or a notebook's plot shows as "no value yet", not as a
        mistake (a researcher's trial).

        A metric of the run's summary that no month measures (a group's ledger rate, a ratio of
        two groups' rates, ``global_efficiency_change``, ``global_efficiency`` without level
        weights) raises too: it gave NaN every month, a DataCollector column of a researcher's
        trial that never filled.

        Raises:
            KeyError: ``name`` is no metric of this model, or no month's: the message suggests the
                likely one, or where the value is.
        """
        value = self.recorder.current.get(name)
        if value is not None:
            return value
        from sim.experiment.design import unknown_metric  # noqa: PLC0415 (only on a miss)

        problem = unknown_metric(name, self.scenario.group_names) or self._summary_only(name)
        if problem is not None and name not in MOVES:  # a month's moves are in the time series too
            raise KeyError(problem)
        return float("nan")

    def _summary_only(self, name: str) -> str | None:
        """Why ``name``, a metric a run reports, has no monthly value (docs/ODD.md 7.12.3-7.12.6), else None."""
        rate = ledger_metric(name)
        if rate is not None and rate != name:
            table = {"promotion_stick_rate": "promotions", "decliner_retention": "decliners",
                     "development_roi": "development"}[rate]
            if group_ratio_parts(name) is not None:
                return (f"'{name}' is worked out run by run when a comparison is analysed (--metrics), from each "
                        f"group's '{rate}' in the run's summary; no month measures it")
            return (f"'{name}' is in the run's summary only (docs/ODD.md 7.12.4), not measured month by month: "
                    f"read simulate(...).summary, or the group's records in simulate(...).{table}; "
                    f"the month's value for everyone is '{rate}'")
        if name == "global_efficiency_change":
            return ("'global_efficiency_change' is in the run's summary only (docs/ODD.md 7.12.4): read "
                    "simulate(...).summary; the month's value is 'global_efficiency'")
        if name == "global_efficiency" and self.scenario.metrics.level_weights is None:
            return ("'global_efficiency' needs metrics.level_weights, which this scenario does not set "
                    "(docs/ODD.md 7.12.3)")
        return None

    # -- people moving ----------------------------------------------------------------------
    def _populate(self) -> None:
        """Fill the organisation at the start: named people first, then drawn ones."""
        sc, org, wf = self.scenario, self.org, self.workforce
        rng = self.stream("initialise")
        if sc.organisation.source is not None:
            from sim.orgdata import populate_from_file  # noqa: PLC0415 (optional, heavier)

            populate_from_file(self, rng)
            return
        chosen: list[np.ndarray] = []
        pinned: dict[int, Any] = {}
        for li, level in enumerate(sc.organisation.levels):
            fill = sc.organisation.initial_fill if level.start_filled is None else level.start_filled
            for ti in range(len(TRACKS)):
                slots = org.slots(li, ti)
                mine = [p for p in sc.people if sc.level_index(p.level) == li and TRACKS.index(p.track) == ti]
                for slot, person in zip(slots, mine, strict=False):
                    pinned[int(slot)] = person
                rest = slots[len(mine):]
                n = max(0, min(rest.size, round(slots.size * fill) - len(mine)))
                chosen.append(slots[: len(mine)])
                chosen.append(np.sort(rng.choice(rest, size=n, replace=False)) if n else rest[:0])
        slots = np.concatenate(chosen) if chosen else np.empty(0, dtype=np.int64)
        rows = wf.free_rows(slots.size)
        draw_people(wf, rows, sc, key_from(rng), hiring=False)
        self.place(rows, slots)
        if not pinned:  # most scenarios name nobody: no need to look at each of the rows
            return
        for row, slot in zip(rows, slots, strict=True):
            if int(slot) in pinned:
                self._pin(int(row), pinned[int(slot)])

    def _pin(self, row: int, person: Any) -> None:
        """Set a named person's stated traits (the rest stay drawn)."""
        wf, sc = self.workforce, self.scenario
        fields = {
            "ambition": "ambition", "visibility": "visibility", "risk_sensitivity": "risk_sensitivity",
            "engagement": "engagement", "competence": "competence", "management_readiness": "mgmt_ready",
            "specialist_readiness": "spec_ready", "age": "age", "tenure_months": "tenure",
            "wait_months": "wait",
        }
        for attr, column in fields.items():
            value = getattr(person, attr)
            if value is not None:
                getattr(wf, column)[row] = value
        if person.engagement is not None:
            wf.base_engagement[row] = person.engagement
        if person.wants is not None:
            wf.wants_mgmt[row] = person.wants == "management"
        if person.group is not None:
            wf.group[row] = sc.group_names.index(person.group)
        if person.tenure_months is not None:
            wf.time_in_role[row] = min(person.tenure_months, 36)
        wf.b_ready[row] = wf.competence[row]
        self.names[int(wf.uid[row])] = person.name

    def place(self, rows: np.ndarray, slots: np.ndarray) -> None:
        """Put newly arrived people (already drawn) into vacant slots and give them uids.

        Their Mesa agents are made when someone looks (see ``sync_agents``): creating and
        registering one agent per hire cost a quarter of the run time at 100k people.
        """
        wf, org = self.workforce, self.org
        rows = np.asarray(rows, dtype=np.int64)
        slots = np.asarray(slots, dtype=np.int64)
        if not _place_rows(
            rows, slots, org.occupant, org.parent, org.level, org.track, wf.slot, wf.boss_slot, wf.level,
            wf.track, wf.uid, wf.b_manager, self._next_uid,
        ):
            raise RuntimeError("a position would be over-filled")
        self._next_uid += rows.size

    def move(self, rows: np.ndarray, slots: np.ndarray) -> None:
        """Move current employees to vacant slots (promotion or step back)."""
        wf, org = self.workforce, self.org
        if not promotions.move_rows(
            np.asarray(rows, dtype=np.int64), np.asarray(slots, dtype=np.int64), org.occupant, org.parent, org.level,
            org.track, wf.slot, wf.boss_slot, wf.level, wf.track, wf.time_in_role,
        ):
            raise RuntimeError("a position would be over-filled")

    def remove_people(self, rows: np.ndarray, reasons: np.ndarray, voluntary: np.ndarray) -> None:
        """People leave: positions open, records close, their agents (if made) go.

        ``reasons`` are codes into ``behaviour.EXIT_REASONS``.
        """
        wf, sc = self.workforce, self.scenario
        rows = np.asarray(rows, dtype=np.int64)
        voluntary = np.asarray(voluntary, dtype=bool)
        if voluntary.shape != rows.shape:  # one flag for all (broadcast_to costs more than the rest here)
            voluntary = np.broadcast_to(voluntary, rows.shape)
        codes, regretted, passed_over, specialist_aspirants, unseen = _exit_rows(
            rows, np.asarray(reasons), voluntary, wf.passed_over_at, wf.competence, wf.ambition, wf.wants_mgmt,
            wf.b_interest, self.month, sc.exits.passed_over_months, sc.metrics.high_performer_competence,
            sc.metrics.disinterested_belief, self.moves[EXITED], wf.group, wf.level, wf.track,
        )
        flow = self.flow
        flow["exits"] += rows.size
        flow["regretted_exits"] += regretted
        flow["passed_over_exits"] += passed_over
        flow["specialist_aspirant_exits"] += specialist_aspirants
        flow["hidden_ambition_exits"] += unseen
        if self.events.enabled:
            self.events.add(self.month, wf.uid[rows], "exit", Coded(EXIT_LABELS, codes))
        promotions.vacate(self, rows)
        self._drop_agents(rows)
        wf.reset_rows(rows)
        self.learning_toward_mgmt[rows] = -1

    # -- Mesa agents, made on demand ----------------------------------------------------------
    @property
    def agents(self) -> mesa.AgentSet:
        """Everyone employed now, as Mesa agents (``Employee``; ``Manager`` on the management track)."""
        self._list_agents()
        return super().agents

    @property
    def agents_by_type(self) -> dict[type[mesa.Agent], mesa.AgentSet]:
        """Mesa's agent sets by class, brought up to date first."""
        self._list_agents()
        return super().agents_by_type

    @property
    def agent_types(self) -> list[type]:
        """The agent classes present, brought up to date first."""
        self._list_agents()
        return super().agent_types

    def _list_agents(self) -> None:
        """Bring the agents up to date, and keep them so at every step from now on (see ``step``)."""
        self._agents_listed = True
        self.sync_agents()

    def sync_agents(self) -> None:
        """Make the Mesa agents match the workforce: one per employed person, of the right class.

        The phases never touch agents, so they are made here, when Mesa, the app or a test asks
        for them, and at the end of every step once someone has listed them (``model.agents``,
        ``agents_by_type``); in a 100k batch run that never looks, never.
        """
        wf = self.workforce
        rows = wf.rows
        stale = rows[(self._agent_kind[rows] != wf.track[rows]) | (self._agent_uid[rows] != wf.uid[rows])]
        for row in stale:
            self._agent(int(row))

    def _agent(self, row: int) -> Employee:
        """The agent of the person in ``row``, made (or remade after a change of track) if needed."""
        wf = self.workforce
        kind, uid = int(wf.track[row]), int(wf.uid[row])
        agent = self.agent_at[row]
        if agent is not None and self._agent_kind[row] == kind and self._agent_uid[row] == uid:
            return agent
        if agent is not None:
            agent._retire()  # the old handle keeps the state of its class's time
        agent = (Manager if kind == MANAGEMENT else Employee)(self, row)
        agent.unique_id = uid
        self.agent_at[row] = agent
        self._agent_kind[row] = kind
        self._agent_uid[row] = uid
        return agent

    def _drop_agents(self, rows: np.ndarray) -> None:
        """Deregister the agents (where made) of people who leave."""
        for row in _made_agents(rows, self._agent_kind, self._agent_uid):
            self.agent_at[row]._retire()  # keeps the person's last state: the row goes to someone else
            self.agent_at[row] = None

    # -- lookups for agents and the app -----------------------------------------------------
    def row_of_uid(self, uids: np.ndarray) -> np.ndarray:
        """Rows of the given uids (-1 for uids not employed now)."""
        wf = self.workforce
        rows = wf.rows
        order = np.argsort(wf.uid[rows])
        sorted_uids = wf.uid[rows][order]
        uids = np.asarray(uids)
        pos = np.clip(np.searchsorted(sorted_uids, uids), 0, max(sorted_uids.size - 1, 0))
        found = sorted_uids.size > 0
        hit = found & (sorted_uids[pos] == uids) if found else np.zeros(uids.shape, dtype=bool)
        return np.where(hit, rows[order][pos] if found else -1, -1)

    def manager_of(self, row: int) -> Manager | None:
        """The agent managing ``row``'s team, if any."""
        parent = self.org.parent[self.workforce.slot[row]]
        if parent < 0 or self.org.occupant[parent] < 0:
            return None
        return self._agent(int(self.org.occupant[parent]))

    def reports_of(self, row: int) -> list[Employee]:
        """Agents in the team that ``row`` manages."""
        wf = self.workforce
        slots = np.flatnonzero(self.org.parent == wf.slot[row])
        occ = self.org.occupant[slots]
        return [self._agent(int(r)) for r in occ[occ >= 0]]

    def employee(self, uid: int) -> Employee | None:
        """The agent with this uid, if employed."""
        row = int(self.row_of_uid(np.array([uid]))[0])
        return self._agent(row) if row >= 0 else None


def check_keywords(kwargs: Mapping[str, Any]) -> None:
    """Refuse a keyword that is neither a shortcut nor a scenario key path, naming what is.

    A mistyped keyword (``rgn=1``, ``head_count=200``, ``voice_rat=0.1``) was reported as an
    unknown scenario key with the scenario's sections as what is allowed: the constructor's own
    keywords and the shortcuts were never suggested.

    Raises:
        InputError: One line naming the keyword, a close match and what is allowed.
    """
    sections = set(Scenario.model_fields)
    for key in kwargs:
        if key in SHORTCUTS or key == "seed" or key_path_parts(key)[0] in sections:
            continue
        own = ("scenario", "rng", "headcount", "overrides")
        close = difflib.get_close_matches(key, [*own, *SHORTCUTS, *sections], n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise InputError(f"unknown keyword {key!r}{hint}; allowed: {', '.join(own)}, the shortcuts "
                         f"{', '.join(SHORTCUTS)}, or a scenario key path with __ for . (e.g. policy__cycle_months)",
                         source="PromotionModel", path=key)


def run_seed(rng: Any, source: str = "PromotionModel", path: str = "rng") -> int:
    """The seed ``rng`` as a whole number 0 or more; anything else is an error, not silently another seed.

    ``rng=1.7`` ran as seed 1, and ``rng=-1`` failed deep in numpy (found by fuzzing).

    Raises:
        InputError: A seed that is not a whole number 0 or more.
    """
    if isinstance(rng, np.random.Generator | np.random.SeedSequence | np.random.BitGenerator):
        # mesa.Model takes these; a run seed must be a number, to be recorded and replayed.
        raise InputError(f"must be a whole number 0 or more, got a {type(rng).__name__}: the run seed is kept with "
                         "the results so that the run can be replayed (draw one, e.g. int(rng.integers(2**63)))",
                         source=source, path=path)
    if isinstance(rng, bool) or not isinstance(rng, int | np.integer) or rng < 0:
        raise InputError(f"must be a whole number 0 or more, got {rng!r}", source=source, path=path)
    return int(rng)


def with_levers(scenario: Scenario) -> tuple[Scenario, list[levers.Intervention]]:
    """The scenario as its levers leave it at the start, and the levers.

    Some levers change the scenario itself (parallel ladders turn management positions into
    specialist ones); the result is validated again, so a problem it creates (named people
    left without a position) is reported here, naming the lever, since the file alone is fine.

    Raises:
        InputError: One line naming the scenario, the key path and the lever.
    """
    built = levers.build(scenario)
    spec = scenario
    for lever in built:
        try:
            spec = lever.adjust_scenario(spec)
        except InputError as exc:
            fit = lever.room_for(spec.named_positions())  # the named people a converted position left without one
            raise InputError(f"after the {lever.name} lever changed the scenario: {exc.detail}"
                             + (f"; {fit}" if fit else ""), source=scenario.name, path=exc.path) from None
    return spec, built


def check_fills(scenario: Scenario, seed: int = 1) -> None:
    """Fill the scenario's organisation, without warm-up, to find what only placing people finds.

    Validating a scenario cannot see everything: an organisation file is read, named people are
    seated and the positions a lever leaves are counted only when people are placed. Commands
    that check input (``validate``, the app, experiments before their first run) call this so
    that such a problem is one line with exit code 2 up front, not a failed run later.

    Raises:
        InputError: One line naming the file, the key path and what is allowed.
    """
    PromotionModel(scenario=load_scenario(scenario, overrides={"warmup_months": 0}), rng=seed)


@jit
def _place_rows(rows, slots, occupant, parent, slot_level, slot_track, slot, boss_slot, level, track, uid,
                b_manager, first_uid):
    """``PromotionModel.place``; False (and nothing changed) if a slot is already taken."""
    for s in slots:
        if occupant[s] != VACANT:
            return False
    for k in range(rows.size):
        r, s = rows[k], slots[k]
        occupant[s] = r
        slot[r] = s
        boss_slot[r] = parent[s]
        level[r] = slot_level[s]
        track[r] = slot_track[s]
        uid[r] = first_uid + k
    # The manager's uid once everyone is placed (a hire's manager may be hired in the same batch).
    for r in rows:
        p = boss_slot[r]
        boss = occupant[p] if p >= 0 else VACANT
        b_manager[r] = uid[boss] if boss >= 0 else -1
    return True


@jit
def _exit_rows(rows, reasons, voluntary, passed_over_at, competence, ambition, wants_mgmt, b_interest, month,
               passed_over_months, high_competence, disinterested_belief, exited, group, level, track):
    """Exit event codes (into ``EXIT_LABELS``) and counts of the voluntary exits each exit rate reads.

    Counted: regretted, passed-over and specialist-aspirant exits, and people leaving with hidden
    ambition (``metrics.classify``'s "hidden" as they leave). The counts come back as plain
    integers (no array to index and convert afterwards). Each exit also adds 1 to its (group,
    level, track) cell of ``exited`` (``model.moves[EXITED]``), as ``np.add.at`` did at several
    times the cost: whole numbers, so the sums are the same in any order.
    """
    codes = np.empty(rows.size, np.uint8)
    regretted = passed_over = specialist_aspirants = unseen = 0
    for k in range(rows.size):
        r = rows[k]
        exited[group[r], level[r], track[r]] += 1.0
        vol = voluntary[k]
        recent_po = (month - passed_over_at[r]) < passed_over_months
        codes[k] = 2 * reasons[k] + (recent_po and vol)
        if vol:
            aspiring = ambition[r] >= 0.5
            regretted += competence[r] >= high_competence
            passed_over += recent_po
            specialist_aspirants += aspiring and not wants_mgmt[r]
            unseen += aspiring and b_interest[r] <= disinterested_belief
    return codes, regretted, passed_over, specialist_aspirants, unseen


@jit
def _made_agents(rows, kind, uid):
    """Rows among ``rows`` whose agent has been made; forgets every one's agent kind and uid."""
    made = np.empty(rows.size, np.int64)
    k = 0
    for r in rows:
        if kind[r] >= 0:
            made[k] = r
            k += 1
        kind[r] = -1
        uid[r] = -1
    return made[:k]
