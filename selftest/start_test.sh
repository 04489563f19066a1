#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# start_test: what scx_attach_test decides before its first test, run for
# real against a SIMULATED sched_ext sysfs (a directory of state files, no
# scheduler ever attaches): whether the privileges suffice (capabilities,
# not uid 0), that a scheduler keeps the suite's capabilities across
# execve(), each test's harness timeout, and whether the run fits the
# kselftest runner's.  Needs root (setpriv, setcap).  Prints TAP.
#
#   start_test.sh [BUILD_DIR]     (default: the current directory)

set -u

build=$(cd "${1:-.}" && pwd)
bin=$build/scx_attach_test
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	shift
	[ $# -eq 0 ] || echo "# $*"
	sed 's/^/# | /' "$out"
}

echo "TAP version 13"
echo "1..9"
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null || ! command -v setcap >/dev/null ||
   [ ! -x "$bin" ]; then
	for i in 1 2 3 4 5 6 7 8 9; do
		echo "ok $i # SKIP needs root, setpriv (util-linux), setcap (libcap2-bin) and a built scx_attach_test"
	done
	exit 0
fi

# A place uid 65534 can read: the suite, a fake sysfs, a "scheduler" that
# shows its capabilities and exits.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/scx-start-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
out=$tmp/out
mkdir "$tmp/sysfs"
for f in state:disabled enable_seq:0 nr_rejected:0 switch_all:0 hotplug_seq:0; do
	echo "${f#*:}" > "$tmp/sysfs/${f%%:*}"
done
cat > "$tmp/showcaps" <<'EOF'
#!/bin/sh
grep -E '^Cap(Eff|Amb):' /proc/self/status
exit 1
EOF
chmod 755 "$tmp/showcaps"
cp "$bin" "$tmp/scx_attach_test"

# suite [setpriv options]: the user test alone, against the fake sysfs, run
# from the copy: the build directory may be closed to uid 65534.
suite() {
	local t0=$SECONDS

	env -u kselftest_timeout SCX_ATTACH_SYSFS="$tmp/sysfs" SCX_ATTACH_ONLY=user \
		SCX_ATTACH_SCHED="${sched:-$tmp/showcaps}" SCX_ATTACH_ARGS="${args:-}" \
		TMPDIR="$tmp" ${extra_env:-} setpriv "$@" -- "${run_bin:-$tmp/scx_attach_test}" >"$out" 2>&1
	rc=$?
	secs=$((SECONDS - t0))
}

nobody=(--reuid=65534 --regid=65534 --clear-groups)
skip_caps='1..0 # SKIP needs CAP_SYS_ADMIN, or CAP_BPF and CAP_PERFMON (root has them), to load BPF schedulers'

# 1-2: the capabilities bpf() checks are enough, without uid 0.
for caps in +sys_admin,+bpf,+perfmon +bpf,+perfmon; do
	name="uid 65534 with ${caps//+/} runs the tests, no whole-binary SKIP"
	suite "${nobody[@]}" --inh-caps="$caps" --ambient-caps="$caps"
	# The stand-in scheduler exits: the test runs, and fails.
	if grep -q '^1\.\.0 # SKIP' "$out" || ! grep -Eq '^(not )?ok [0-9]+ scx\.user\.verdict$' "$out"; then
		not_ok "$name" "exit $rc"
	elif ! grep -q '^# privileges: uid 65534, .*without uid 0 or CAP_DAC_OVERRIDE, CPU hotplug SKIPs' "$out"; then
		not_ok "$name" "no privileges line naming what uid 0 or CAP_DAC_OVERRIDE would add"
	else
		ok "$name"
	fi
done

# 3-4: too few, whatever the uid: the constant SKIP, exit 4.
name="uid 65534 with CAP_BPF alone: the constant SKIP"
suite "${nobody[@]}" --inh-caps=+bpf --ambient-caps=+bpf
if [ "$rc" != 4 ] || ! grep -qxF "$skip_caps" "$out"; then
	not_ok "$name" "exit $rc"
else
	ok "$name"
fi
name="uid 0 without capabilities: the constant SKIP"
suite --inh-caps=-all --bounding-set=-all
if [ "$rc" != 4 ] || ! grep -qxF "$skip_caps" "$out" ||
   ! grep -q '^# uid 0, effective capabilities 0000000000000000' "$out"; then
	not_ok "$name" "exit $rc"
else
	ok "$name"
fi

# 5: a suite whose capabilities are not ambient (file capabilities) passes
# them on: as non-root, execve() keeps only the ambient set.
name="the scheduler keeps the suite's capabilities across execve()"
if setcap cap_sys_admin,cap_bpf,cap_perfmon+ep "$tmp/scx_attach_test" 2>"$out"; then
	run_bin=$tmp/scx_attach_test suite "${nobody[@]}"
	if ! grep -q '^# | CapEff:.000000c000200000$' "$out"; then
		not_ok "$name" "the scheduler's CapEff is not the suite's (exit $rc)"
	else
		ok "$name"
	fi
else
	echo "ok 5 # SKIP setcap failed here (no security xattrs in $tmp?): $(cat "$out")"
	n=5
fi

# 6-7: each test's harness timeout is its windows' worst, and a run that
# cannot fit the runner's timeout says so before it starts.
name="a run that cannot fit the kselftest runner's timeout says so, with the numbers"
extra_env="kselftest_timeout=20 SCX_ATTACH_HOLD_MS=30s" suite
if ! grep -q '^# time: 1 test to run: they hold at least 31 s (those that attach), take 176 s at worst; each test.s harness timeout up to 204 s; the kselftest runner.s timeout 20 s$' "$out"; then
	not_ok "$name" "no time line with the windows' numbers"
elif ! grep -q '^# time: cannot fit: the 1 selected tests hold for at least 31 s, over the runner.s 20 s timeout' "$out" ||
     ! grep -q '^# time: to run them all, raise the runner.s timeout over 31 s (run_kselftest.sh --override-timeout SECS' "$out"; then
	not_ok "$name" "no \"cannot fit\" line, or no advice"
else
	ok "$name"
fi
name="a run that fits says nothing more"
extra_env="kselftest_timeout=300" suite
if ! grep -q '^# time: 1 test to run: they hold at least 3 s (those that attach), take 120 s at worst; each test.s harness timeout up to 142 s; the kselftest runner.s timeout 300 s$' "$out" ||
   grep -q -e 'cannot fit' -e 'may not fit' "$out"; then
	not_ok "$name" "wrong time lines"
else
	ok "$name"
fi

# 8: the harness enforces the bound set at run time (a scheduler that
# never attaches, a 30 s wall guard, a 2 s harness timeout).
name="the harness times a test out at the bound set at run time"
sched=/bin/sleep args=30 extra_env="SCX_ATTACH_TEST_TIMEOUT_S=2" suite
if ! grep -q 'Test terminated by timeout' "$out" || [ "$secs" -gt 15 ]; then
	not_ok "$name" "exit $rc after ${secs}s"
else
	ok "$name"
fi

# 9: a manifest's hierarchy is checked before anything starts: a cycle in
# parent= stops the suite at its FILE:LINE, with no test run.
name="a manifest with a parent= cycle stops the suite at its line before any test"
printf 'p bin=/bin/true\na bin=/bin/true args={cgroup} parent=b\nb bin=/bin/true args={cgroup} parent=a\n' \
	> "$tmp/cycle.manifest"
extra_env="SCX_ATTACH_MANIFEST=$tmp/cycle.manifest" suite
if [ "$rc" != 1 ] || grep -Eq '^(not )?ok [0-9]' "$out" ||
   ! grep -q "^Bail out! $tmp/cycle.manifest:2: a: parent= goes round in a cycle" "$out"; then
	not_ok "$name" "exit $rc"
else
	ok "$name"
fi
