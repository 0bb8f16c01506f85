"""Conflict-free, balanced, reproducible assignment of reviewers to applications.

Pure functions over plain data, so that the rule can be tested on random pools without a
database. The service in ``review.services`` loads the data and writes the rows.

The problem is a bipartite flow: every application needs ``per_application`` distinct reviewers
it has no conflict with, and every reviewer's total load must lie between ``floor(T/R)`` and
``ceil(T/R)`` (T slots, R reviewers in the pool). It is solved in two phases of augmenting paths:
first every reviewer is filled up to the lower level, then up to the upper level. Augmenting
never lowers a reviewer's load, so a solution found this way is balanced whenever any balanced
solution exists. When none exists (a reviewer conflicts with too many applications), the
upper level is raised one step at a time until every application is covered, and the result
says it is not balanced. When even an unlimited load cannot cover every application, the
applications left short are reported.

Reproducible: applications are taken in id order and ties between reviewers are broken by an
order shuffled with a fixed seed (the call's id), so the same input gives the same assignment.
"""

import random
from collections import deque
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ApplicationItem:
    id: int
    organization_id: int
    community_id: int | None = None


@dataclass(frozen=True)
class ReviewerItem:
    id: int
    organization_ids: frozenset = field(default_factory=frozenset)  # members of, or affiliated with
    community_ids: frozenset = field(default_factory=frozenset)  # declared ties and home community


@dataclass
class AssignmentPlan:
    assignments: dict  # application id -> sorted list of reviewer ids (new ones only)
    loads: dict  # reviewer id -> total load (existing + new)
    balanced: bool
    short: dict  # application id -> number of reviewers still missing

    @property
    def spread(self):
        return (max(self.loads.values()) - min(self.loads.values())) if self.loads else 0


def has_conflict(reviewer, application):
    """A member of or affiliated with the organization, or tied to / living in its community."""
    if application.organization_id in reviewer.organization_ids:
        return True
    return application.community_id is not None and application.community_id in reviewer.community_ids


def plan_assignments(applications, reviewers, per_application, *, seed=0, existing=None, base_loads=None, blocked=None):
    """Choose reviewers for each application. Returns an ``AssignmentPlan``.

    ``existing`` maps application id -> reviewer ids it already has (kept, counted toward
    ``per_application``, and never chosen twice); ``base_loads`` maps reviewer id -> assignments
    the reviewer already carries elsewhere in the call; ``blocked`` holds (application id,
    reviewer id) pairs never to choose (a conflict the reviewer declared on that application).
    """
    blocked = set(blocked or ())
    existing = {k: set(v) for k, v in (existing or {}).items()}
    # base_loads must already count the ``existing`` assignments.
    base_loads = dict(base_loads or {})
    apps = sorted(applications, key=lambda a: a.id)
    pool = sorted(reviewers, key=lambda r: r.id)
    rng = random.Random(seed)
    order = [r.id for r in pool]
    rng.shuffle(order)
    tie = {rid: i for i, rid in enumerate(order)}
    by_id = {r.id: r for r in pool}

    eligible = {
        a.id: [
            r.id for r in sorted(pool, key=lambda r: tie[r.id])
            if not has_conflict(r, a) and (a.id, r.id) not in blocked
        ] for a in apps
    }
    chosen = {a.id: set(existing.get(a.id, ())) & set(by_id) for a in apps}
    need = {a.id: max(per_application - len(chosen[a.id]), 0) for a in apps}
    loads = {rid: base_loads.get(rid, 0) for rid in by_id}
    new = {a.id: set() for a in apps}
    holders = {rid: set() for rid in by_id}  # reviewer -> applications newly given to them

    if not pool:
        short = {a.id: need[a.id] for a in apps if need[a.id]}
        return AssignmentPlan({a.id: [] for a in apps}, {}, True, short)

    total = sum(loads.values()) + sum(need.values())
    lower, upper = total // len(pool), -(-total // len(pool))

    def fill(level):
        # Greedy first (cheap), then augmenting paths for what greedy could not place.
        for a in apps:
            while need[a.id]:
                candidates = [r for r in eligible[a.id] if r not in chosen[a.id] and loads[r] < level]
                if not candidates:
                    break
                best = min(candidates, key=lambda r: (loads[r], tie[r]))
                _add(a.id, best)
        progress = True
        while progress:
            progress = False
            for a in apps:
                while need[a.id] and _augment(a.id, level):
                    progress = True

    def _add(app_id, rid):
        chosen[app_id].add(rid)
        new[app_id].add(rid)
        holders[rid].add(app_id)
        loads[rid] += 1
        need[app_id] -= 1

    def _augment(start, level):
        """Find app→reviewer→app→…→reviewer-with-room; shift each app's reviewer along it."""
        parent = {("a", start): None}
        queue = deque([("a", start)])
        while queue:
            node = queue.popleft()
            kind, ident = node
            if kind == "a":
                for rid in eligible[ident]:
                    if rid in chosen[ident] or ("r", rid) in parent:
                        continue
                    parent[("r", rid)] = node
                    if loads[rid] < level:
                        _apply(parent, ("r", rid))
                        return True
                    queue.append(("r", rid))
            else:
                # A full reviewer: one of the applications they hold (and may give up) takes another.
                for app_id in sorted(holders[ident]):
                    if ("a", app_id) not in parent:
                        parent[("a", app_id)] = node
                        queue.append(("a", app_id))
        return False

    def _apply(parent, end):
        node = end
        loads[end[1]] += 1
        while True:
            rnode = node
            anode = parent[rnode]
            app_id, rid = anode[1], rnode[1]
            chosen[app_id].add(rid)
            new[app_id].add(rid)
            holders[rid].add(app_id)
            prev = parent[anode]
            if prev is None:
                need[app_id] -= 1
                return
            # ``app_id`` gives up reviewer ``prev`` to the application before it on the path.
            chosen[app_id].discard(prev[1])
            new[app_id].discard(prev[1])
            holders[prev[1]].discard(app_id)
            node = prev

    fill(lower)
    fill(upper)
    level = upper
    max_level = max(loads.values()) + sum(need.values()) + 1
    while any(need.values()) and level < max_level:
        level += 1
        fill(level)

    balanced = (max(loads.values()) - min(loads.values())) <= 1
    short = {a.id: need[a.id] for a in apps if need[a.id]}
    return AssignmentPlan({a.id: sorted(new[a.id]) for a in apps}, loads, balanced, short)


def pick_replacement(application, reviewers, *, loads, exclude, seed=0):
    """The unconflicted reviewer with the least load, not in ``exclude``; ties by a seeded order."""
    order = sorted(reviewers, key=lambda r: r.id)
    rng = random.Random(seed)
    shuffled = [r.id for r in order]
    rng.shuffle(shuffled)
    tie = {rid: i for i, rid in enumerate(shuffled)}
    candidates = [r for r in order if r.id not in exclude and not has_conflict(r, application)]
    if not candidates:
        return None
    return min(candidates, key=lambda r: (loads.get(r.id, 0), tie[r.id])).id
