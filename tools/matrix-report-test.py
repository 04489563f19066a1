#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of tools/matrix-report.py on made-up KTAP (no VM): the result
lines, XFAIL/XPASS/SKIP, the suite's older output, a run without sched_ext,
and that merged shards give the unsharded table and exit status."""

import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(HERE, "matrix-report.py")
spec = importlib.util.spec_from_file_location("matrix_report", TOOL)
mr = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mr)

# What the kselftest harness's -l prints (stderr), a TEST() and a fixture.
LISTING = """\
# FIXTURE            VARIANT                   TEST
global                                         plain
--------------------------------------------------------------------------------
scx                  user                      verdict
                     fault_none                
                     scx_simple                
"""

KTAP_NEW = """\
TAP version 13
1..6
# Starting 6 tests from 1 test cases.
#  RUN           scx.scx_simple.verdict ...
# verdict: attached: attached as "simple"
# result: verdict=attached attach_ms=612 ops=simple some_future_key=x
#            OK  scx.scx_simple.verdict
ok 1 scx.scx_simple.verdict
# result: verdict=died_before_attach attach_ms=-
ok 2 scx.fault_verifier.verdict
# result: verdict=rejected attach_ms=-
ok 3 scx.old.verdict # XFAIL 7.2*: rejected as the manifest expects
# result: verdict=attached attach_ms=900
ok 4 scx.fixed.verdict # XPASS expected rejected on 7.2*
# result: verdict=timeout attach_ms=-
not ok 5 scx.slow.verdict
ok 6 scx.scx_cpu0.verdict # SKIP this tree has no scx_cpu0
# Totals: pass:2 fail:1 xfail:1 xpass:1 skip:1 error:0
"""

# The suite's output before it printed "# result:" lines.
KTAP_OLD = """\
TAP version 13
1..2
#  RUN           scx.user.verdict ...
# verdict: attached: attached as "simple"
# attach seen via uevent at 0.886 s (scheduler cpu 0.784 s), verdict via uevent at 1.002 s
#            OK  scx.user.verdict
ok 1 scx.user.verdict
# verdict: not attached: timeout: alive but not attached after 60.0 s
not ok 2 scx.fault_hang.verdict
"""

# A manifest child (parent=): the parent's result line, then the child's.
KTAP_CHILD = """\
TAP version 13
1..3
# result: verdict=attached attach_ms=7012 level=0 name=qmap_parent
# result: verdict=attached attach_ms=812 level=1 parent=qmap_parent name=qmap_child
ok 1 scx.qmap_child.verdict
# result: verdict=attached attach_ms=7012 level=0 name=qmap_parent
# result: verdict=parent_failed attach_ms=- level=1 parent=qmap_parent failed=qmap_parent
not ok 2 scx.qmap_lost.verdict
# result: verdict=refused attach_ms=0 level=1 parent=simple_parent name=qmap_refused
ok 3 scx.qmap_refused.verdict # XFAIL known failure on 7.2.13: refused
"""

KTAP_NOSCX = """\
TAP version 13
1..0 # SKIP kernel has no sched_ext: build with CONFIG_SCHED_CLASS_EXT=y (see config)
"""


def ktap(tests):
    """A passing KTAP document for these scx.<name>.verdict tests."""
    lines = ["TAP version 13", "1..%d" % len(tests)]
    for i, t in enumerate(tests, 1):
        lines += ["# result: verdict=attached attach_ms=%d" % (100 * i), "ok %d %s" % (i, t)]
    return "\n".join(lines) + "\n"


class Parse(unittest.TestCase):
    def test_listing(self):
        self.assertEqual(mr.list_tests(io.StringIO(LISTING)),
                         ["global.plain", "scx.user.verdict", "scx.fault_none.verdict",
                          "scx.scx_simple.verdict"])

    def test_listing_long_variant(self):
        # A variant over the 25-column field pushes the test's name right.
        listing = (LISTING.rstrip("\n").rsplit("\n", 1)[0] + "\n" +
                   "                     fault_hotplug_restart_error \n" +
                   "--------------------------------------------------------------------------------\n" +
                   "scx_switch           a_very_long_switch_variant_x both_attach\n")
        self.assertEqual(mr.list_tests(io.StringIO(listing)),
                         ["global.plain", "scx.user.verdict", "scx.fault_none.verdict",
                          "scx.fault_hotplug_restart_error.verdict",
                          "scx_switch.a_very_long_switch_variant_x.both_attach"])

    def test_result_lines(self):
        tests, skip = mr.parse_ktap(KTAP_NEW)
        self.assertIsNone(skip)
        got = [(t["scheduler"], t["status"], t["verdict"], t["attach_ms"]) for t in tests]
        self.assertEqual(got, [
            ("scx_simple", "pass", "attached", 612),
            ("fault_verifier", "pass", "died_before_attach", None),
            ("old", "xfail", "rejected", None),
            ("fixed", "xpass", "attached", 900),
            ("slow", "fail", "timeout", None),
            ("scx_cpu0", "skip", None, None),
        ])
        self.assertEqual(tests[0]["result"]["some_future_key"], "x")
        self.assertEqual(tests[5]["directive"], "SKIP this tree has no scx_cpu0")

    def test_test_bed_error(self):
        # A machine too slow to judge: ERROR in that cell, never FAIL of the scheduler.
        ktap = ("TAP version 13\n1..2\n# result: test_bed=machine_stall\n"
                "not ok 1 scx.scx_qmap.verdict\n"
                "# result: verdict=ejected attach_ms=500\nnot ok 2 scx.fault_stall.verdict\n")
        tests, _ = mr.parse_ktap(ktap)
        got = [(t["scheduler"], t["status"], t["directive"]) for t in tests]
        self.assertEqual(got, [("scx_qmap", "error", "ERROR test bed: machine_stall"),
                               ("fault_stall", "fail", None)])
        self.assertEqual(mr.cell_text(dict(tests[0], kernel="k")), "ERROR")

    def test_older_output(self):
        tests, _ = mr.parse_ktap(KTAP_OLD)
        got = [(t["scheduler"], t["status"], t["verdict"], t["attach_ms"]) for t in tests]
        self.assertEqual(got, [("user", "pass", "attached", 886),
                               ("fault_hang", "fail", "timeout", None)])

    def test_child_under_parent(self):
        tests, _ = mr.parse_ktap(KTAP_CHILD)
        got = [(t["scheduler"], t["status"], t["verdict"], t["attach_ms"], t["parent"])
               for t in tests]
        self.assertEqual(got, [
            ("qmap_child", "pass", "attached", 812, "qmap_parent"),
            ("qmap_lost", "fail", "parent_failed", None, "qmap_parent"),
            ("qmap_refused", "xfail", "refused", 0, "simple_parent"),
        ])
        self.assertEqual([mr.cell_text(t) for t in tests],
                         ["attached 812ms under qmap_parent",
                          "FAIL parent_failed under qmap_parent",
                          "XFAIL refused 0ms under simple_parent"])
        self.assertEqual(tests[0]["result"]["level"], "1")

    def test_skip_all(self):
        tests, skip = mr.parse_ktap(KTAP_NOSCX)
        self.assertEqual(tests, [])
        self.assertTrue(skip.startswith("kernel has no sched_ext"))


class Shards(unittest.TestCase):
    """Two sched_ext kernels with four tests each, one without sched_ext."""

    TESTS = ["scx.a.verdict", "scx.b.verdict", "scx.c.verdict", "scx.d.verdict"]

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.run = os.path.join(self.dir, "run")
        os.mkdir(self.run)
        kernels = [("k1", "trixie-backports"), ("k2", "sid"), ("k3", "trixie")]
        with open(os.path.join(self.run, "kernels.tsv"), "w") as f:
            f.writelines("%s\t%s\n" % k for k in kernels)
        with open(os.path.join(self.run, "plan.tsv"), "w") as f:
            for k in ("k1", "k2"):
                f.writelines("%s\t%s\n" % (k, t) for t in self.TESTS)
            f.write("k3\t*\n")
        for k, rel, sx in (("k1", "7.3", "y"), ("k2", "7.2", "y"), ("k3", "6.12", "n")):
            with open(os.path.join(self.run, k + ".meta"), "w") as f:
                f.write("release=%s\nsched_ext=%s\nexit=0\nrun_s=10\n" % (rel, sx))
        self.write_tap("k1", ktap(self.TESTS))
        self.write_tap("k2", ktap(self.TESTS))
        self.write_tap("k3", KTAP_NOSCX)

    def tearDown(self):
        self.tmp.cleanup()

    def write_tap(self, k, text):
        with open(os.path.join(self.run, k + ".tap"), "w") as f:
            f.write(text)

    def collect(self, shard):
        out = os.path.join(self.dir, "m-%s.json" % shard.replace("/", "-"))
        mr.collect(self.run, *mr.parse_shard(shard), out)
        return out

    def report(self, *args):
        p = subprocess.run([sys.executable, TOOL, "report"] + list(args),
                           capture_output=True, text=True)
        return p.returncode, p.stdout, p.stderr

    def test_select_covers_plan_once(self):
        plan = mr.read_plan(os.path.join(self.run, "plan.tsv"))
        for n in (1, 2, 3, 4, 9, 20):
            got = [p for i in range(1, n + 1) for p in mr.select(plan, i, n)]
            self.assertEqual(got, plan)

    def test_merge_equals_unsharded(self):
        rc1, whole, _ = self.report(self.collect("1/1"))
        parts = [self.collect("%d/3" % i) for i in (1, 2, 3)]
        rc3, merged, _ = self.report(*reversed(parts))
        self.assertEqual((rc1, rc3), (0, 0))
        self.assertEqual(merged.split("\nresults:")[0], whole.split("\nresults:")[0])
        self.assertIn("a", whole)
        row = [line for line in whole.splitlines() if line.startswith("d ")][0]
        self.assertEqual(row.split()[:6], ["d", "attached", "400ms", "attached", "400ms", "SKIP"])

    def test_missing_shard_is_refused(self):
        rc, _, err = self.report(self.collect("1/2"))
        self.assertEqual(rc, 2)
        self.assertIn("shards missing from the merge: 2 of 2", err)
        rc, out, _ = self.report("--partial", self.collect("1/2"))
        self.assertEqual(rc, 0)

    def test_failures_set_exit_status(self):
        text = ktap(self.TESTS).replace("ok 2 scx.b.verdict", "ok 2 scx.b.verdict # XPASS fixed")
        self.write_tap("k2", text)
        rc, out, _ = self.report(self.collect("1/1"))
        self.assertEqual(rc, 1)
        self.assertIn("XPASS! attached 200ms", out)
        self.write_tap("k2", ktap(self.TESTS[:3]))
        rc, out, _ = self.report(self.collect("1/1"))
        self.assertEqual(rc, 1)
        self.assertIn("MISSING", out)

    def test_boot_failure_is_an_error_cell(self):
        with open(os.path.join(self.run, "k3.meta"), "a") as f:
            f.write("error=guest did not boot; exit status 91\n")
        os.unlink(os.path.join(self.run, "k3.tap"))
        json_out = os.path.join(self.dir, "all.json")
        md = os.path.join(self.dir, "all.md")
        rc, out, _ = self.report("--json", json_out, "--markdown", md, self.collect("1/1"))
        self.assertEqual(rc, 1)
        self.assertIn("ERROR", out)
        with open(json_out) as f:
            doc = json.load(f)
        self.assertEqual([r["status"] for r in doc["results"] if r["kernel"] == "k3"], ["error"])
        with open(md) as f:
            self.assertIn("**ERROR**", f.read())


class Children(Shards):
    """A manifest child's cell says under which parent, in every output and
    however the run is sharded."""

    TESTS = Shards.TESTS + ["scx.kid.verdict"]

    def setUp(self):
        super().setUp()
        with open(os.path.join(self.run, "plan.tsv"), "w") as f:
            for k in ("k1", "k2"):
                f.writelines("%s\t%s\n" % (k, t) for t in self.TESTS)
            f.write("k3\t*\n")
        for k in ("k1", "k2"):
            self.write_tap(k, ktap(self.TESTS).replace(
                "# result: verdict=attached attach_ms=500",
                "# result: verdict=attached attach_ms=6000 level=0 name=a\n"
                "# result: verdict=attached attach_ms=812 level=1 parent=a name=kid"))

    def test_cell_text_markdown_json_merge(self):
        out, md = os.path.join(self.dir, "all.json"), os.path.join(self.dir, "all.md")
        rc, text, err = self.report("--json", out, "--markdown", md, self.collect("1/1"))
        self.assertEqual(rc, 0, err)
        row = [line for line in text.splitlines() if line.startswith("kid ")][0]
        self.assertEqual(row.split(), ["kid", "attached", "812ms", "under", "a", "attached",
                                       "812ms", "under", "a", "SKIP"])
        with open(md) as f:
            self.assertIn("| kid | attached 812ms under a | attached 812ms under a | SKIP |",
                          f.read())
        with open(out) as f:
            doc = json.load(f)
        kid = [r for r in doc["results"] if r["test"] == "scx.kid.verdict"]
        self.assertEqual([(r["kernel"], r["status"], r["parent"]) for r in kid],
                         [("k1", "pass", "a"), ("k2", "pass", "a"), ("k3", "skip", None)])
        self.assertIsNone([r for r in doc["results"] if r["test"] == "scx.a.verdict"][0]
                          ["parent"])
        parts = [self.collect("%d/4" % i) for i in (1, 2, 3, 4)]
        rc4, merged, _ = self.report(*reversed(parts))
        self.assertEqual(rc4, 0)
        self.assertEqual(merged.split("\nresults:")[0], text.split("\nresults:")[0])


class SkipAll(Shards):
    """A kernel whose run is "1..0 # SKIP": every cell the table shows for it
    is a result in the JSON, with the reason, however the run is cut."""

    REASON = "kernel has no sched_ext: build with CONFIG_SCHED_CLASS_EXT=y (see config)"

    def json_of(self, *shards):
        out = os.path.join(self.dir, "out.json")
        rc, text, err = self.report("--json", out, *shards)
        self.assertEqual(rc, 0, err)
        with open(out) as f:
            return json.load(f), text

    def cells(self, doc, kid):
        return [(r["test"], r["status"], r["directive"]) for r in doc["results"]
                if r["kernel"] == kid]

    def skips(self, tests):
        return [(t, "skip", "SKIP " + self.REASON) for t in tests]

    def test_every_row_is_a_result(self):
        doc, text = self.json_of(self.collect("1/1"))
        self.assertEqual(self.cells(doc, "k3"), self.skips(self.TESTS))
        k3 = [k for k in doc["kernels"] if k["id"] == "k3"][0]
        self.assertEqual([r["skip_all"] for r in k3["runs"]], [self.REASON])
        self.assertEqual(len(text.splitlines()[2:6]), 4)
        with open(self.collect("1/1")) as f:
            self.assertEqual(self.cells(json.load(f), "k3"), self.skips(self.TESTS))

    def test_only(self):
        # What `--only 'b*'` plans: the listed kernels' matching tests.
        with open(os.path.join(self.run, "plan.tsv"), "w") as f:
            f.write("k1\tscx.b.verdict\nk2\tscx.b.verdict\nk3\t*\n")
        doc, text = self.json_of(self.collect("1/1"))
        self.assertEqual(self.cells(doc, "k3"), self.skips(["scx.b.verdict"]))
        self.assertEqual(text.splitlines()[2].split()[-1], "SKIP")

    def test_shards_and_merge(self):
        whole, text1 = self.json_of(self.collect("1/1"))
        for n in (2, 3, 9):
            parts = [self.collect("%d/%d" % (i, n)) for i in range(1, n + 1)]
            merged, text = self.json_of(*reversed(parts))
            self.assertEqual(self.cells(merged, "k3"), self.skips(self.TESTS))
            self.assertEqual(merged["results"], whole["results"])
            self.assertEqual(text.split("\nresults:")[0], text1.split("\nresults:")[0])
        # The shard that booted k3 alone knows only its own rows.
        with open(self.collect("3/3")) as f:
            doc = json.load(f)
        self.assertEqual(self.cells(doc, "k3"), self.skips(["scx.c.verdict", "scx.d.verdict"]))

    def test_listed_tests_skipped_in_shards(self):
        # A kernel whose config was unknown: its tests are planned one by one
        # and every shard that boots it gets the whole-binary SKIP.
        with open(os.path.join(self.run, "plan.tsv"), "w") as f:
            f.writelines("%s\t%s\n" % (k, t) for k in ("k1", "k3") for t in self.TESTS)
        parts = [self.collect("%d/3" % i) for i in (1, 2, 3)]
        merged, _ = self.json_of(*parts)
        self.assertEqual(self.cells(merged, "k3"), self.skips(self.TESTS))

    def test_alone(self):
        with open(os.path.join(self.run, "kernels.tsv"), "w") as f:
            f.write("k3\ttrixie\n")
        with open(os.path.join(self.run, "plan.tsv"), "w") as f:
            f.write("k3\t*\n")
        doc, text = self.json_of(self.collect("1/1"))
        self.assertEqual(self.cells(doc, "k3"), self.skips(["*"]))
        self.assertEqual(text.splitlines()[2].split(), ["*", "SKIP"])


class Shapes(Shards):
    """A kernel booted as a machine shape is a column of its own."""

    def setUp(self):
        super().setUp()
        with open(os.path.join(self.run, "kernels.tsv"), "a") as f:
            f.write("k1@smt-2llc\ttrixie-backports\t1n2l2c2t\n")
        with open(os.path.join(self.run, "plan.tsv"), "a") as f:
            f.writelines("k1@smt-2llc\t%s\n" % t for t in self.TESTS)
        with open(os.path.join(self.run, "k1@smt-2llc.meta"), "w") as f:
            f.write("release=7.3\nsched_ext=y\nexit=0\nrun_s=10\ntopology=1n2l2c2t\n"
                    "topology_name=smt-2llc\ncpus=8\n")
        self.write_tap("k1@smt-2llc", ktap(self.TESTS))

    def test_column_json_and_merge(self):
        self.write_tap("k1@smt-2llc", ktap(self.TESTS).replace("ok 2 ", "not ok 2 "))
        out = os.path.join(self.dir, "all.json")
        rc, text, _ = self.report("--json", out, self.collect("1/1"))
        self.assertEqual(rc, 1)
        self.assertIn("k1@smt-2llc (7.3, 1n2l2c2t)", text.splitlines()[0])
        row = [line for line in text.splitlines() if line.startswith("b ")][0]
        self.assertEqual(row.split()[-3:], ["FAIL", "attached", "200ms"])
        with open(out) as f:
            doc = json.load(f)
        k = [k for k in doc["kernels"] if k["id"] == "k1@smt-2llc"][0]
        self.assertEqual(k["topology"], {"spec": "1n2l2c2t", "name": "smt-2llc", "cpus": 8})
        self.assertEqual(k["runs"][0]["topology"]["spec"], "1n2l2c2t")
        self.assertIsNone([k for k in doc["kernels"] if k["id"] == "k1"][0]["topology"])
        tops = {(r["kernel"], r["topology"]) for r in doc["results"]}
        self.assertIn(("k1@smt-2llc", "1n2l2c2t"), tops)
        self.assertIn(("k3", None), tops)
        parts = [self.collect("%d/4" % i) for i in (1, 2, 3, 4)]
        rc4, merged, _ = self.report(*parts)
        self.assertEqual(rc4, 1)
        self.assertEqual(merged.split("\nresults:")[0], text.split("\nresults:")[0])


class JobsSimulated(unittest.TestCase):
    """vm/matrix.sh --jobs N against --jobs 1: the same tables and JSON, in the
    same order.  The boots are simulated (tools/matrix-sim-guest.sh in a copy
    of the tree): no qemu, deterministic results, boots that end out of
    order, a kernel that cannot resolve, one without sched_ext and a shape
    that comes up wrong (exit 95)."""

    TOP = os.path.dirname(HERE)
    SHAPES = ["tiny-2llc", "smt-2llc", "odd-3llc"]

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        tree = os.path.join(d, "tree")
        for sub in ("vm", "tools", "suite", "k"):
            os.makedirs(os.path.join(tree, sub))
        for f in ("matrix.sh", "common.sh", "topology.sh", "topology-presets"):
            shutil.copy(os.path.join(cls.TOP, "vm", f), os.path.join(tree, "vm", f))
        shutil.copy(TOOL, os.path.join(tree, "tools"))
        sim = os.path.join(HERE, "matrix-sim-guest.sh")
        for dest in ("vm/run-vm.sh", "vm/kernel.sh", "suite/scx_attach_test"):
            shutil.copy(sim, os.path.join(tree, dest))
        cls.kernels = []
        for k in ("sx-7.3", "nosx-6.1", "bad-0"):
            path = os.path.join(tree, "k", k)
            open(path, "w").close()
            cls.kernels.append(path)
        cls.runs = {}
        for jobs in (1, 3):
            cls.runs[jobs] = cls.matrix(tree, jobs)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @classmethod
    def matrix(cls, tree, jobs):
        out = os.path.join(cls.tmp.name, "out-%d" % jobs)
        log = os.path.join(cls.tmp.name, "sim-%d.log" % jobs)
        args = [os.path.join(tree, "vm", "matrix.sh"), "--out", out, "--jobs", str(jobs),
                "--suite-dir", os.path.join(tree, "suite")]
        for k in cls.kernels:
            args += ["--kernel", k]
        for s in cls.SHAPES:
            args += ["--topology", s]
        env = dict(os.environ, SIM_LOG=log, SIM_OVERLAP="1" if jobs > 1 else "")
        env.pop("SCX_ATTACH_MANIFEST", None)
        p = subprocess.run(args, capture_output=True, text=True, env=env)
        files = {}
        for name in ("matrix.txt", "matrix.md", "matrix.json"):
            with open(os.path.join(out, name)) as f:
                files[name] = f.read()
        with open(log) as f:
            events = f.read().split("\n")
        return p.returncode, files, events, p.stderr

    @staticmethod
    def untimed(name, text):
        """A file without what differs from run to run: the timings."""
        if name == "matrix.json":
            doc = json.loads(text)
            for k in doc["kernels"]:
                for r in k["runs"]:
                    r.pop("seconds")
            return json.dumps(doc, indent=1)
        return re.sub(r"(build|boot|run) [0-9.]+s", r"\1 Ns", text)

    def test_same_tables_and_json(self):
        rc1, one, _, err1 = self.runs[1]
        rc3, three, _, err3 = self.runs[3]
        self.assertEqual(rc1, 1, err1)
        self.assertEqual(rc3, rc1, err3)
        for name in one:
            self.assertEqual(self.untimed(name, three[name]), self.untimed(name, one[name]),
                             name)
        # The timings are there, and differ: the comparison above did skip them.
        self.assertNotEqual(three["matrix.json"], one["matrix.json"])

    def test_same_tool(self):
        _, one, _, _ = self.runs[1]
        _, three, _, _ = self.runs[3]
        files = []
        for n, text in enumerate((one["matrix.json"], three["matrix.json"],
                                  one["matrix.json"].replace('"status": "xfail"',
                                                             '"status": "fail"', 1))):
            files.append(os.path.join(self.tmp.name, "same-%d.json" % n))
            with open(files[-1], "w") as f:
                f.write(text)
        p = subprocess.run([sys.executable, TOOL, "same", files[0], files[1]],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("in the same order", p.stdout)
        p = subprocess.run([sys.executable, TOOL, "same", files[0], files[2]],
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn("xfail", p.stdout)

    def test_boots_overlapped_and_ended_out_of_order(self):
        _, _, events, _ = self.runs[3]
        starts = [e.split()[1] for e in events if e.startswith("start ")]
        ends = [e.split()[1] for e in events if e.startswith("end ")]
        self.assertEqual(sorted(starts), sorted(ends))
        self.assertNotEqual(starts, ends)
        self.assertGreater(self.most_at_once(events), 1)
        _, _, events1, _ = self.runs[1]
        self.assertEqual(self.most_at_once(events1), 1)

    @staticmethod
    def most_at_once(events):
        """The most boots running at once, from the order of the log's lines
        (the count each boot wrote races with a boot that starts in the
        same instant)."""
        running = most = 0
        for e in events:
            running += e.startswith("start ") - e.startswith("end ")
            most = max(most, running)
        return most

    def test_images_prepared_once_per_kernel(self):
        for jobs in (1, 3):
            _, _, events, _ = self.runs[jobs]
            self.assertEqual(sorted(e for e in events if e.startswith("prepare ")),
                             ["prepare nosx-6.1", "prepare sx-7.3"])
            for e in events:
                if e.startswith("start "):
                    self.assertEqual(e.split()[3], e.split()[1].split("@")[0] + ".img", e)

    def test_cells(self):
        _, one, _, _ = self.runs[1]
        doc = json.loads(one["matrix.json"])
        ids = [k["id"] for k in doc["kernels"]]
        self.assertEqual(ids, [k + s for k in ("sx-7.3", "nosx-6.1", "bad-0")
                               for s in ("", "@tiny-2llc", "@smt-2llc", "@odd-3llc")])
        text = one["matrix.txt"]
        rows = {line.split()[0]: line for line in text.splitlines()[2:6]}
        self.assertEqual(sorted(rows), ["scx_central", "scx_flatcg", "scx_qmap", "scx_simple"])
        # The wrong shape is its own column's ERROR, the others unaffected.
        odd = [k for k in doc["kernels"] if k["id"] == "sx-7.3@odd-3llc"][0]
        self.assertIn("shape mismatch: CPUs online", odd["runs"][0]["error"])
        self.assertIn("exit status 95", odd["runs"][0]["error"])
        for r in doc["results"]:
            if r["kernel"].endswith("@odd-3llc"):
                self.assertEqual(r["status"], "error")
            elif r["kernel"].startswith("nosx"):
                self.assertEqual(r["status"], "skip")
            elif r["kernel"].startswith("sx"):
                self.assertIn(r["status"], ("pass", "fail", "xfail"))


class Stage(unittest.TestCase):
    def test_layout(self):
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "m", "sub"))
            man = os.path.join(d, "m", "sub", "list")
            with open(man, "w") as f:
                f.write('# comment\n\none bin=./x args="-a -b"\ntwo bin=../../y\n'
                        'three bin=/usr/bin/true # trailing\n')
            got = mr.stage(man, "/g")
            self.assertEqual(got, [man + "=/g/m/sub/list",
                                   os.path.join(d, "m", "sub", "x") + "=/g/m/sub/x",
                                   os.path.join(d, "y") + "=/g/y",
                                   "/usr/bin/true=/usr/bin/true"])


if __name__ == "__main__":
    unittest.main(verbosity=1)
