#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The suite on real kernels, as `make vm-check` and CI run it:
#   1. The scheduler x kernel matrix (vm/matrix.sh): Debian's trixie-backports
#      (7.3) and sid (7.2) sched_ext kernels, each with the schedulers of its
#      own linux-source, plus the fixtures and docs/ci/sample.manifest, and
#      trixie's 6.12 (no sched_ext: every test SKIPs); one boot per kernel,
#      and 7.3 booted again as two machine shapes, ktstr's smt-2llc and two
#      NUMA nodes of 2 LLCs (2n2l2c1t: 4 vCPUs; the gauntlet's 16-vCPU
#      numa2-4llc stalls for seconds on one TCG thread, too slow for the
#      fixtures' windows), each proven in the guest; two boots at a time.
#      Every result must be as expected, every KTAP must parse.
#   2. Liveness on the first sched_ext kernel: a 30 s stress hold of every
#      tree scheduler, none starved or ejected.
#   3. The user's scheduler (--sched, scx_simple) 20 times over (--repeat):
#      every cycle passes, the test's fds and children do not grow.
#   4. A kernel splat (a hung task scx_fault causes) fails the test of a
#      scheduler that stays attached.
#   5. Capabilities, not uid 0: the whole suite as uid 65534 with exactly
#      CAP_SYS_ADMIN, CAP_BPF and CAP_PERFMON (util-linux setpriv): it
#      passes, scx_simple and scx_fault attach, and what needs more SKIPs
#      with a reason that names it.
#   6. The VM runner's own checks (boot failures, panics, libraries, the
#      guest a scheduler expects).
#
#   vm/check.sh SUITE_DIR [run-vm.sh options]
#
# Prints KTAP (the Linux tree's kselftest/ktap_helpers.sh); exits nonzero if
# any step fails.  The runs' own output is shown as "# | " diagnostics and
# kept whole in $SCX_ATTACH_ARTIFACTS if that is set.  VM_CHECK_STRESS_S
# (30) sets the stress hold.

set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
suite=${1:?usage: vm/check.sh SUITE_DIR [run-vm.sh options]}
shift
# shellcheck source=vm/common.sh
. "$here/common.sh"
ktap=$(ktap_helpers) || exit 1
# shellcheck source=/dev/null
. "$ktap"
work=$(mktemp -d "${TMPDIR:-/tmp}/scx-vmcheck.XXXXXX")
trap 'rm -rf "$work"' EXIT
stress_s=${VM_CHECK_STRESS_S:-30}

ok() { ktap_test_pass "$1"; }
not_ok() { echo "# $2"; ktap_test_fail "$1"; }

keep() {
	[ -n "${SCX_ATTACH_ARTIFACTS:-}" ] || return 0
	mkdir -p "$SCX_ATTACH_ARTIFACTS" && cp -r "$@" "$SCX_ATTACH_ARTIFACTS/"
}

# run NAME [run-vm.sh args...]: boot, keep stdout as NAME.tap, stderr as NAME.err
run() {
	local name=$1

	shift
	"$here/run-vm.sh" --suite-dir "$suite" "$@" >"$work/$name.tap" 2>"$work/$name.err"
	rc=$?
	sed 's/^/# | /' "$work/$name.tap"
	grep '^vm: ' "$work/$name.err" | sed 's/^/# /'
	keep "$work/$name.tap" "$work/$name.err"
}

kunit=$(dirname "$ktap")/../../kunit/kunit.py

# The KTAP must parse with no errors, one result per test, for prove
# (TAP::Parser), kunit.py and tappy (python3-tap, which LKFT's kselftest
# parser uses).  Debian's python3 has tappy, whatever python3 PATH finds.
parses() {
	local f=$1 n

	n=$(grep -Ec '^(not )?ok [0-9]+ ' "$f")
	# A parser's status also says whether the tests passed: count instead.
	prove --exec cat "$f" >"$f.prove" 2>&1
	if grep -q "Parse errors" "$f.prove" || ! grep -q "Tests=$n," "$f.prove"; then
		return 1
	fi
	/usr/bin/python3 - "$f" "$n" >"$f.tappy" 2>&1 <<'EOF' || { cat "$f.tappy" >> "$f.prove"; return 1; }
import sys
from tap.parser import Parser

n = sum(1 for line in Parser().parse_file(sys.argv[1]) if line.category == 'test')
if n != int(sys.argv[2]):
    sys.exit(f'tappy: {n} results, the file has {sys.argv[2]}')
EOF
	# kunit.py calls a whole-binary "1..0 # SKIP" an error: nothing to count.
	[ -f "$kunit" ] && [ "$n" != 0 ] || return 0
	python3 "$kunit" parse "$f" >"$f.kunit" 2>&1
	grep -q "Ran $n tests" "$f.kunit" ||
		{ echo "kunit.py: $(grep -m1 'Ran ' "$f.kunit"), the file has $n" >> "$f.prove"; return 1; }
}

ktap_print_header
ktap_set_plan 6

# SKIPs on the sched_ext kernels: none but sid's one kernel limit (7.2 has
# no scx_bpf_sub_kill(), so a parent cannot kill its child there).
skips_on_scx() {
	grep -h '^ok .*# SKIP' "$out"/trixie-backports*.tap
	grep -h '^ok .*# SKIP' "$out/sid.tap" |
		grep -Fv '# SKIP kernel has no scx_bpf_sub_kill(): a parent cannot kill its child (Linux 7.3+)'
}

name="matrix: trixie-backports, sid and trixie, 7.3 as smt-2llc and 2n2l2c1t; tree schedulers, fixtures, sample manifest"
out=$work/matrix
shapes=(smt-2llc 2n2l2c1t)
"$here/matrix.sh" --suite-dir "$suite" --out "$out" --jobs 2 \
	--topology trixie-backports=smt-2llc --topology trixie-backports=2n2l2c1t \
	--manifest "$top/docs/ci/sample.manifest" "$@" >"$work/matrix.log" 2>&1
rc=$?
sed 's/^/# | /' "$out/matrix.txt" 2>/dev/null
grep -E '^vm: [a-z@0-9-]+:' "$work/matrix.log" | sed 's/^/# /'
keep "$out"
unproven=
for s in "${shapes[@]}"; do
	grep -q '^vm: shape ok: ' "$out/trixie-backports@$s.err" 2>/dev/null || unproven+=" $s"
done
bad=
for t in "$out"/*.tap; do
	[ -f "$t" ] || continue
	parses "$t" || bad="$bad $(basename "$t"): $(tail -n1 "$t.prove")"
done
if [ "$rc" != 0 ]; then
	# What each failed test said: the work dir goes at the end.
	for t in "$out"/*.tap; do
		[ -f "$t" ] && "$top/tools/tap-failures.sh" "$t" 60 | sed "s|^|# $(basename "$t"): |"
	done
	not_ok "$name" "vm/matrix.sh exited $rc: $(tail -n 5 "$work/matrix.log" | tr '\n' ' ')"
elif [ ! -s "$out/matrix.json" ] || [ ! -s "$out/matrix.md" ]; then
	not_ok "$name" "no JSON or Markdown table"
elif [ -n "$bad" ]; then
	not_ok "$name" "KTAP that does not parse:$bad"
elif ! grep -q '^1\.\.0 # SKIP kernel has no sched_ext: build with CONFIG_SCHED_CLASS_EXT=y (see config)$' \
	"$out/trixie.tap"; then
	not_ok "$name" "trixie's 6.12: no constant SKIP line"
elif [ -n "$(skips_on_scx)" ]; then
	not_ok "$name" "a test SKIPped on a sched_ext kernel: $(skips_on_scx | head -n 3 | tr '\n' ' ')"
elif [ -n "$unproven" ]; then
	not_ok "$name" "no 'vm: shape ok:' proof from the guest for:$unproven"
else
	ok "$name"
fi

name="liveness: a ${stress_s} s stress hold of every tree scheduler, none starved"
run stress "$@" -- --stress "$stress_s" --only tree
tree_n=$(grep -c . "$suite/scx_tree.list" 2>/dev/null || echo 0)
if [ "$rc" != 0 ]; then
	not_ok "$name" "suite exited $rc"
elif ! parses "$work/stress.tap"; then
	not_ok "$name" "prove: $(tail -n1 "$work/stress.tap.prove")"
elif [ "$(grep -c '^# result: verdict=attached .*stress=' "$work/stress.tap")" != "$tree_n" ]; then
	not_ok "$name" "not all $tree_n tree schedulers held under the stress load"
else
	ok "$name"
fi

name="the user's scheduler (--sched scx_simple) 20 times: every cycle passes, nothing grows"
run repeat "$@" -- --sched ./scx_simple --ops simple --only user --repeat 20
if [ "$rc" != 0 ]; then
	not_ok "$name" "suite exited $rc"
elif ! parses "$work/repeat.tap"; then
	not_ok "$name" "prove: $(tail -n1 "$work/repeat.tap.prove")"
elif ! grep -q '^# result: verdict=attached .*cycles=20 ' "$work/repeat.tap" ||
     ! grep -qx 'ok 1 scx.user.verdict' "$work/repeat.tap"; then
	not_ok "$name" "scx.user.verdict did not pass 20 cycles"
else
	ok "$name"
fi

name="a kernel splat fails the test of a scheduler that stays attached"
# scx_fault leaves a thread of its own in D state: the hung-task report
# comes about 4 s in with the kernel's timeout at 2 s.
run splat "$@" --cmd 'echo 2 > /proc/sys/kernel/hung_task_timeout_secs &&
	./run_tests.sh --sched ./scx_fault --args --fault=hung-task --ops fault --only user --hold 8000'
if [ "$rc" != 1 ]; then
	not_ok "$name" "suite exited $rc, want 1 (a failed test)"
elif ! parses "$work/splat.tap"; then
	not_ok "$name" "$(tail -n1 "$work/splat.tap.prove")"
elif ! grep -qx 'not ok 1 scx.user.verdict' "$work/splat.tap" ||
     ! grep -q '^# result: verdict=attached .*splat=hung_task' "$work/splat.tap"; then
	not_ok "$name" "no failed test with verdict=attached and splat=hung_task"
else
	ok "$name"
fi

name="uid 65534 with CAP_SYS_ADMIN, CAP_BPF, CAP_PERFMON: the suite passes, scx_simple and scx_fault attach"
# chmod o+r on /dev/kmsg changes nothing while
# kernel.dmesg_restrict is 1 (CAP_SYSLOG), so the kernel log stays closed.
caps=+sys_admin,+bpf,+perfmon
run caps "$@" --host-file "$(command -v setpriv)" --cmd "chmod o+r /dev/kmsg &&
	exec /usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups \
	--inh-caps=$caps --ambient-caps=$caps ./run_tests.sh"
# Every SKIP names what this run lacks: the kernel log, uid 0 or
# CAP_DAC_OVERRIDE, CAP_IPC_LOCK; or there is no --sched.
skips=$(grep '^ok .*# SKIP' "$work/caps.tap" | grep -v \
	-e '# SKIP needs the kernel.s words: /dev/kmsg is not readable (CAP_SYSLOG, or kernel.dmesg_restrict=0)$' \
	-e '# SKIP cpuN/online is not writable: CPU hotplug needs uid 0 or CAP_DAC_OVERRIDE$' \
	-e '# SKIP sets a sysctl: /proc/sys is writable by uid 0 only$' \
	-e '# SKIP locks all its memory: needs CAP_IPC_LOCK, or RLIMIT_MEMLOCK of 64 MiB' \
	-e '# SKIP needs a private cgroup for the child scheduler: writing under the cgroup2 mount needs uid 0 or CAP_DAC_OVERRIDE$' \
	-e '^ok 1 scx.user.verdict # SKIP no scheduler to test')
if [ "$rc" != 0 ]; then
	not_ok "$name" "suite exited $rc"
elif ! parses "$work/caps.tap"; then
	not_ok "$name" "prove: $(tail -n1 "$work/caps.tap.prove")"
elif ! grep -q '^# privileges: uid 65534, effective capabilities 000000c000200000 ' "$work/caps.tap"; then
	not_ok "$name" "not run as uid 65534 with exactly those capabilities"
elif ! grep -qx 'ok [0-9]* scx.scx_simple.verdict' "$work/caps.tap" ||
     ! grep -qx 'ok [0-9]* scx.fault_none.verdict' "$work/caps.tap"; then
	not_ok "$name" "scx_simple or scx_fault did not attach"
elif [ -n "$skips" ]; then
	not_ok "$name" "a SKIP that does not name a missing privilege: $(echo "$skips" | head -n 3 | tr '\n' ' ')"
else
	ok "$name"
fi

name="VM runner self-checks"
"$here/selftest.sh" "$@" >"$work/runner.tap" 2>&1
rc=$?
sed 's/^/# | /' "$work/runner.tap"
if [ "$rc" = 0 ]; then
	ok "$name"
else
	not_ok "$name" "vm/selftest.sh exited $rc"
fi

ktap_finished
