#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The matrix benchmark's table, from one run of bench/matrix-bench.sh.

Reads vm/matrix.sh's --out directory (matrix.json: per kernel the boot and
run seconds, per scheduler the verdict and attach_ms; ID.err: run-vm.sh's
"run took", launch to power off) and the baseline's fixed.tsv (one boot per
scheduler: seconds, boot, its fixed-wait.sh line).  With --parallel (the
shapes part): the same matrix run with --jobs N, against the first run
(--jobs 1), and the biggest shape's boot against the 2-CPU one.  --check exits 1
when the run is broken: a kernel that did not run, a missing result, a
scheduler without a baseline boot.  Never on a number.
"""

import argparse
import json
import os
import re
import sys

GATE_MS = 1000          # the suite's default liveness gate
MEM_SHARE = 0.25        # "enough": the lowest MemAvailable stays above this share


def parse_fixed(path):
    rows = []
    with open(path) as f:
        for line in f:
            kid, prog, secs, boot, rest = line.rstrip("\n").split("\t", 4)
            kv = dict(w.split("=", 1) for w in rest.split() if "=" in w)
            rows.append({"kernel": kid, "prog": prog, "seconds": float(secs),
                         "boot": float(boot) if boot else None, **kv})
    return rows


def run_took(mdir, kid):
    """run-vm.sh's launch-to-power-off seconds for a kernel, or None."""
    try:
        with open(os.path.join(mdir, kid + ".err")) as f:
            found = re.findall(r"^vm: run took ([0-9.]+)s$", f.read(), re.M)
    except OSError:
        return None
    return float(found[-1]) if found else None


def kernel_rows(m, mdir, fixed, hold_s):
    rows = []
    for k in m["kernels"]:
        run = k["runs"][0] if k.get("runs") else {}
        secs = run.get("seconds", {})
        res = [r for r in m["results"] if r["kernel"] == k["id"] and r["test"] != "*"]
        att = [r for r in res if r.get("attach_ms") is not None]
        load = sum(r["attach_ms"] for r in att) / 1000
        boot = secs.get("boot")
        fx = [f for f in fixed if f["kernel"] == k["id"]]
        rows.append({
            "id": k["id"], "release": k.get("release") or "?", "sx": k.get("sched_ext"),
            "error": run.get("error") or (None if run else "did not run"),
            "n": len(res), "attached": len(att), "boot": boot, "load": load,
            "hold": hold_s * len(att),
            "gate_extra": sum(max(0, GATE_MS - r["attach_ms"]) for r in att) / 1000,
            "lower": None if boot is None else boot + load + hold_s * len(att),
            "run": secs.get("run"), "took": run_took(mdir, k["id"]), "fixed_n": len(fx),
            "fixed_s": sum(f["seconds"] for f in fx), "results": res,
        })
    return rows


def ratio(a, b):
    return a / b if a and b else None


def fmt(v, spec, dash="-"):
    return dash if v is None else format(v, spec)


def met(ok):
    return "MET   " if ok else "MISSED"


def kernel_table(p, a, rows):
    p("%-34s %6s %6s %7s %7s %7s %7s %7s   %5s %9s %8s"
      % ("kernel", "scheds", "boot", "load", "hold", "lower", "matrix", "/lower",
         "boots", "baseline", "/matrix"))
    for k in rows:
        name = k["id"] if "@" in k["id"] else "%s (%s)" % (k["id"], k["release"].split("+")[0])
        if k["sx"] == "n":
            name += " SKIP"
        p("%-34s %6d %6s %7s %7s %7s %7s %7s   %5d %9s %8s"
          % (name[:34], k["n"], fmt(k["boot"], ".1f"), fmt(k["load"], ".1f"),
             fmt(k["hold"], ".1f"), fmt(k["lower"], ".1f"), fmt(k["run"], ".0f"),
             fmt(ratio(k["run"], k["lower"]), ".2f"), k["fixed_n"], fmt(k["fixed_s"], ".1f"),
             fmt(ratio(k["fixed_s"], k["run"]), ".1f")))
    lower = sum(k["lower"] or 0 for k in rows)
    fixed_s = sum(k["fixed_s"] for k in rows)
    p("%-34s %6s %6s %7s %7s %7.1f %7.1f %7s   %5d %9.1f %8s"
      % ("all: the one vm/matrix.sh command", "", "", "", "", lower, a.matrix_seconds,
         fmt(ratio(a.matrix_seconds, lower), ".2f"), sum(k["fixed_n"] for k in rows),
         fixed_s, fmt(ratio(fixed_s, a.matrix_seconds), ".1f")))
    p("seconds.  lower = boot (qemu launch to the guest's /init) + sum of load + hold over the")
    p("schedulers that attached, load = attach_ms of their \"# result:\" lines.  matrix = vm/matrix.sh's")
    p("run of the kernel (whole seconds: guest image, boot, suite, power off); for \"all\", the wall")
    p("time of the whole command (planning and no-op builds: %.1f s more than the kernels' runs)."
      % (a.matrix_seconds - sum(k["run"] or 0 for k in rows)))
    p("baseline = the wall time of its boots, each: guest image, boot, start, the fixed wait,")
    p("judge, hold, judge, stop, power off.")
    p("")
    p("matrix - lower, per kernel (run-vm.sh's \"run took\": launch to power off):")
    for k in rows:
        if k["run"] is None or k["lower"] is None or k["took"] is None:
            continue
        rest = k["took"] - k["lower"] - k["gate_extra"]
        p("  %-17s %+5.1f s = before the launch %.1f + the gate %.1f + the rest %.1f%s"
          % (k["id"], k["run"] - k["lower"], k["run"] - k["took"], k["gate_extra"], rest,
             " (%.2f per scheduler)" % (rest / k["n"]) if k["n"] else ""))
    p("  before the launch: the guest image, qemu's start; the gate: verdicts at max(1 s, load);")
    p("  the rest: the suite's start, each test's stop, settle and reap, the power off")


def sched_table(p, a, m, rows, fixed):
    p("%-14s %-18s %-12s %9s   %-14s %7s %8s %12s"
      % ("scheduler", "kernel", "matrix", "attach ms", "baseline", "boot s", "total s",
         "MemAvail MiB"))
    skipped = {k["id"] for k in rows if k["sx"] == "n"}
    agree = 0
    lowest = None
    for f in fixed:
        r = next((r for r in m["results"] if r["kernel"] == f["kernel"]
                  and r["scheduler"] == f["prog"]), None)
        verdict = (r["verdict"] or r["status"]) if r else "not run"
        if f["kernel"] in skipped or (r and r["status"] == "skip"):
            verdict = "SKIP"
        agree += {"SKIP": "no_sched_ext"}.get(verdict, verdict) == f.get("verdict")
        low, total = int(f.get("mem_low_kb", 0)), int(f.get("mem_total_kb", 0))
        idle = int(f.get("mem_idle_kb", 0))
        if lowest is None or low < lowest[0]:
            lowest = (low, total, f["prog"], f["kernel"], idle)
        p("%-14s %-18s %-12s %9s   %-14s %7s %8.1f %5d (%4d)"
          % (f["prog"], f["kernel"][:18], verdict,
             fmt(r.get("attach_ms") if r else None, "d"), f.get("verdict", "?"),
             fmt(f["boot"], ".1f"), f["seconds"], low // 1024, idle // 1024))
    p("the baseline's verdict agrees with the matrix's for %d of %d schedulers" % (agree, len(fixed)))
    p("MemAvail MiB: the lowest MemAvailable from the start to the stop of the scheduler, sampled")
    p("every 0.2 s in its baseline boot (after boot, before the start, in brackets): %s"
      % ("a %d MiB guest" % a.mem if a.mem else "each shape's own memory (64 MiB a CPU, >= 1 GiB)"))
    p("holding the same suite files as the matrix's")
    return lowest


def verdicts(doc):
    return [(r["kernel"], r["test"], r["status"], r["verdict"]) for r in doc["results"]]


REFUSED = ("died_before_attach", "rejected", "spawn_failed")


def shape_targets(p, a, m, rows):
    """--jobs N against --jobs 1, each boot against its bound, the biggest
    shape against the 2-CPU machine."""
    with open(os.path.join(a.parallel, "matrix.json")) as f:
        par = json.load(f)
    r = ratio(a.parallel_seconds, a.matrix_seconds) or 0
    same = verdicts(par) == verdicts(m)
    p("  %s --jobs %d at <= 0.6x --jobs 1: %.2fx (%.1f s vs %.1f s), verdicts %s"
      % (met(r <= 0.6 and same), a.parallel_jobs, r, a.parallel_seconds, a.matrix_seconds,
         "identical" if same else "DIFFERENT (matrix-report.py same)"))
    worst = max((ratio(k["run"], k["lower"]) or 0, k["id"]) for k in rows)
    p("  %s each boot within 15%% of its lower bound (--jobs 1): worst %.2fx (%s)"
      % (met(worst[0] <= 1.15), worst[0], worst[1]))
    cpus = {k["id"]: (k.get("topology") or {}).get("cpus") for k in m["kernels"]}
    small = next((k for k in rows if cpus.get(k["id"]) is None), None)
    big = max((k for k in rows if cpus.get(k["id"])), key=lambda k: cpus[k["id"]], default=None)
    if not small or not big or not small["boot"] or not big["boot"]:
        p("  -      the biggest shape's boot against the default machine's: not measured")
        return
    br = big["boot"] / small["boot"]
    by = lambda k: {x["scheduler"]: (x["status"], x["verdict"]) for x in k["results"]}
    sv, bv = by(small), by(big)
    fair = [s for s in bv if bv[s][1] not in REFUSED]
    agree = [s for s in fair if bv[s] == sv.get(s)]
    p("  %s the %d-vCPU boot within 3x the default machine's: %.2fx (%.1f s vs %.1f s)"
      % (met(br <= 3), cpus[big["id"]], br, big["boot"], small["boot"]))
    p("  %s its cells (status, verdict) those of the default machine for the schedulers that "
      "do not refuse the shape: %d of %d%s"
      % (met(len(agree) == len(fair)), len(agree), len(fair),
         "".join("; %s %s on %d vCPUs, %s on %s" % (s, " ".join(bv[s]), cpus[big["id"]],
                                                   " ".join(sv.get(s) or ("none",)), small["id"])
                 for s in fair if s not in agree)))


def table(a, m, fixed):
    hold_s = a.hold_ms / 1000
    rows = kernel_rows(m, a.matrix, fixed, hold_s)
    out = []
    p = out.append
    names = sorted({r["scheduler"] for k in rows for r in k["results"]})
    if a.parallel:
        p("scx_attach matrix benchmark, shapes: %d tree schedulers x %d columns of %s, "
          "hold %g s on both sides" % (len(names), len(rows), rows[0]["release"], hold_s))
        p("matrix: vm/matrix.sh --jobs 1, one boot per column; baseline: a boot per scheduler "
          "and column, judged %d s after its start" % a.wait)
    else:
        p("scx_attach matrix benchmark: %d tree schedulers x %d kernels, hold %g s on both sides"
          % (len(names), len(rows), hold_s))
        p("matrix: vm/matrix.sh, one boot per kernel; baseline: a boot per scheduler, judged %d s "
          "after its start" % a.wait)
    p("")
    kernel_table(p, a, rows)
    p("")
    lowest = sched_table(p, a, m, rows, fixed)

    lower = sum(k["lower"] or 0 for k in rows)
    fixed_s = sum(k["fixed_s"] for k in rows)
    sx = [k for k in rows if k["sx"] == "y"]
    total_ratio = ratio(a.matrix_seconds, lower) or 0
    speed = ratio(fixed_s, a.matrix_seconds) or 0
    p("")
    p("targets:")
    p("  %s the matrix within 15%% of the lower bound: the whole command %.2fx; per sched_ext "
      "kernel %s" % (met(total_ratio <= 1.15), total_ratio,
                     ", ".join("%s %.2fx" % (k["id"], ratio(k["run"], k["lower"]) or 0)
                               for k in sx)))
    p("  %s >= 3x faster than the baseline at the same hold: %.1fx in all; per sched_ext "
      "kernel %s" % (met(speed >= 3), speed,
                     ", ".join("%s %.1fx" % (k["id"], ratio(k["fixed_s"], k["run"]) or 0)
                               for k in sx)))
    if a.parallel:
        shape_targets(p, a, m, rows)
    if lowest and a.mem:
        low, total, prog, kid, idle = lowest
        p("  %s a %d MiB guest is enough for every tree scheduler: lowest MemAvailable %d MiB "
          "of %d MiB (%s on %s; %d MiB before it started), want >= %d%%"
          % (met(total and low >= MEM_SHARE * total), a.mem, low // 1024, total // 1024, prog,
             kid, idle // 1024, MEM_SHARE * 100))
    return out


def broken(m, fixed):
    why = []
    for k in m["kernels"]:
        run = k["runs"][0] if k.get("runs") else None
        if not run or run.get("error"):
            why.append("kernel %s: %s" % (k["id"], run.get("error") if run else "did not run"))
    for r in m["results"]:
        if r["status"] in ("missing", "error"):
            why.append("%s on %s: %s" % (r["scheduler"], r["kernel"], r["status"]))
    for f in fixed:
        if f.get("verdict") is None:
            why.append("%s on %s: no baseline verdict" % (f["prog"], f["kernel"]))
    return why


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--matrix", required=True, help="vm/matrix.sh's --out directory")
    ap.add_argument("--fixed", required=True)
    ap.add_argument("--matrix-seconds", type=float, required=True)
    ap.add_argument("--hold-ms", type=int, required=True)
    ap.add_argument("--wait", type=int, required=True)
    ap.add_argument("--mem", type=int, required=True)
    ap.add_argument("--parallel", help="the same matrix's --out with --jobs N")
    ap.add_argument("--parallel-seconds", type=float)
    ap.add_argument("--parallel-jobs", type=int, default=2)
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    with open(os.path.join(a.matrix, "matrix.json")) as f:
        m = json.load(f)
    fixed = parse_fixed(a.fixed)
    if a.check:
        why = broken(m, fixed)
        for w in why:
            print("bench-matrix: broken: %s" % w, file=sys.stderr)
        return 1 if why else 0
    print("\n".join(table(a, m, fixed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
