#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The scheduler x kernel matrix: plan, shards, results and tables.

  matrix-report.py tests < LISTING
      test names from `scx_attach_test -l` (the harness's table on stderr)
  matrix-report.py select PLAN I/N
      the (kernel, test) pairs of shard I of N, from a plan (kernel<TAB>test
      lines in run order): contiguous runs of the plan, so a shard boots few
      kernels
  matrix-report.py collect RUN_DIR I/N OUT.json
      a shard's JSON from RUN_DIR: plan.tsv, kernels.tsv (id, spec and the
      machine shape's NnLlCcTt, empty for the default machine) and per
      kernel ID.meta (key=value) and ID.tap (its KTAP)
  matrix-report.py report [--partial] [--json F] [--markdown F] [--text F] SHARD.json...
      merge shards, check that every pair of the plan has a result, print the
      text table; exit 1 if any cell failed (not ok, XPASS, missing, error),
      0 otherwise.  --partial: report fewer shards than the split has (the
      other shards' cells show "-")
  matrix-report.py same A.json B.json
      do two runs of a matrix show the same cells in the same order, timings
      (seconds, attach_ms) aside?  Prints the cells that differ; exit 0 when
      none does, 1 otherwise
  matrix-report.py stage MANIFEST GUEST_DIR
      SRC=DEST lines putting the manifest (first line) and its bin= files
      into the guest: relative bin= paths keep their place relative to the
      manifest, absolute ones stay where they are

A plan entry's test "*" stands for every test of that kernel: a kernel
without sched_ext (one boot proves the SKIP of all), or a suite that cannot
list its tests.  See docs/matrix.md for the JSON format.
"""

import difflib
import json
import os
import re
import shlex
import sys

FORMAT = "scx_attach-matrix/1"
FAILED = ("fail", "xpass", "missing", "error")

# The suite's human verdict names, for output without "# result:" lines.
VERDICT_NAMES = [
    ("busy: another scheduler is attached", "busy"),
    ("not attached: timeout", "timeout"),
    ("sched_ext sysfs absent", "sysfs_absent"),
    ("rejected by the kernel", "rejected"),
    ("died before attach", "died_before_attach"),
    ("died after attach", "died_after_attach"),
    ("ejected after attach", "ejected"),
    ("spawn failed", "spawn_failed"),
    ("attached", "attached"),
]

RESULT_RE = re.compile(r"^(ok|not ok) (\d+)(?: ([^#]*?))?\s*(?:#\s*(.*))?$")
PLAN_RE = re.compile(r"^1\.\.(\d+)\s*(?:#\s*(.*))?$")


def die(msg):
    print("matrix-report: " + msg, file=sys.stderr)
    sys.exit(2)


def parse_shard(text):
    m = re.match(r"^(\d+)/(\d+)$", text)
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        die("shard '%s': want I/N with 1 <= I <= N" % text)
    return int(m.group(1)), int(m.group(2))


def scheduler_of(test):
    """scx.<name>.verdict -> <name>; other test names as they are."""
    m = re.match(r"^scx\.(.+)\.verdict$", test)
    return m.group(1) if m else test


# ---------------------------------------------------------------- listing

def list_tests(lines):
    """The kselftest harness's -l table: FIXTURE VARIANT TEST columns, the
    fixture named on its first row only, variants and tests listed side by
    side; every variant runs every test."""
    tests = []
    fixture = None
    variants, names = [], []

    def flush():
        for v in variants or [""]:
            for t in names:
                tests.append(".".join(p for p in (fixture, v, t) if p))

    for line in lines:
        line = line.rstrip("\n")
        if line.startswith("# FIXTURE") or not line.strip():
            continue
        if line.startswith("-----"):
            flush()
            fixture, variants, names = None, [], []
            continue
        # Columns: %-20s %-25s %s, but a longer name pushes the next one
        # right: a word is the fixture at column 0, else the variant if it
        # starts before the test column, else the test.
        f = v = t = ""
        for m in re.finditer(r"\S+", line):
            if m.start() == 0:
                f = m.group()
            elif not v and not t and m.start() < 47:
                v = m.group()
            else:
                t = m.group()
        if f:
            fixture = f
        if v:
            variants.append(v)
        if t:
            names.append(t)
    if fixture:
        flush()
    return tests


# ------------------------------------------------------------------ plans

def read_plan(path):
    plan = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                k, t = line.split("\t", 1)
                plan.append((k, t))
    return plan


def select(plan, index, count):
    lo = (index - 1) * len(plan) // count
    hi = index * len(plan) // count
    return plan[lo:hi]


# ------------------------------------------------------------------- KTAP

def result_fields(text):
    out = {}
    for word in text.split():
        if "=" in word:
            k, v = word.split("=", 1)
            out[k] = v
    return out


def parse_ktap(text):
    """Top-level results of one KTAP document: (tests, skip_all reason)."""
    tests = []
    skip_all = None
    pending = {}
    legacy = {}
    for line in text.splitlines():
        line = line.rstrip("\r")
        m = PLAN_RE.match(line)
        if m:
            if m.group(1) == "0" and m.group(2) and m.group(2).upper().startswith("SKIP"):
                skip_all = m.group(2)[4:].strip() or "skipped"
            continue
        if line.startswith("# result:"):
            pending = result_fields(line[len("# result:"):])
            continue
        if line.startswith("# verdict: "):
            rest = line[len("# verdict: "):]
            for name, key in VERDICT_NAMES:
                if rest.startswith(name):
                    legacy["verdict"] = key
                    break
            continue
        m = re.match(r"^# attach seen via \S+ at ([0-9.]+) s", line)
        if m:
            legacy["attach_ms"] = str(int(round(float(m.group(1)) * 1000)))
            continue
        m = RESULT_RE.match(line)
        if not m:
            continue
        ok, name, directive = m.group(1) == "ok", (m.group(3) or "").strip(), m.group(4)
        word, reason = "", None
        if directive:
            word = directive.split()[0].upper()
            reason = directive[len(word):].strip() or None
        if word == "SKIP":
            status = "skip"
        elif word == "XFAIL" and ok:
            status = "xfail"
        elif word == "XPASS":
            status = "xpass"
        else:
            status = "pass" if ok else "fail"
        fields = pending or legacy
        # The test bed failed (a machine too slow to judge): no verdict.
        if not ok and fields.get("test_bed"):
            status, word = "error", "ERROR"
            reason = "test bed: " + fields["test_bed"]
        ms = fields.get("attach_ms")
        tests.append({
            "test": name,
            "scheduler": scheduler_of(name),
            "status": status,
            "verdict": fields.get("verdict"),
            "attach_ms": int(ms) if ms and ms.isdigit() else None,
            # A child scheduler's (manifest parent=): the line it ran under.
            "parent": (pending or {}).get("parent"),
            "directive": (word + (" " + reason if reason else "")) if word else None,
            "result": pending or None,
        })
        pending, legacy = {}, {}
    return tests, skip_all


# ---------------------------------------------------------------- collect

def read_meta(path):
    meta = {}
    try:
        with open(path) as f:
            for line in f:
                line = line.rstrip("\n")
                if "=" in line:
                    k, v = line.split("=", 1)
                    meta[k] = v
    except FileNotFoundError:
        pass
    return meta


def num(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def collect(run_dir, index, count, out):
    plan = read_plan(run_dir + "/plan.tsv")
    mine = select(plan, index, count)
    shard = "%d/%d" % (index, count)
    kernels, results = [], []
    with open(run_dir + "/kernels.tsv") as f:
        specs = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    for pos, fields in enumerate(specs):
        kid, spec = fields[0], fields[1]
        meta = read_meta("%s/%s.meta" % (run_dir, kid))
        entry = {
            "id": kid, "spec": spec, "index": pos,
            "release": meta.get("release") or None,
            "sched_ext": meta.get("sched_ext") or "unknown",
            "tree": meta.get("tree") or None,
            "topology": topology_of(fields, meta),
            "runs": [],
        }
        kernels.append(entry)
        wanted = [t for k, t in mine if k == kid]
        if not wanted:
            continue
        run = {
            "shard": shard,
            "topology": entry["topology"],
            "exit": int(meta["exit"]) if meta.get("exit", "").isdigit() else None,
            "error": meta.get("error") or None,
            "skip_all": None,
            "seconds": {k: num(meta.get(k + "_s")) for k in ("build", "boot", "run")},
        }
        entry["runs"].append(run)
        try:
            with open("%s/%s.tap" % (run_dir, kid), errors="replace") as f:
                tests, run["skip_all"] = parse_ktap(f.read())
        except FileNotFoundError:
            tests = []
        seen = {}
        for seq, t in enumerate(tests):
            t.update(kernel=kid, seq=seq)
            seen[t["test"]] = t
        if "*" in wanted:
            results.extend(tests)
            # Which tests a failed run lost is unknown: one cell for them.
            if run["error"] or not (tests or run["skip_all"]):
                results.append(cell(kid, "*", "error" if run["error"] else "missing",
                                    run["error"] or "no result line in the KTAP"))
            continue
        for name in wanted:
            if name in seen:
                results.append(seen[name])
            elif run["skip_all"]:
                results.append(cell(kid, name, "skip", "SKIP " + run["skip_all"]))
            else:
                results.append(cell(kid, name, "error" if run["error"] else "missing",
                                    run["error"] or "no result line in the KTAP"))
    doc = {"format": FORMAT, "shards": [shard], "kernels": kernels,
           "plan": [list(p) for p in plan], "results": results}
    doc["results"] = tag_topology(kernels, skip_all_cells(kernels, results, mine))
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


def tag_topology(kernels, results):
    """Each result with its column's machine shape (NnLlCcTt, or None)."""
    shape = {k["id"]: (k.get("topology") or {}).get("spec") for k in kernels}
    for r in results:
        r["topology"] = shape.get(r["kernel"])
    return results


def topology_of(fields, meta):
    """A column's machine shape: None for the default --cpus machine."""
    spec = fields[2] if len(fields) > 2 else ""
    if not spec:
        return None
    cpus = meta.get("cpus", "")
    return {"spec": spec, "name": meta.get("topology_name") or None,
            "cpus": int(cpus) if cpus.isdigit() else None}


def skip_all_cells(kernels, results, planned):
    """Results with a cell of its own for every row of the table on a kernel
    whose run was a whole-binary "1..0 # SKIP": such a run prints no result
    lines, so its cells are the rows that the plan entries (PLANNED:
    kernel, test pairs, in plan order) and the results give, each a skip
    with the reason (a lone "*" when there are no rows).  Cells made before
    for such a kernel (a shard's) are dropped and made again, so merged
    shards give what one run gives."""
    skips = {}
    for k in kernels:
        for r in k["runs"]:
            if r["skip_all"] and k["id"] not in skips:
                skips[k["id"]] = r["skip_all"]
    kept = [r for r in results if r["kernel"] not in skips]
    rows = []
    for name in [t for k, t in planned] + [r["test"] for r in kept]:
        if name != "*" and name not in rows:
            rows.append(name)
    for kid, why in skips.items():
        for seq, name in enumerate(rows or ["*"]):
            c = cell(kid, name, "skip", "SKIP " + why)
            c["seq"] = seq
            kept.append(c)
    return kept


def cell(kid, name, status, why):
    return {"kernel": kid, "test": name, "scheduler": scheduler_of(name), "status": status,
            "verdict": None, "attach_ms": None, "parent": None, "directive": why,
            "result": None}


# ------------------------------------------------------------------ merge

def merge(docs, partial=False):
    base = docs[0]
    plan = base["plan"]
    kernels = {k["id"]: dict(k, runs=list(k["runs"])) for k in base["kernels"]}
    shards = list(base["shards"])
    results = {}
    for doc in docs:
        if doc.get("format") != FORMAT:
            die("not a %s file (format %r)" % (FORMAT, doc.get("format")))
        if doc["plan"] != plan:
            die("shards of different runs: their plans differ")
        if doc is not base:
            for s in doc["shards"]:
                if s in shards:
                    die("shard %s given twice" % s)
            shards += doc["shards"]
            for k in doc["kernels"]:
                kernels[k["id"]]["runs"] += k["runs"]
        # skip_all_cells() makes these again from every shard's rows.
        whole_skip = {k["id"] for k in doc["kernels"] if any(r["skip_all"] for r in k["runs"])}
        for r in doc["results"]:
            key = (r["kernel"], r["test"])
            if r["kernel"] in whole_skip:
                continue
            if key in results:
                die("%s on %s reported by two shards" % (r["test"], r["kernel"]))
            results[key] = r
    splits = {int(s.split("/")[1]) for s in shards}
    if len(splits) > 1:
        die("shards of different splits: %s" % ", ".join(sorted(shards)))
    n = splits.pop()
    have = {int(s.split("/")[0]) for s in shards}
    if not partial and have != set(range(1, n + 1)):
        die("shards missing from the merge: %s of %d" %
            (", ".join(str(i) for i in sorted(set(range(1, n + 1)) - have)), n))
    ran = {k for k, e in kernels.items() if e["runs"]}
    expected = [p for i in sorted(have) for p in select([tuple(p) for p in plan], i, n)]
    kept = skip_all_cells(kernels.values(), results.values(), expected)
    results = {(r["kernel"], r["test"]): r for r in kept}
    for kid, test in expected:
        if test == "*":
            if kid not in ran:
                results[(kid, "*")] = cell(kid, "*", "missing", "no shard ran this kernel")
        elif (kid, test) not in results:
            results[(kid, test)] = cell(kid, test, "missing", "no shard reported it")
    for k in kernels.values():
        k["runs"].sort(key=lambda r: int(r["shard"].split("/")[0]))
    order = sorted(kernels.values(), key=lambda k: k["index"])
    pos = {k["id"]: k["index"] for k in order}
    planned = {p: i for i, p in enumerate(map(tuple, plan))}

    def rank(r):
        key = (r["kernel"], r["test"])
        if key in planned:
            return (planned[key], 0)
        star = planned.get((r["kernel"], "*"), len(planned))
        return (star, r.get("seq", 0))

    out = tag_topology(order, sorted(results.values(), key=rank))
    return {"format": FORMAT, "shards": sorted(shards, key=lambda s: int(s.split("/")[0])),
            "kernels": order, "plan": plan, "results": out}, pos


# ----------------------------------------------------------------- tables

def cell_text(r):
    if r is None:
        return "-"
    st, v, ms = r["status"], r["verdict"], r["attach_ms"]
    what = (v or "") + (" %dms" % ms if ms is not None else "")
    if r.get("parent") and st != "skip":
        what += " under " + r["parent"]
    if st == "pass":
        return what or "ok"
    if st == "skip":
        return "SKIP"
    if st == "xfail":
        return ("XFAIL " + what).strip()
    if st == "xpass":
        return ("XPASS! " + what).strip()
    if st == "fail":
        return ("FAIL " + what).strip()
    return st.upper()


def grid(doc):
    kernels = doc["kernels"]
    rows, cells = [], {}
    for r in doc["results"]:
        if r["test"] == "*":
            continue
        if r["scheduler"] not in rows:
            rows.append(r["scheduler"])
        cells[(r["scheduler"], r["kernel"])] = r
    star = {r["kernel"]: r for r in doc["results"] if r["test"] == "*"}
    # Only "*" results (no kernel could list its tests): one row for them.
    if not rows and star:
        rows.append("*")
    table = []
    for s in rows:
        line = []
        for k in kernels:
            r = cells.get((s, k["id"]))
            if r is None and k["id"] in star:
                line.append(cell_text(star[k["id"]]))
            else:
                line.append(cell_text(r))
        table.append((s, line))
    heads = []
    for k in kernels:
        h = k["id"]
        topo = k.get("topology")
        if k["release"] and k["release"] != k["id"]:
            h += " (" + k["release"] + (", " + topo["spec"] if topo else "") + ")"
        elif topo:
            h += " (" + topo["spec"] + ")"
        heads.append(h)
    return heads, table


def counts(doc):
    """Cells of the table by what they show."""
    c = {}
    for _, line in grid(doc)[1]:
        for x in line:
            word = x.split()[0]
            k = {"SKIP": "skip", "XFAIL": "xfail", "XPASS!": "xpass", "FAIL": "fail",
                 "MISSING": "missing", "ERROR": "error", "-": "not run"}.get(word, "pass")
            c[k] = c.get(k, 0) + 1
    return c


def kernel_notes(doc):
    notes = []
    for k in doc["kernels"]:
        for r in k["runs"]:
            s = r["seconds"]
            t = ", ".join("%s %.1fs" % (n, s[n]) for n in ("build", "boot", "run")
                          if s.get(n) is not None)
            line = "%s [shard %s]: %s" % (k["id"], r["shard"], t or "no timings")
            if r["skip_all"]:
                line += "; SKIP: " + r["skip_all"]
            if r["error"]:
                line += "; ERROR: " + r["error"]
            notes.append(line)
    return notes


def summary(doc):
    c = counts(doc)
    return ", ".join("%d %s" % (c[k], k) for k in
                     ("pass", "skip", "xfail", "xpass", "fail", "missing", "error", "not run")
                     if k in c)


def text_table(doc):
    heads, table = grid(doc)
    cols = ["scheduler"] + heads
    body = [[s] + line for s, line in table]
    width = [max(len(r[i]) for r in [cols] + body) for i in range(len(cols))]
    fmt = lambda r: "  ".join(x.ljust(w) for x, w in zip(r, width)).rstrip()
    out = [fmt(cols), fmt(["-" * w for w in width])] + [fmt(r) for r in body]
    out += ["", "results: " + summary(doc)] + kernel_notes(doc)
    return "\n".join(out) + "\n"


def markdown_table(doc):
    heads, table = grid(doc)
    esc = lambda s: s.replace("|", "\\|")
    news = ("FAIL", "XPASS!", "MISSING", "ERROR")
    mark = lambda x: "**%s**" % esc(x) if x.split()[0] in news else esc(x)
    out = ["### sched_ext schedulers x kernels", "",
           "| scheduler | " + " | ".join(map(esc, heads)) + " |",
           "|---" * (len(heads) + 1) + "|"]
    for s, line in table:
        out.append("| %s | %s |" % (esc(s), " | ".join(mark(x) for x in line)))
    out += ["", "Results: " + summary(doc) + ". XFAIL: a failure the manifest expects on that "
            "kernel; XPASS!: it now works (news, update the manifest).", ""]
    out += ["- " + esc(n) for n in kernel_notes(doc)]
    return "\n".join(out) + "\n"


def report(argv):
    outs = {"--json": None, "--markdown": None, "--text": None}
    files = []
    partial = False
    while argv:
        a = argv.pop(0)
        if a == "--partial":
            partial = True
        elif a in outs:
            if not argv:
                die(a + " needs a file")
            outs[a] = argv.pop(0)
        else:
            files.append(a)
    if not files:
        die("report: no shard JSON given")
    docs = []
    for f in files:
        try:
            with open(f) as fh:
                docs.append(json.load(fh))
        except (OSError, ValueError) as e:
            die("%s: %s" % (f, e))
    doc, _ = merge(docs, partial)
    text = text_table(doc)
    for opt, data in (("--json", json.dumps(doc, indent=1) + "\n"),
                      ("--markdown", markdown_table(doc)), ("--text", text)):
        if outs[opt]:
            with open(outs[opt], "w") as f:
                f.write(data)
    sys.stdout.write(text)
    return 1 if any(r["status"] in FAILED for r in doc["results"]) else 0


def cells_untimed(doc):
    """A matrix's columns and cells in order, without timings: what two runs
    of one matrix must agree on."""
    out = []
    for k in doc["kernels"]:
        topo = (k.get("topology") or {}).get("spec")
        out.append("column %s %s %s %s" % (k["id"], k.get("release"), k.get("sched_ext"), topo))
        for r in k["runs"]:
            out.append("  run %s exit=%s error=%s skip_all=%s" % (
                r["shard"], r["exit"], r["error"], r["skip_all"]))
    for r in doc["results"]:
        out.append("cell %s %s %s %s %s" % (r["kernel"], r["test"], r["status"], r["verdict"],
                                             r.get("directive")))
    return out


def same(a, b):
    docs = []
    for f in (a, b):
        try:
            with open(f) as fh:
                docs.append(json.load(fh))
        except (OSError, ValueError) as e:
            die("%s: %s" % (f, e))
    x, y = (cells_untimed(d) for d in docs)
    if x == y:
        print("same: %d columns, %d cells, in the same order" % (
            len(docs[0]["kernels"]), len(docs[0]["results"])))
        return 0
    sys.stdout.writelines(l + "\n" for l in difflib.unified_diff(x, y, a, b, lineterm=""))
    return 1


# -------------------------------------------------------------- manifest

def manifest_bins(path):
    """bin= values of a manifest: NAME key=value ..., values with spaces in
    double quotes, '#' comments, blank lines."""
    bins = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            try:
                words = shlex.split(line, comments=True)
            except ValueError as e:
                die("%s:%d: %s" % (path, n, e))
            for w in words[1:]:
                if w.startswith("bin="):
                    bins.append(w[4:])
    return bins


def stage(manifest, guest):
    mdir = os.path.dirname(os.path.abspath(manifest))
    rel = [b for b in manifest_bins(manifest) if not os.path.isabs(b)]
    places = [os.path.normpath(os.path.join(mdir, b)) for b in rel]
    root = os.path.commonpath([mdir] + [os.path.dirname(p) for p in places])
    lines = ["%s=%s" % (os.path.abspath(manifest),
                        os.path.join(guest, os.path.relpath(os.path.abspath(manifest), root)))]
    for p in sorted(set(places)):
        lines.append("%s=%s" % (p, os.path.join(guest, os.path.relpath(p, root))))
    for b in sorted({b for b in manifest_bins(manifest) if os.path.isabs(b)}):
        lines.append("%s=%s" % (b, b))
    return lines


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    cmd, args = argv[0], argv[1:]
    if cmd == "tests" and not args:
        for t in list_tests(sys.stdin):
            print(t)
        return 0
    if cmd == "select" and len(args) == 2:
        for k, t in select(read_plan(args[0]), *parse_shard(args[1])):
            print("%s\t%s" % (k, t))
        return 0
    if cmd == "collect" and len(args) == 3:
        collect(args[0], *parse_shard(args[1]), args[2])
        return 0
    if cmd == "report":
        return report(args)
    if cmd == "same" and len(args) == 2:
        return same(*args)
    if cmd == "stage" and len(args) == 2:
        for line in stage(*args):
            print(line)
        return 0
    die("bad usage (see --help)")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
