#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Machine shapes without a boot: SPECs that run-vm.sh and matrix.sh refuse
# before anything starts (exit 2, the flag named), and vm/guest-shape.sh on
# fake sysfs trees, one laid out as asked and some that are not.  TAP.

set -u

top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/scx-shape-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
n=0
failed=0

ok() {
	n=$((n + 1))
	echo "ok $n $1"
}

not_ok() {
	n=$((n + 1))
	failed=1
	echo "not ok $n $1"
	shift
	printf '#   %s\n' "$@"
}

# refused NAME WANT_TEXT CMD...: CMD exits 2 with WANT_TEXT on stderr, fast
# and without starting qemu.
refused() {
	local name=$1 want=$2 rc=0 t0=$SECONDS

	shift 2
	"$@" >"$work/out" 2>"$work/err" </dev/null || rc=$?
	if [ "$rc" = 2 ] && grep -qF -- "$want" "$work/err" && ! grep -q 'booted\|accel=' "$work/err" &&
	   [ $((SECONDS - t0)) -lt 10 ]; then
		ok "$name"
	else
		not_ok "$name" "exit $rc, want 2 with '$want'; stderr:" "$(cat "$work/err")"
	fi
}

rv=$top/vm/run-vm.sh
for c in "foo|not NnLlCcTt (e.g. 2n4l4c1t) nor a preset name" \
	 "2n4l4c|want NnLlCcTt" \
	 "1n0l4c1t|every count must be at least 1" \
	 "0n2l2c1t|every count must be at least 1" \
	 "2n3l2c1t|3 LLCs do not divide among 2 NUMA nodes" \
	 "max-cpu|252 CPUs need APIC ID 433, above the 254" \
	 "1n14l18c1t|252 CPUs need APIC ID 433"; do
	spec=${c%%|*}
	refused "run-vm.sh --topology $spec is refused before boot" "--topology '$spec': ${c#*|}" \
		"$rv" --accel tcg --topology "$spec" --cmd true
done
refused "--topology with too little memory per node" \
	"--topology 4n8l4c1t with --mem 256: 64 MB per NUMA node, want at least 128" \
	"$rv" --accel tcg --topology numa4-8llc --mem 256 --cmd true
refused "--topology with --cpus" "--topology smt-2llc sets the CPUs: drop --cpus 4" \
	"$rv" --accel tcg --cpus 4 --topology smt-2llc --cmd true
refused "--topology beyond the host's memory" "this host has" \
	"$rv" --accel tcg --topology tiny-1llc --mem 999999999 --cmd true
refused "matrix.sh --topology bad SPEC is refused before any build or boot" \
	"--topology '1n2l2c2': want NnLlCcTt" \
	"$top/vm/matrix.sh" --suite-dir "$top" --out "$work/m" --topology 1n2l2c2 --list
refused "matrix.sh --topology KERNEL=SPEC names an unknown kernel" \
	"--topology sid=smt-2llc: kernel 'sid' is not one of --kernel (trixie-backports)" \
	"$top/vm/matrix.sh" --suite-dir "$top" --out "$work/m" --kernel trixie-backports \
	--topology sid=smt-2llc --list
refused "matrix.sh --topology with too little memory a node" \
	"--topology 4n8l4c1t with --mem 300: 75 MB per NUMA node" \
	"$top/vm/matrix.sh" --suite-dir "$top" --out "$work/m" --mem 300 --topology numa4-8llc --list

got=$("$top/vm/topology.sh" odd-5llc 2>&1 | tr '\n' ' ')
if [ "$got" = "name=odd-5llc spec=1n5l3c1t nodes=1 llcs=5 cores=3 threads=1 cpus=15 mem=1024 " ]; then
	ok "topology.sh: a preset name gives ktstr's spec"
else
	not_ok "topology.sh: a preset name gives ktstr's spec" "got: $got"
fi

# fake_sysfs DIR N L C T [BREAK]: a sysfs laid out as vm/topology.sh
# boots it; BREAK spoils one part (llc, smt, node, online, nol3).
range() {
	[ "$1" = "$2" ] && echo "$1" || echo "$1-$2"
}

fake_sysfs() {
	local d=$1/devices/system nn=$2 l=$3 c=$4 t=$5 brk=${6:-} cpus i f per_node

	cpus=$((l * c * t))
	per_node=$((cpus / nn))
	mkdir -p "$d/cpu" "$d/node"
	range 0 $((cpus - 1)) > "$d/cpu/online"
	[ "$brk" != online ] || range 0 $((cpus - 2)) > "$d/cpu/online"
	for ((i = 0; i < nn; i++)); do
		mkdir -p "$d/node/node$i"
		range $((i * per_node)) $((i * per_node + per_node - 1)) > "$d/node/node$i/cpulist"
	done
	[ "$brk" != node ] || { mkdir -p "$d/node/node$nn"; echo > "$d/node/node$nn/cpulist"; }
	for ((i = 0; i < cpus; i++)); do
		mkdir -p "$d/cpu/cpu$i/cache/index2" "$d/cpu/cpu$i/cache/index3" "$d/cpu/cpu$i/topology"
		echo 2 > "$d/cpu/cpu$i/cache/index2/level"
		[ "$brk" = nol3 ] || echo 3 > "$d/cpu/cpu$i/cache/index3/level"
		f=$((i / (c * t) * c * t))
		range "$f" $((f + c * t - 1)) > "$d/cpu/cpu$i/cache/index3/shared_cpu_list"
		[ "$brk" != llc ] || range 0 $((cpus - 1)) > "$d/cpu/cpu$i/cache/index3/shared_cpu_list"
		f=$((i / t * t))
		range "$f" $((f + t - 1)) > "$d/cpu/cpu$i/topology/thread_siblings_list"
		[ "$brk" != smt ] || echo "$i" > "$d/cpu/cpu$i/topology/thread_siblings_list"
	done
}

# shape NAME SPEC WANT_RC WANT_TEXT N L C T [BREAK]
shape() {
	local name=$1 spec=$2 want_rc=$3 want=$4 dir rc=0

	shift 4
	dir=$work/sys-$n
	fake_sysfs "$dir" "$@"
	SCX_SHAPE_SYSFS=$dir sh "$top/vm/guest-shape.sh" "$spec" >"$work/out" 2>&1 || rc=$?
	if [ "$rc" = "$want_rc" ] && grep -qF -- "$want" "$work/out"; then
		ok "guest-shape.sh: $name"
	else
		not_ok "guest-shape.sh: $name" "exit $rc, want $want_rc with '$want':" "$(cat "$work/out")"
	fi
}

shape "2n4l4c1t as asked" 2n4l4c1t 0 "ok: 2n4l4c1t: 16 CPUs online, 2 node(s) of 8 CPUs" 2 4 4 1
shape "1n2l2c2t as asked" 1n2l2c2t 0 "4 CPUs, 2 thread(s) a core" 1 2 2 2
shape "1n1l1c1t as asked" 1n1l1c1t 0 "ok: 1n1l1c1t" 1 1 1 1
shape "L3 shared by all: not 2 LLCs" 1n2l2c2t 1 \
	"mismatch: cpu0 L3 (index3/shared_cpu_list): saw '0-7', want '0-3'" 1 2 2 2 llc
shape "no SMT siblings" 1n2l2c2t 1 \
	"mismatch: cpu0 topology/thread_siblings_list: saw '0', want '0-1'" 1 2 2 2 smt
shape "one node too many" 2n4l4c1t 1 "mismatch: NUMA nodes: saw '3', want '2'" 2 4 4 1 node
shape "a CPU offline" 1n1l4c1t 1 "mismatch: online CPUs: saw '0-2', want '0-3'" 1 1 4 1 online
shape "no level-3 cache" 1n1l4c1t 1 "mismatch: cpu0 has no level-3 cache" 1 1 4 1 nol3

echo "1..$n"
exit "$failed"
