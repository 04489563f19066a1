#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the attach benchmark in the sched_ext VM and print its tables.
#
#   bench/run.sh [options] [-- ATTACH_BENCH_ARGS...]
#
#   --build-dir DIR   where attach_bench and scx_fault were built (default: repo top)
#   -k N              measured cycles per waiter (default 30)
#   --reject N        loads the kernel rejects while the process lives on,
#                     per lib/ waiter (default 10; 0: none)
#   --sub N           child cycles after the first table: scx_qmap at the
#                     root, held, and scx_qmap -c on a private cgroup beneath
#                     it N times (default: -k; 0: none; needs scx_qmap built)
#   --slow-ms MS      second table: the same, with the scheduler loading only
#                     MS after its spawn, longer than the gate (default 3000;
#                     0: first table only)
#   --smoke           say that the numbers of this (short) run mean nothing
#   --doc FILE        write the tables, with the machine and the date, as
#                     the "bench" section of FILE (e.g. docs/benchmark.md)
#   --vm-args 'ARGS'  extra vm/run-vm.sh options, e.g. '--accel tcg'
#   --save FILE       also write the guest's output (the tables) to FILE
#   -h, --help
#
# SCX_BENCH_ACCEL=tcg|kvm|auto picks the accelerator (default: run-vm.sh's
# auto).  The guest reads the one actually used from its kernel command
# line; the host side prints run-vm.sh's own "vm: accel=" line too.
# Exit status: attach_bench's (0 ok, 1 a broken run: some cycle did not
# attach or detach), or run-vm.sh's (2 usage, 9x VM trouble).  Never fails
# on a number.

set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top
k=30
reject=10
sub=
slow=3000
smoke=0
vm_args=
save=
doc=
bench_args=()

usage() {
	sed -n '4,/^$/{/^$/d;s/^# \{0,1\}//;p}' "$0"
}

number() {
	[[ $2 =~ ^[0-9]+$ ]] || { echo "bench: $1 '$2' is not a number" >&2; exit 2; }
}

while [ $# -gt 0 ]; do
	case "$1" in
	--build-dir)	build=${2:?--build-dir needs a directory}; shift ;;
	-k)		k=${2:?-k needs a number}; shift ;;
	--reject)	reject=${2:?--reject needs a number}; shift ;;
	--sub)		sub=${2:?--sub needs a number}; shift ;;
	--slow-ms)	slow=${2:?--slow-ms needs a number}; shift ;;
	--smoke)	smoke=1 ;;
	--doc)		doc=${2:?--doc needs a file}; shift ;;
	--vm-args)	vm_args=${2?--vm-args needs an argument}; shift ;;
	--save)		save=${2:?--save needs a file}; shift ;;
	-h|--help)	usage; exit 0 ;;
	--)		shift; bench_args=("$@"); break ;;
	*)		echo "bench: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done
number -k "$k"
number --reject "$reject"
sub=${sub:-$k}
number --sub "$sub"
number --slow-ms "$slow"
[ "$k" -ge 1 ] || { echo "bench: -k must be at least 1" >&2; exit 2; }
for f in attach_bench scx_fault; do
	if [ ! -x "$build/$f" ]; then
		echo "bench: $build/$f is not built (make bench-build; scx_fault needs clang and the Linux tree from tools/setup.sh)" >&2
		exit 2
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/scx-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Only what the guest needs: a small initramfs boots faster.
mkdir "$tmp/suite"
cp "$build/attach_bench" "$build/scx_fault" "$tmp/suite/"
if [ "$sub" -gt 0 ]; then
	if [ ! -x "$build/scx_qmap" ]; then
		echo "bench: $build/scx_qmap is not built (clang >= 20 and the Linux tree from tools/setup.sh): no child cycles" >&2
		sub=0
	else
		cp "$build/scx_qmap" "$tmp/suite/"
	fi
fi

vm=()
if [ -n "${SCX_BENCH_ACCEL:-}" ]; then
	vm+=(--accel "$SCX_BENCH_ACCEL")
	export SCX_ATTACH_BENCH_ACCEL=$SCX_BENCH_ACCEL
fi
# shellcheck disable=SC2206 # word splitting of user-given options is wanted
[ -z "$vm_args" ] || vm+=($vm_args)
export SCX_ATTACH_BENCH_DATE
SCX_ATTACH_BENCH_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
machine_before=$("$top/bench/doc.sh" machine)

# Boot ~10 s, a cycle 4-7 s under TCG, a rejection up to 10 s: generous,
# only a hung guest hits it.
timeout=$((300 + k * 3 * (20 + slow / 1000) + reject * 2 * 30 + sub * 30))
args=""
for a in "${bench_args[@]}"; do
	args+=" '${a//\'/\'\\\'\'}'"
done
cmd="./attach_bench -k $k --compare-cadence --reject $reject --sub $sub$args"
if [ "$slow" -gt 0 ]; then
	# Both tables in one boot; the first failure's status wins.
	cmd="$cmd; a=\$?; echo; ./attach_bench -k $k --delay-ms $slow$args; b=\$?"
	cmd="$cmd; [ \$a = 0 ] && exit \$b; exit \$a"
fi
[ "$smoke" = 0 ] || echo "bench: smoke run (K=$k): checks that the benchmark runs; its numbers mean nothing" >&2

set +e
"$top/vm/run-vm.sh" --suite-dir "$tmp/suite" --timeout "$timeout" "${vm[@]}" \
	--cmd "$cmd" \
	> >(tee "$tmp/out") 2> >(tee "$tmp/err" >&2)
rc=$?
set -e
wait
[ -z "$save" ] || cp "$tmp/out" "$save"

accel=$(sed -n 's/^vm: accel=\([a-z]*\).*/\1/p' "$tmp/err" | tail -n 1)
kernel=$(sed -n 's/^vm: kernel //p' "$tmp/err" | tail -n 1)
echo "bench: host side: kernel ${kernel:-?}, accel ${accel:-?}" >&2
if [ "$rc" != 0 ]; then
	echo "bench: broken run (exit status $rc): see the messages above" >&2
	exit "$rc"
fi
if [ -n "$doc" ]; then
	{
		echo
		echo "Measured $SCX_ATTACH_BENCH_DATE by \`make bench\` (K=$k, $reject rejections per lib/ waiter, $sub child cycles),"
		echo "in one boot of kernel ${kernel:-?} under qemu ${accel:-?}."
		echo "Before: $machine_before."
		echo "After: $("$top/bench/doc.sh" machine)."
		echo
		sed 's/^/    /; s/^    $//' "$tmp/out"
		echo
	} | "$top/bench/doc.sh" write bench "$doc"
	echo "bench: tables written to $doc" >&2
fi
exit 0
