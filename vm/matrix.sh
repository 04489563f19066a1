#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The scheduler x kernel matrix: the whole suite, plus a manifest's
# schedulers, on each kernel, one boot per kernel, then one table.
#
#   matrix.sh [options] [-- RUN_TESTS_ARGS...]
#   matrix.sh merge [--out DIR] SHARD.json...
#
#   --kernel SPEC      a kernel as run-vm.sh takes it: Debian suite
#                      (trixie-backports, sid, trixie), a .deb or a vmlinuz
#                      (repeatable; default: trixie-backports sid trixie)
#   --manifest FILE    schedulers to run on every kernel (run_tests.sh
#                      --manifest format); FILE and its bin= files go into
#                      the guest, relative paths keeping their place
#   --shard I/N        run only shard I of N of the (kernel, scheduler) pairs;
#                      `merge` joins the shards' JSON into the full table
#   --out DIR          results (default: matrix-results): matrix.txt,
#                      matrix.md, matrix.json (matrix-I-of-N.json for a shard),
#                      and per kernel ID.tap (KTAP), ID.err (runner), ID.meta
#   --build-dir DIR    per-kernel suite builds (default: OUT/build)
#   --suite-dir DIR    the build for kernels without a tree of their own (a
#                      .deb, a vmlinuz, a kernel without sched_ext; default:
#                      the repository top)
#   --only GLOB        only schedulers whose name (scx.NAME.verdict) matches
#                      GLOB (repeatable), e.g. --only 'my_*' for a manifest's
#   --list             print the plan and this shard's pairs; boot nothing
#   --cpus N, --mem MB, --accel A, --timeout SEC   passed to run-vm.sh
#   -h, --help
#
# A Debian-suite kernel with sched_ext gets the suite built from its own
# linux-source (its tools/sched_ext schedulers, the harness of its tree)
# against its own vmlinux.  A kernel whose config lacks
# CONFIG_SCHED_CLASS_EXT needs no build: one boot shows the SKIP.
# Exit status: 0 when no cell failed; 1 when one did (not ok, XPASS, a
# missing result, a kernel that did not run); 2 usage.

set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=vm/common.sh
. "$here/common.sh"
report=$top/tools/matrix-report.py
guest_manifest_dir=/opt/scx_manifest

kernels=()
# The variable names the host's manifest here; the guest gets its own path.
manifest=${SCX_ATTACH_MANIFEST:-}
unset SCX_ATTACH_MANIFEST
shard=1/1
out=matrix-results
build_dir=
suite_dir=$top
list_only=0
only=()
vm_opts=()
suite_args=()

usage() {
	sed -n '4,/^$/{/^$/d;s/^# \{0,1\}//;p}' "$0"
}

need_arg() {
	[ $# -ge 2 ] || die $E_USAGE "$1 needs an argument (see --help)"
}

if [ "${1:-}" = merge ]; then
	shift
	out=.
	if [ "${1:-}" = --out ]; then
		need_arg "$@"
		out=$2
		shift 2
	fi
	[ $# -gt 0 ] || die $E_USAGE "merge: no shard JSON files given"
	mkdir -p "$out"
	exec python3 "$report" report --json "$out/matrix.json" --markdown "$out/matrix.md" \
		--text "$out/matrix.txt" "$@"
fi

while [ $# -gt 0 ]; do
	case "$1" in
	--kernel)	need_arg "$@"; kernels+=("$2"); shift ;;
	--manifest)	need_arg "$@"; manifest=$2; shift ;;
	--shard)	need_arg "$@"; shard=$2; shift ;;
	--out)		need_arg "$@"; out=$2; shift ;;
	--build-dir)	need_arg "$@"; build_dir=$2; shift ;;
	--suite-dir)	need_arg "$@"; suite_dir=$2; shift ;;
	--only)		need_arg "$@"; only+=("$2"); shift ;;
	--list)		list_only=1 ;;
	--cpus|--mem|--accel|--timeout)
			need_arg "$@"; vm_opts+=("$1" "$2"); shift ;;
	-h|--help)	usage; exit 0 ;;
	--)		shift; suite_args=("$@"); break ;;
	*)		die $E_USAGE "unknown option '$1' (see --help)" ;;
	esac
	shift
done

[ ${#kernels[@]} -gt 0 ] || kernels=(trixie-backports sid trixie)
if ! [[ $shard =~ ^([0-9]+)/([0-9]+)$ ]] || [ "${BASH_REMATCH[1]}" -lt 1 ] ||
   [ "${BASH_REMATCH[1]}" -gt "${BASH_REMATCH[2]}" ]; then
	die $E_USAGE "--shard '$shard': want I/N with 1 <= I <= N"
fi
if [ -n "$manifest" ]; then
	[ -f "$manifest" ] || die $E_USAGE "--manifest $manifest: no such file"
	manifest=$(realpath -- "$manifest")
fi
suite_dir=$(realpath -- "$suite_dir")
[ -x "$suite_dir/scx_attach_test" ] || die $E_SETUP "$suite_dir/scx_attach_test is not built: run make"
mkdir -p "$out"
out=$(realpath -- "$out")
build_dir=$(realpath -m -- "${build_dir:-$out/build}")
run=$out/run
rm -rf "$run"
mkdir -p "$run"

# A file name for a kernel spec.
kernel_id() {
	local id

	id=$(basename -- "$1")
	[ -f "$1" ] || id=$1
	id=${id%.deb}
	echo "${id//[^A-Za-z0-9._+-]/-}"
}

is_suite_spec() {
	[ ! -f "$1" ] && [[ $1 =~ ^[a-z0-9-]+(/[a-z0-9.+-]+)?$ ]]
}

# meta ID KEY VALUE: one line of what we know about a kernel.
meta() {
	printf '%s=%s\n' "$2" "$3" >> "$run/$1.meta"
}

# A kernel's own suite build: its linux-source and its vmlinux.
build_for() {
	local id=$1 spec=$2 suite tree dir b t0=$SECONDS rc=0

	suite=${spec%%/*}
	dir=$build_dir/$id
	mkdir -p "$dir"
	msg "$id: fetching linux-source of $suite"
	tree=$("$top/tools/deb-fetch.sh" source "$suite") || return 1
	meta "$id" tree "$(basename "$tree")"
	"$here/kernel.sh" --vmlinux "$dir/vmlinux" "$spec" || return 1
	# The same tree and kernel as --suite-dir's build (fixtures/build.mk
	# records them): that build serves.
	b=$suite_dir/fixtures-build
	if [ -f "$b/inputs" ] &&
	   [ "$(realpath -m "$(sed -n 's/^ksrc=//p' "$b/inputs")")" = "$(realpath "$tree")" ] &&
	   cmp -s "$(sed -n 's/^vmlinux=//p' "$b/inputs")" "$dir/vmlinux"; then
		msg "$id: $(basename "$tree") and this kernel are what $suite_dir was built with: using it"
		meta "$id" build_s 0
		echo "$suite_dir"
		return 0
	fi
	msg "$id: building the suite with $(basename "$tree") (log: $dir/build.log)"
	make -C "$top" -j"$(nproc)" OUTPUT="$dir" KSRC="$tree" VMLINUX_BTF="$dir/vmlinux" \
		>"$dir/build.log" 2>&1 || rc=$?
	meta "$id" build_s "$((SECONDS - t0))"
	if [ "$rc" != 0 ]; then
		tail -n 20 "$dir/build.log" >&2
		return 1
	fi
	echo "$dir"
}

# with_manifest PATH CMD...: CMD with SCX_ATTACH_MANIFEST=PATH, or unset.
with_manifest() {
	local m=$1

	shift
	if [ -n "$m" ]; then
		SCX_ATTACH_MANIFEST=$m "$@"
	else
		"$@"
	fi
}

# The tests a build runs, from its own listing; "*" if it cannot list.
list_tests() {
	local suite=$1 names

	# The harness exits 4 (SKIP) after listing.
	names=$({ with_manifest "$manifest" "$suite/scx_attach_test" -l 2>&1 >/dev/null || true; } |
		python3 "$report" tests) || names=
	[ "$no_user" = 0 ] || names=$(grep -vx scx.user.verdict <<< "$names")
	[ -n "$names" ] || names='*'
	echo "$names"
}

# Keep the tests whose scheduler name matches an --only glob, if any.
only_filter() {
	local t s p

	if [ ${#only[@]} = 0 ]; then
		cat
		return
	fi
	while IFS= read -r t; do
		s=${t#scx.}
		s=${s%.verdict}
		for p in "${only[@]}"; do
			# shellcheck disable=SC2053 # a glob on purpose
			if [ "$t" = '*' ] || [[ $s == $p ]]; then
				echo "$t"
				break
			fi
		done
	done
}

# Without --sched the "user" test has nothing to run: leave it out (a
# whole-kernel run gets SCX_ATTACH_ONLY; a shard names its tests anyway).
no_user=0
if ! printf '%s\n' "${suite_args[@]}" | grep -qx -- --sched; then
	no_user=1
fi

# --------------------------------------------------------------- plan

declare -A suite_of
: > "$run/plan.tsv"
: > "$run/kernels.tsv"
for spec in "${kernels[@]}"; do
	id=$(kernel_id "$spec")
	[ ! -e "$run/$id.meta" ] || die $E_USAGE "kernel '$spec' given twice"
	printf '%s\t%s\n' "$id" "$spec" >> "$run/kernels.tsv"
	: > "$run/$id.meta"
	if ! info=$("$here/kernel.sh" "$spec"); then
		meta "$id" error "cannot resolve kernel '$spec'"
		printf '%s\t*\n' "$id" >> "$run/plan.tsv"
		continue
	fi
	release=$(sed -n 's/^release=//p' <<< "$info")
	sx=$(sed -n 's/^sched_ext=//p' <<< "$info")
	meta "$id" release "$release"
	meta "$id" sched_ext "$sx"
	suite=$suite_dir
	if [ "$sx" = y ] && is_suite_spec "$spec"; then
		suite=$(build_for "$id" "$spec") || {
			meta "$id" error "suite build for this kernel failed (see $build_dir/$id/build.log)"
			suite=
		}
	fi
	suite_of[$id]=$suite
	# One boot shows the SKIP of every test.
	if [ "$sx" = n ] || [ -z "$suite" ]; then
		printf '%s\t*\n' "$id" >> "$run/plan.tsv"
	else
		list_tests "$suite" | only_filter | sed "s/^/$id\t/" >> "$run/plan.tsv"
	fi
done
python3 "$report" select "$run/plan.tsv" "$shard" > "$run/mine.tsv"

if [ "$list_only" = 1 ]; then
	echo "# plan: $(wc -l < "$run/plan.tsv") pairs; shard $shard: $(wc -l < "$run/mine.tsv")"
	cat "$run/mine.tsv"
	exit 0
fi

# --------------------------------------------------------------- runs

puts=()
if [ -n "$manifest" ]; then
	while IFS= read -r p; do
		puts+=(--put "$p")
	done < <(python3 "$report" stage "$manifest" "$guest_manifest_dir")
	guest_manifest=${puts[1]#*=}
fi

while IFS=$'\t' read -r id spec; do
	mine=$(awk -F'\t' -v k="$id" '$1 == k { print $2 }' "$run/mine.tsv")
	[ -n "$mine" ] || continue
	if grep -q '^error=' "$run/$id.meta"; then
		msg "$id: not booted: $(sed -n 's/^error=//p' "$run/$id.meta")"
		continue
	fi
	suite=${suite_of[$id]}
	args=("${suite_args[@]}")
	# Only some of the kernel's tests in this shard: name them.  A suite
	# that cannot list its tests gets --only as variant names.
	sx=$(sed -n 's/^sched_ext=//p' "$run/$id.meta")
	if [ "$mine" = '*' ] && [ ${#only[@]} -gt 0 ] && [ "$sx" != n ]; then
		printf '%s\n' "${args[@]}" | grep -qx -- -- || args+=(--)
		for p in "${only[@]}"; do
			args+=(-v "$p")
		done
	elif [ "$mine" != "$(awk -F'\t' -v k="$id" '$1 == k { print $2 }' "$run/plan.tsv")" ]; then
		printf '%s\n' "${args[@]}" | grep -qx -- -- || args+=(--)
		while IFS= read -r t; do
			args+=(-r "$t")
		done <<< "$mine"
	fi
	adds=()
	for f in run_tests.sh settings config; do
		[ -e "$suite/$f" ] || adds+=(--add "$top/$f")
	done
	if [ "$mine" = '*' ]; then
		msg "$id: booting $spec for all its tests"
	else
		msg "$id: booting $spec for $(wc -l <<< "$mine") of its tests"
	fi
	t0=$SECONDS
	rc=0
	only_env=(-u SCX_ATTACH_ONLY)
	if [ "$no_user" = 1 ] && ! printf '%s\n' "${args[@]}" | grep -qx -e -r -e -v; then
		only_env=('SCX_ATTACH_ONLY=fixtures,tree,manifest')
	fi
	with_manifest "${guest_manifest:-}" env "${only_env[@]}" \
		"$here/run-vm.sh" --kernel "$spec" --suite-dir "$suite" "${adds[@]}" "${puts[@]}" \
		"${vm_opts[@]}" -- "${args[@]}" >"$run/$id.tap" 2>"$run/$id.err" || rc=$?
	meta "$id" run_s "$((SECONDS - t0))"
	meta "$id" exit "$rc"
	boot=$(sed -n 's/^vm: booted in \([0-9.]*\)s$/\1/p' "$run/$id.err")
	[ -z "$boot" ] || meta "$id" boot_s "$boot"
	case "$rc" in
	0|1|4) ;;
	*)
		why=$(grep '^vm: ' "$run/$id.err" | grep -v -e '^vm: accel=' -e '^vm: booted' \
			-e '^vm: kernel ' -e '^vm: run took' -e '^vm: |' | head -n1)
		meta "$id" error "${why#vm: }${why:+; }exit status $rc"
		;;
	esac
	msg "$id: exit $rc after $((SECONDS - t0))s"
	cp "$run/$id.tap" "$run/$id.err" "$out/"
done < "$run/kernels.tsv"

# ------------------------------------------------------------- report

if [ "$shard" = 1/1 ]; then
	json=$out/matrix.json
	partial=()
else
	json=$out/matrix-${shard%/*}-of-${shard#*/}.json
	partial=(--partial)
fi
python3 "$report" collect "$run" "$shard" "$json"
cp "$run"/*.meta "$out/"
python3 "$report" report "${partial[@]}" --markdown "$out/matrix.md" --text "$out/matrix.txt" "$json"
