#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Time the scheduler x kernel matrix (vm/matrix.sh, one boot per kernel)
# against its lower bound and against a baseline done the way CI jobs do
# it: a fresh boot per scheduler and a fixed wait before judging it
# (bench/fixed-wait.sh), at the same hold, in one run.  Prints the table.
#
#   bench/matrix-bench.sh [options]
#
#   --suite-dir DIR   the checkout's build, for kernels without a build of
#                     their own (default: the repository top)
#   --out DIR         results (default: bench-matrix): matrix/ (vm/matrix.sh's),
#                     fixed/ (one boot per scheduler), table.txt
#   --kernel SPEC     repeatable (default: $BENCH_MATRIX_KERNELS, else
#                     trixie-backports sid trixie)
#   --sched NAME      only this tree scheduler, repeatable (default:
#                     $BENCH_MATRIX_SCHEDS, else all of each kernel's tree)
#   --wait S          the baseline's fixed wait (default: $BENCH_MATRIX_WAIT, else
#                     10); it must exceed the slowest load, or the baseline
#                     judges that scheduler wrongly
#   --hold MS         the hold, both sides (default: $BENCH_MATRIX_HOLD, else 2000)
#   --mem MB          guest memory, both sides (default: $BENCH_MATRIX_MEM, else 1024)
#   --accel A         both sides (default: $BENCH_MATRIX_ACCEL, else tcg)
#   --build-dir DIR   per-kernel suite builds (default: $BENCH_MATRIX_BUILD,
#                     else OUT/build; kept between runs)
#   --smoke           CI size: the trixie-backports kernel (its image, with
#                     the checkout's build) and trixie, scx_simple only;
#                     fails only on a broken run, never on a number
#   --doc FILE        write the table, with the machine and the date, as the
#                     "bench-matrix" section of FILE
#   --readme FILE     and a one-line summary as its "bench-matrix-summary"
#   -h, --help
#
# The per-kernel builds (vm/matrix.sh --list) come first and are not
# timed.  Exit status: 0, 1 for a broken run (a kernel that did not run, a
# missing result, a baseline boot without its result line), 2 usage.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)

suite_dir=$top
out=bench-matrix
kernels=()
scheds=()
wait_s=${BENCH_MATRIX_WAIT:-10}
hold_ms=${BENCH_MATRIX_HOLD:-2000}
mem=${BENCH_MATRIX_MEM:-1024}
accel=${BENCH_MATRIX_ACCEL:-tcg}
build=${BENCH_MATRIX_BUILD:-}
smoke=0
doc=
readme=

usage() {
	sed -n '4,/^$/{/^$/d;s/^# \{0,1\}//;p}' "$0"
}

say() { echo "bench-matrix: $*" >&2; }

# Seconds from EPOCHREALTIME $1 to $2.
elapsed() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'
}

fail() {
	local rc=$1

	shift
	say "$*"
	exit "$rc"
}

while [ $# -gt 0 ]; do
	case "$1" in
	--suite-dir)	suite_dir=${2:?}; shift ;;
	--out)		out=${2:?}; shift ;;
	--kernel)	kernels+=("${2:?}"); shift ;;
	--sched)	scheds+=("${2:?}"); shift ;;
	--wait)		wait_s=${2:?}; shift ;;
	--hold)		hold_ms=${2:?}; shift ;;
	--mem)		mem=${2:?}; shift ;;
	--accel)	accel=${2:?}; shift ;;
	--build-dir)	build=${2:?}; shift ;;
	--smoke)	smoke=1 ;;
	--doc)		doc=${2:?}; shift ;;
	--readme)	readme=${2:?}; shift ;;
	-h|--help)	usage; exit 0 ;;
	*)		fail 2 "unknown option '$1' (see --help)" ;;
	esac
	shift
done
for v in wait_s hold_ms mem; do
	if ! [[ ${!v} =~ ^[1-9][0-9]*$ ]]; then
		fail 2 "$v '${!v}' is not a positive number"
	fi
done
if [ "$smoke" = 1 ]; then
	image=$("$top/vm/kernel.sh" trixie-backports | sed -n 's/^image=//p') ||
		fail 1 "cannot resolve the trixie-backports kernel"
	[ ${#kernels[@]} -gt 0 ] || kernels=("$image" trixie)
	[ ${#scheds[@]} -gt 0 ] || scheds=(scx_simple)
fi
# shellcheck disable=SC2206 # lists of words
[ ${#kernels[@]} -gt 0 ] || kernels=(${BENCH_MATRIX_KERNELS:-trixie-backports sid trixie})
# shellcheck disable=SC2206
[ ${#scheds[@]} -gt 0 ] || scheds=(${BENCH_MATRIX_SCHEDS:-})

suite_dir=$(realpath -- "$suite_dir")
mkdir -p "$out"
out=$(realpath -- "$out")
build=$(realpath -m -- "${build:-$out/build}")
rm -rf "$out/matrix/run" "$out/fixed"
mkdir -p "$out/fixed"
kargs=()
for k in "${kernels[@]}"; do
	kargs+=(--kernel "$k")
done
date=$(date -u '+%Y-%m-%d %H:%M UTC')
machine_before=$("$here/doc.sh" machine)

# ------------------------------------------------------ builds (not timed)

say "planning and building the suites (not timed)"
"$top/vm/matrix.sh" --list --out "$out/matrix" --build-dir "$build" --suite-dir "$suite_dir" \
	"${kargs[@]}" > "$out/plan.txt" || fail 1 "vm/matrix.sh could not plan the run"

# The suite a kernel runs: its own build, or the checkout's.
suite_of() {
	if [ -f "$build/$1/scx_tree.list" ]; then
		echo "$build/$1"
	else
		echo "$suite_dir"
	fi
}

# The tree's schedulers of a suite ("PROG OPS" lines), --sched applied.
tree_of() {
	local prog ops s

	while read -r prog ops; do
		if [ ${#scheds[@]} = 0 ]; then
			echo "$prog $ops"
			continue
		fi
		for s in "${scheds[@]}"; do
			[ "$s" != "$prog" ] || echo "$prog $ops"
		done
	done < "$1/scx_tree.list"
}

mapfile -t ids < <(cut -f1 "$out/matrix/run/kernels.tsv")
names=()
for id in "${ids[@]}"; do
	s=$(suite_of "$id")
	[ -f "$s/scx_tree.list" ] || fail 1 "$s/scx_tree.list is missing: is the suite built?"
	while read -r prog _; do
		[[ " ${names[*]} " == *" $prog "* ]] || names+=("$prog")
	done < <(tree_of "$s")
done
[ ${#names[@]} -gt 0 ] || fail 2 "no tree scheduler selected (--sched ${scheds[*]})"
only=()
for n in "${names[@]}"; do
	only+=(--only "$n")
done
list=$(IFS=,; echo "${names[*]}")

# ------------------------------------------------------- the matrix, timed

say "the matrix: ${#ids[@]} kernels, ${#names[@]} schedulers, one boot per kernel"
t0=$EPOCHREALTIME
rc=0
"$top/vm/matrix.sh" --out "$out/matrix" --build-dir "$build" --suite-dir "$suite_dir" \
	"${kargs[@]}" "${only[@]}" --accel "$accel" --mem "$mem" \
	-- --only "$list" --hold "$hold_ms" > "$out/matrix.log" 2>&1 || rc=$?
t1=$EPOCHREALTIME
[ "$rc" -le 1 ] || { cat "$out/matrix.log" >&2; fail 1 "vm/matrix.sh failed (exit status $rc)"; }
matrix_s=$(elapsed "$t0" "$t1")
say "the matrix took ${matrix_s}s"

# -------------------------------------------- one boot per scheduler, timed

: > "$out/fixed.tsv"
hold_s=$(printf '%d.%03d' $((hold_ms / 1000)) $((hold_ms % 1000)))
while IFS=$'\t' read -r id spec; do
	s=$(suite_of "$id")
	sx=$(sed -n 's/^sched_ext=//p' "$out/matrix/run/$id.meta")
	# Without sched_ext the job still boots for each scheduler it runs.
	[ "$sx" != n ] || s=$(suite_of "${ids[0]}")
	while read -r prog ops; do
		log=$out/fixed/$id.$prog
		say "$id: $prog in a boot of its own, judged after ${wait_s}s"
		t0=$EPOCHREALTIME
		rc=0
		"$top/vm/run-vm.sh" --kernel "$spec" --suite-dir "$s" --add "$here/fixed-wait.sh" \
			--accel "$accel" --mem "$mem" --timeout 600 \
			--cmd "./fixed-wait.sh $prog $ops $wait_s $hold_s" \
			> "$log.out" 2> "$log.err" || rc=$?
		t1=$EPOCHREALTIME
		line=$(grep -m1 '^fixed-wait: ' "$log.out" || true)
		if [ "$rc" != 0 ] || [ -z "$line" ]; then
			tail -n 5 "$log.err" >&2
			fail 1 "$id: the boot for $prog failed (exit status $rc)"
		fi
		boot=$(sed -n 's/^vm: booted in \([0-9.]*\)s$/\1/p' "$log.err")
		printf '%s\t%s\t%s\t%s\t%s\n' "$id" "$prog" "$(elapsed "$t0" "$t1")" \
			"${boot:-}" "${line#fixed-wait: }" >> "$out/fixed.tsv"
	done < <(tree_of "$s")
done < "$out/matrix/run/kernels.tsv"

# ------------------------------------------------------------------ table

args=(--matrix "$out/matrix" --fixed "$out/fixed.tsv" --matrix-seconds "$matrix_s"
      --hold-ms "$hold_ms" --wait "$wait_s" --mem "$mem")
python3 "$here/matrix-table.py" "${args[@]}" > "$out/table.txt" || fail 1 "no table (see above)"
cat "$out/table.txt"
python3 "$here/matrix-table.py" "${args[@]}" --check || fail 1 "broken run (see the table)"
if [ "$smoke" = 1 ]; then
	say "smoke run: checks that the benchmark runs; its numbers mean nothing"
elif [ -n "$doc" ]; then
	{
		echo
		echo "Measured $date by \`make bench-matrix\` under qemu $accel, ${mem} MiB guests."
		echo "Before: $machine_before."
		echo "After: $("$here/doc.sh" machine)."
		echo
		sed 's/^/    /; s/^    $//' "$out/table.txt"
		echo
	} | "$here/doc.sh" write bench-matrix "$doc"
	say "table written to $doc"
	# The README's one line: what ran, the whole command's time and ratios.
	if [ -n "$readme" ]; then
		awk -v date="$date" '
			NR == 1 { sub(/^.*benchmark: /, ""); sub(/, hold.*/, ""); what = $0 }
			/^all:/ { printf "Measured %s: %s in %s s, %sx its lower bound, %sx faster than a boot per scheduler at the same hold (docs/benchmark.md).\n", date, what, $(NF-4), $(NF-3), $NF }
		' "$out/table.txt" | fmt -w 76 |
			DOC_BY=bench-matrix "$here/doc.sh" write bench-matrix-summary "$readme"
		say "summary written to $readme"
	fi
fi
