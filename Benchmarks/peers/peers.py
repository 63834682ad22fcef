#!/usr/bin/env python3
"""Peer CRDT engines on ktx's operation trace (issue 5): loro, automerge 1.0.0rc1, pycrdt.

Usage: python3 Benchmarks/peers/peers.py TRACE [--engines loro,automerge,pycrdt] [--runs N]

Installs its packages with pip if they are missing. For each engine: builds one update
per replica from that replica's operations (not timed: that is the replicas' own work),
then times what ktx's end-to-end figure times: a fresh document imports every update,
reads the totals (attendance by township and kind over live activities) and saves itself
to disk with fsync. Prints one line per engine: `name seconds` or `name n/a reason`.

The model, the same in every engine: a map of descriptive fields keyed `activity/field`
(last writer wins, by the engine's own rule), the deletes keyed by activity, and the
quantities as counters (loro: its Counter; automerge and pycrdt: one running sum per
(activity, metric, replica), so concurrent additions all count).
"""
import json
import os
import subprocess
import sys
import tempfile
import time

PACKAGES = {"loro": "loro", "automerge": "automerge==1.0.0rc1", "pycrdt": "pycrdt"}


def ensure(engine):
    try:
        __import__(engine)
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", PACKAGES[engine]],
                       check=True, stdout=sys.stderr, stderr=sys.stderr)


def read_trace(path):
    with open(path, encoding="utf-8") as f:
        header = json.loads(f.readline())
        per_replica = [[] for _ in header["replicas"]]
        for line in f:
            row = json.loads(line)
            per_replica[row[0]].append(row[1:])
    return header, per_replica


def totals_from(fields, deleted, quantity):
    """attendance by (township, kind) over live activities."""
    out = {}
    for activity, amount in quantity.items():
        if activity in deleted:
            continue
        key = (fields.get(activity + "/township"), fields.get(activity + "/kind"))
        out[key] = out.get(key, 0) + amount
    return out


def save(path, data):
    with open(path, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


# --- loro -------------------------------------------------------------------------------

def loro_updates(per_replica):
    import loro
    updates = []
    for r, ops in enumerate(per_replica):
        doc = loro.LoroDoc()
        doc.peer_id = r + 1
        f, d, q = doc.get_map("f"), doc.get_map("d"), doc.get_map("q")
        for seq, hlc, activity, kind, field, value in ops:
            if kind == 0:
                f.insert(activity + "/" + field, value)
            elif kind == 1:
                q.ensure_mergeable_counter(activity + "/" + field).increment(value)
            elif kind == 2:
                d.insert(activity, True)
        doc.commit()
        updates.append(doc.export(loro.ExportMode.Updates(loro.VersionVector())))
    return updates


def loro_merge(updates, path):
    import loro
    doc = loro.LoroDoc()
    doc.import_batch(updates)
    fields = doc.get_map("f").get_deep_value()
    deleted = doc.get_map("d").get_deep_value()
    quantity = {}
    for key, value in doc.get_map("q").get_deep_value().items():
        activity, metric = key.rsplit("/", 1)
        if metric == "attendance":
            quantity[activity] = quantity.get(activity, 0) + int(value)
    totals = totals_from(fields, deleted, quantity)
    save(path, doc.export(loro.ExportMode.Snapshot()))
    return totals


# --- automerge ---------------------------------------------------------------------------

def automerge_updates(per_replica):
    from automerge.core import Document, ROOT, ScalarType, ObjType
    # One shared base with the three root maps, forked per replica, so every replica
    # writes into the same maps (maps created concurrently would conflict).
    base = Document(actor_id=bytes([0xFF]) * 16)
    with base.transaction() as tx:
        for name in ("f", "d", "q"):
            tx.put_object(ROOT, name, ObjType.Map)
    updates = [base.save()]
    for r, ops in enumerate(per_replica):
        doc = base.fork()
        doc.set_actor(bytes([r + 1]) * 16)
        with doc.transaction() as tx:
            f, d, q = (tx.get(ROOT, name)[1] for name in ("f", "d", "q"))
            sums = {}
            for seq, hlc, activity, kind, field, value in ops:
                if kind == 0:
                    tx.put(f, activity + "/" + field, ScalarType.Str, value)
                elif kind == 1:
                    key = "%s/%s/%d" % (activity, field, r)
                    sums[key] = sums.get(key, 0) + value
                    tx.put(q, key, ScalarType.Int, sums[key])
                elif kind == 2:
                    tx.put(d, activity, ScalarType.Boolean, True)
        updates.append(doc.save())
    return updates


def automerge_merge(updates, path):
    from automerge.core import Document, ROOT
    doc = Document.load(updates[0])
    for u in updates[1:]:
        doc.merge(Document.load(u))
    f, d, q = (doc.get(ROOT, name)[1] for name in ("f", "d", "q"))
    fields = {key: doc.get(f, key)[0][1] for key in doc.keys(f)}
    deleted = set(doc.keys(d))
    quantity = {}
    for key in doc.keys(q):
        activity, metric, _ = key.rsplit("/", 2)
        if metric == "attendance":
            quantity[activity] = quantity.get(activity, 0) + doc.get(q, key)[0][1]
    totals = totals_from(fields, deleted, quantity)
    save(path, doc.save())
    return totals


# --- pycrdt ------------------------------------------------------------------------------

def pycrdt_updates(per_replica):
    import pycrdt
    updates = []
    for r, ops in enumerate(per_replica):
        doc = pycrdt.Doc(client_id=r + 1)
        f, d, q = doc.get("f", type=pycrdt.Map), doc.get("d", type=pycrdt.Map), doc.get("q", type=pycrdt.Map)
        sums = {}
        with doc.transaction():
            for seq, hlc, activity, kind, field, value in ops:
                if kind == 0:
                    f[activity + "/" + field] = value
                elif kind == 1:
                    key = "%s/%s/%d" % (activity, field, r)
                    sums[key] = sums.get(key, 0) + value
                    q[key] = sums[key]
                elif kind == 2:
                    d[activity] = True
        updates.append(doc.get_update())
    return updates


def pycrdt_merge(updates, path):
    import pycrdt
    doc = pycrdt.Doc()
    f, d, q = doc.get("f", type=pycrdt.Map), doc.get("d", type=pycrdt.Map), doc.get("q", type=pycrdt.Map)
    for u in updates:
        doc.apply_update(u)
    fields = f.to_py()
    deleted = d.to_py()
    quantity = {}
    for key, value in q.to_py().items():
        activity, metric, _ = key.rsplit("/", 2)
        if metric == "attendance":
            quantity[activity] = quantity.get(activity, 0) + int(value)
    totals = totals_from(fields, deleted, quantity)
    save(path, doc.get_update())
    return totals


ENGINES = {
    "loro": (loro_updates, loro_merge),
    "automerge": (automerge_updates, automerge_merge),
    "pycrdt": (pycrdt_updates, pycrdt_merge),
}


def main():
    trace = sys.argv[1]
    names = ["loro", "automerge", "pycrdt"]
    if "--engines" in sys.argv:
        names = sys.argv[sys.argv.index("--engines") + 1].split(",")
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 1
    header, per_replica = read_trace(trace)
    total_ops = sum(len(ops) for ops in per_replica)
    for name in names:
        try:
            ensure(name)
            build, merge = ENGINES[name]
            t0 = time.perf_counter()
            updates = build(per_replica)
            built = time.perf_counter() - t0
            # Each run: a fresh document imports every update, reads the totals, saves.
            times = []
            for _ in range(runs):
                with tempfile.TemporaryDirectory() as tmp:
                    start = time.perf_counter()
                    totals = merge(updates, os.path.join(tmp, name + ".bin"))
                    times.append(time.perf_counter() - start)
            elapsed = sorted(times)[len(times) // 2]
            attendance = sum(totals.values())
            print("%s %.3f (%d ops; median of %d runs [%s] s; updates built in %.1f s, not timed; attendance %d)"
                  % (name, elapsed, total_ops, runs, ", ".join("%.3f" % t for t in times), built, attendance), flush=True)
        except Exception as e:  # report, never hide: the figure is n/a with its reason
            print("%s n/a %s: %s" % (name, type(e).__name__, str(e)[:120]), flush=True)


if __name__ == "__main__":
    main()
