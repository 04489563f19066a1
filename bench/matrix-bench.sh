#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Time the scheduler x kernel matrix (vm/matrix.sh, one boot per kernel)
# against its lower bound and against a baseline done the way CI jobs do
# it: a fresh boot per scheduler and a fixed wait before judging it
# (bench/fixed-wait.sh), at the same hold, in one run.  Prints the table.
# Then the shapes part: the same schedulers on one kernel over machine
# shapes (a column each), the matrix with --jobs 1 and with --jobs 2, the
# same baseline, and the biggest shape's boot against the 2-CPU one.
#
#   bench/matrix-bench.sh [options]
#
#   --suite-dir DIR   the checkout's build, for kernels without a build of
#                     their own (default: the repository top)
#   --out DIR         results (default: bench-matrix): matrix/ (vm/matrix.sh's),
#                     fixed/ (one boot per scheduler), table.txt
#   --kernel SPEC     repeatable (default: $BENCH_MATRIX_KERNELS, else
#                     trixie-backports sid trixie)
#   --part P          kernels, shapes or both (default: $BENCH_MATRIX_PART,
#                     else both)
#   --shape SPEC      the shapes part's shapes, repeatable (default:
#                     $BENCH_MATRIX_SHAPES, else vm/matrix.sh --gauntlet's)
#   --shape-kernel K  the shapes part's kernel (default: $BENCH_MATRIX_SHAPE_KERNEL,
#                     else trixie-backports)
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
#                     "bench-matrix" section of FILE (the shapes part's:
#                     "bench-matrix-shapes")
#   --readme FILE     and a summary as its "bench-matrix-summary"
#                     ("bench-matrix-shapes-summary")
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
part=${BENCH_MATRIX_PART:-both}
shapes=()
shape_kernel=${BENCH_MATRIX_SHAPE_KERNEL:-trixie-backports}

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
	--part)		part=${2:?}; shift ;;
	--shape)	shapes+=("${2:?}"); shift ;;
	--shape-kernel)	shape_kernel=${2:?}; shift ;;
	--doc)		doc=${2:?}; shift ;;
	--readme)	readme=${2:?}; shift ;;
	-h|--help)	usage; exit 0 ;;
	*)		fail 2 "unknown option '$1' (see --help)" ;;
	esac
	shift
done
case "$part" in
kernels|shapes|both) ;;
*) fail 2 "--part '$part': want kernels, shapes or both" ;;
esac
# shellcheck disable=SC2206 # a list of words
[ ${#shapes[@]} -gt 0 ] || shapes=(${BENCH_MATRIX_SHAPES:-})
if [ ${#shapes[@]} = 0 ]; then
	mapfile -t shapes < <(sed -n 's/^GAUNTLET_SHAPES=(\(.*\))$/\1/p' "$top/vm/matrix.sh" | tr ' ' '\n')
fi
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
	part=kernels
fi
# shellcheck disable=SC2206 # lists of words
[ ${#kernels[@]} -gt 0 ] || kernels=(${BENCH_MATRIX_KERNELS:-trixie-backports sid trixie})
# shellcheck disable=SC2206
[ ${#scheds[@]} -gt 0 ] || scheds=(${BENCH_MATRIX_SCHEDS:-})

suite_dir=$(realpath -- "$suite_dir")
mkdir -p "$out"
out=$(realpath -- "$out")
build=$(realpath -m -- "${build:-$out/build}")
date=$(date -u '+%Y-%m-%d %H:%M UTC')
machine_before=$("$here/doc.sh" machine)

# The suite a column runs: its kernel's own build, or the checkout's.
suite_of() {
	if [ -f "$build/${1%%@*}/scx_tree.list" ]; then
		echo "$build/${1%%@*}"
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

# plan DIR MATRIX_ARGS...: plan and build (not timed) into DIR/matrix;
# sets ids (the columns), names (the schedulers), only and list.
plan() {
	local d=$1 id s prog

	shift
	say "planning and building the suites (not timed)"
	"$top/vm/matrix.sh" --list --out "$d/matrix" --build-dir "$build" --suite-dir "$suite_dir" \
		"$@" > "$d/plan.txt" || fail 1 "vm/matrix.sh could not plan the run"
	mapfile -t ids < <(cut -f1 "$d/matrix/run/kernels.tsv")
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
	for s in "${names[@]}"; do
		only+=(--only "$s")
	done
	list=$(IFS=,; echo "${names[*]}")
}

# timed_matrix OUT LOG MATRIX_ARGS...: one timed vm/matrix.sh run; sets
# matrix_s.
timed_matrix() {
	local d=$1 log=$2 t0 t1 rc=0

	shift 2
	t0=$EPOCHREALTIME
	"$top/vm/matrix.sh" --out "$d" --build-dir "$build" --suite-dir "$suite_dir" \
		"$@" "${only[@]}" --accel "$accel" "${mem_opts[@]}" \
		-- --only "$list" --hold "$hold_ms" > "$log" 2>&1 || rc=$?
	t1=$EPOCHREALTIME
	[ "$rc" -le 1 ] || { cat "$log" >&2; fail 1 "vm/matrix.sh failed (exit status $rc)"; }
	matrix_s=$(elapsed "$t0" "$t1")
	say "the matrix took ${matrix_s}s"
}

# baseline DIR: one boot per scheduler and column (its shape too), timed,
# into DIR/fixed.tsv.
baseline() {
	local d=$1 id spec topo s sx prog ops log t0 t1 rc line boot shape_opts

	rm -rf "$d/fixed"
	mkdir -p "$d/fixed"
	: > "$d/fixed.tsv"
	hold_s=$(printf '%d.%03d' $((hold_ms / 1000)) $((hold_ms % 1000)))
	while IFS=$'\t' read -r id spec topo; do
		s=$(suite_of "$id")
		sx=$(sed -n 's/^sched_ext=//p' "$d/matrix/run/$id.meta")
		# Without sched_ext the job still boots for each scheduler it runs.
		[ "$sx" != n ] || s=$(suite_of "${ids[0]}")
		shape_opts=()
		[ -z "$topo" ] || shape_opts=(--topology "$topo")
		while read -r prog ops; do
			log=$d/fixed/$id.$prog
			say "$id: $prog in a boot of its own, judged after ${wait_s}s"
			t0=$EPOCHREALTIME
			rc=0
			"$top/vm/run-vm.sh" --kernel "$spec" --suite-dir "$s" --add "$here/fixed-wait.sh" \
				--accel "$accel" "${mem_opts[@]}" --timeout 900 "${shape_opts[@]}" \
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
				"${boot:-}" "${line#fixed-wait: }" >> "$d/fixed.tsv"
		done < <(tree_of "$s")
	done < "$d/matrix/run/kernels.tsv"
}

# write_doc NAME TABLE MEMORY: the table as NAME's section of --doc.
write_doc() {
	{
		echo
		echo "Measured $date by \`make bench-matrix\` under qemu $accel, $3."
		echo "Before: $machine_before."
		echo "After: $("$here/doc.sh" machine)."
		echo
		sed 's/^/    /; s/^    $//' "$2"
		echo
	} | DOC_BY=bench-matrix "$here/doc.sh" write "$1" "$doc"
	say "table written to $doc"
}

# ------------------------------------------------------------ the kernels

kernels_part() {
	local d=$out k args

	mem_opts=(--mem "$mem")
	rm -rf "$d/matrix/run"
	kargs=()
	for k in "${kernels[@]}"; do
		kargs+=(--kernel "$k")
	done
	plan "$d" "${kargs[@]}"
	say "the matrix: ${#ids[@]} kernels, ${#names[@]} schedulers, one boot per kernel"
	timed_matrix "$d/matrix" "$d/matrix.log" "${kargs[@]}"
	baseline "$d"
	args=(--matrix "$d/matrix" --fixed "$d/fixed.tsv" --matrix-seconds "$matrix_s"
	      --hold-ms "$hold_ms" --wait "$wait_s" --mem "$mem")
	python3 "$here/matrix-table.py" "${args[@]}" > "$d/table.txt" || fail 1 "no table (see above)"
	cat "$d/table.txt"
	python3 "$here/matrix-table.py" "${args[@]}" --check || fail 1 "broken run (see the table)"
	[ "$smoke" = 0 ] && [ -n "$doc" ] || return 0
	write_doc bench-matrix "$d/table.txt" "${mem} MiB guests"
	# The README's one line: what ran, the whole command's time and ratios.
	[ -n "$readme" ] || return 0
	awk -v date="$date" '
		NR == 1 { sub(/^.*benchmark: /, ""); sub(/, hold.*/, ""); what = $0 }
		/^all:/ { printf "Measured %s: %s in %s s, %sx its lower bound, %sx faster than a boot per scheduler at the same hold (docs/benchmark.md).\n", date, what, $(NF-4), $(NF-3), $NF }
	' "$d/table.txt" | fmt -w 76 |
		DOC_BY=bench-matrix "$here/doc.sh" write bench-matrix-summary "$readme"
	say "summary written to $readme"
}

# ------------------------------------------------------------- the shapes

# The tree's schedulers on one kernel, its default machine and each shape a
# column: --jobs 1, then --jobs 2, then a boot per scheduler and column.
shapes_part() {
	local d=$out/shapes sargs=(--kernel "$shape_kernel") s j1_s args

	# Each shape its own memory (run-vm.sh: 64 MB a CPU, at least 1024).
	mem_opts=()
	rm -rf "$d/matrix" "$d/matrix-j2"
	mkdir -p "$d"
	for s in "${shapes[@]}"; do
		sargs+=(--topology "$s")
	done
	plan "$d" "${sargs[@]}"
	say "the shapes: ${#ids[@]} columns of $shape_kernel, ${#names[@]} schedulers, --jobs 1"
	timed_matrix "$d/matrix" "$d/matrix.log" "${sargs[@]}" --jobs 1
	j1_s=$matrix_s
	say "the shapes again with --jobs 2"
	timed_matrix "$d/matrix-j2" "$d/matrix-j2.log" "${sargs[@]}" --jobs 2
	baseline "$d"
	args=(--matrix "$d/matrix" --fixed "$d/fixed.tsv" --matrix-seconds "$j1_s"
	      --hold-ms "$hold_ms" --wait "$wait_s" --mem 0
	      --parallel "$d/matrix-j2" --parallel-seconds "$matrix_s" --parallel-jobs 2)
	python3 "$here/matrix-table.py" "${args[@]}" > "$d/table.txt" || fail 1 "no table (see above)"
	cat "$d/table.txt"
	python3 "$here/matrix-table.py" "${args[@]}" --check || fail 1 "broken run (see the table)"
	[ -n "$doc" ] || return 0
	write_doc bench-matrix-shapes "$d/table.txt" "each shape's own memory (64 MiB a CPU, at least 1024)"
	[ -n "$readme" ] || return 0
	# The README's lines: what ran, under which load, how many targets met.
	awk -v date="$date" -v load="$(sed -n 's/.*load average \([0-9.]*\) .*/\1/p' <<< "$machine_before")" '
		NR == 1 { sub(/^.*shapes: /, ""); sub(/, hold.*/, ""); what = $0 }
		/^  MET / { met++ }
		/^  (MET|MISSED) / { all++ }
		END { printf "Shapes, measured %s at load average %s: %s; %d of %d targets met (docs/benchmark.md).\n", date, load, what, met, all }
	' "$d/table.txt" | fmt -w 76 |
		DOC_BY=bench-matrix "$here/doc.sh" write bench-matrix-shapes-summary "$readme"
	say "summary written to $readme"
}

[ "$part" = shapes ] || kernels_part
if [ "$part" != kernels ]; then
	[ "$part" = shapes ] || echo
	shapes_part
fi
if [ "$smoke" = 1 ]; then
	say "smoke run: checks that the benchmark runs; its numbers mean nothing"
fi
