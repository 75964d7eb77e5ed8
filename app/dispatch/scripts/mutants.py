#!/usr/bin/env python3
"""Deliberate mutations of the engine, each run against the property tests
(`tests/properties.rs`): every property must fail on at least one of them,
and every mutation must be caught. Prints, per mutation, the properties that
failed. The sources are restored after each run, also on an interrupt.

    python3 app/dispatch/scripts/mutants.py            # all mutations
    python3 app/dispatch/scripts/mutants.py lane-one   # those whose name contains it
"""
import os
import re
import subprocess
import sys

CRATE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# name, file, text in the engine, what replaces it
MUTATIONS = [
    ("lane-one-moves", "src/index.rs",
     "            let may_move = p.lane != Lane::Priority;",
     "            let may_move = true;"),
    ("lane-one-moves", "src/chains.rs",
     "                if order[pos].1.lane != Lane::Priority {",
     "                if order[pos].1.lane == order[pos].1.lane {"),
    ("no-chains", "src/index.rs",
     "            if rule == Rule::Chains && may_move && movable > 0 {",
     "            if false && rule == Rule::Chains && may_move && movable > 0 {"),
    ("stop-after-first-level", "src/chains.rs",
     "            visited.or(&next);\n            levels.push(next);",
     "            if levels.len() == 1 { return false; }\n            visited.or(&next);\n            levels.push(next);"),
    ("drop-the-last-moved-job", "src/chains.rs",
     "            let to = workers.get(i + 1).copied().unwrap_or(end_worker);",
     "            let to = workers.get(i + 1).copied().unwrap_or(workers[0]);"),
    ("moved-not-counted", "src/chains.rs",
     "        placed[pos] = Some(Placed { entry: workers[0], moved: moving.len() as u32 });",
     "        placed[pos] = Some(Placed { entry: workers[0], moved: 0 });"),
    ("earliest-mover-not-latest", "src/chains.rs",
     "        fits.into_iter().filter_map(|t| self.jobs[from][&t].last().copied()).max()",
     "        fits.into_iter().filter_map(|t| self.jobs[from][&t].first().copied()).min()"),
    ("chain-ignores-hard-needs", "src/chains.rs",
     "partition_point(|g| g.range < range);",
     "partition_point(|g| g.range + 1 < range);"),
    ("dead-too-soon", "src/chains.rs",
     "        if start.is_empty() {\n            return false;\n        }",
     "        if start.is_empty() || pos % 3 == 0 {\n            return false;\n        }"),
    ("group-order-by-id", "src/chains.rs",
     "                index.models.name(bucket.model),",
     "                [\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\"][bucket.model.min(6) as usize],"),
    ("holders-lowest-class", "src/index.rs",
     "        (0..n).map(|step| if holder { n - 1 - step } else { step })",
     "        (0..n).map(|step| if !holder { n - 1 - step } else { step })"),
    ("priority-workers-last", "src/index.rs",
     "            Some(s) if s.priority => (0, s.rank),\n            Some(s) => (1, s.rank),\n            None => (2, 0),",
     "            Some(s) if s.priority => (2, s.rank),\n            Some(s) => (1, s.rank),\n            None => (0, 0),"),
    ("no-aging", "src/order.rs",
     "    let aged = lane != Lane::Priority && job.waited_rounds >= options.max_wait_rounds;",
     "    let aged = false;"),
    ("jobs-per-worker-never-reset", "src/dispatcher.rs",
     "        self.index.end_round();",
     "        // self.index.end_round();"),
]


def run(name):
    edits = [m for m in MUTATIONS if m[0] == name]
    saved = {}
    try:
        for _, path, old, new in edits:
            full = os.path.join(CRATE, path)
            text = saved.setdefault(full, open(full).read())
            current = open(full).read()
            if old not in current:
                sys.exit(f"{name}: the text to mutate is not in {path} any more: update scripts/mutants.py")
            open(full, "w").write(current.replace(old, new, 1))
        out = subprocess.run(
            ["cargo", "test", "-q", "-p", "pictor-vip-dispatch", "--test", "properties", "--", "--test-threads=2"],
            cwd=CRATE, capture_output=True, text=True, env={**os.environ, "PROPTEST_CASES": "300"},
        )
        failed = sorted(set(re.findall(r"^    (\w+)$", out.stdout, re.M)))
        if out.returncode != 0 and not failed:
            failed = ["(did not build: " + out.stderr.strip().splitlines()[-1] + ")"]
        return failed
    finally:
        for full, text in saved.items():
            open(full, "w").write(text)


def main():
    wanted = sys.argv[1] if len(sys.argv) > 1 else ""
    names = list(dict.fromkeys(m[0] for m in MUTATIONS if wanted in m[0]))
    caught_by = {}
    for name in names:
        failed = run(name)
        print(f"{name}: {', '.join(failed) if failed else 'NOT CAUGHT'}", flush=True)
        for f in failed:
            caught_by.setdefault(f, []).append(name)
    if not wanted:
        src = open(os.path.join(CRATE, "tests/properties.rs")).read()
        props = re.findall(r"fn (\w+)\(", src.split("// ------------------------------------------------------------- the properties")[1])
        props = [p for p in props if not p.startswith(("steady_load", "contested"))]
        print()
        for p in props:
            print(f"{p}: {', '.join(caught_by.get(p, [])) or 'CATCHES NONE'}")


main()
