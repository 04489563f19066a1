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
#   --topology [KERNEL=]SPEC  also boot each kernel (or only KERNEL, as given
#                      to --kernel) as this machine shape: NnLlCcTt or a
#                      vm/topology-presets name (repeatable); a column each,
#                      beside the kernel's default --cpus column
#   --jobs N           boot up to N guests at once (default: the host's CPU
#                      count); the tables and JSON are those of one at a time
#   --gauntlet         the tree's schedulers on trixie-backports over ktstr's
#                      shapes (docs/matrix.md); other options still apply
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
# shellcheck source=vm/topology.sh
. "$here/topology.sh"
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
cpus_opt=()
shapes=()
gauntlet=0
jobs=$(nproc)
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
	--topology)	need_arg "$@"; shapes+=("$2"); shift ;;
	--gauntlet)	gauntlet=1 ;;
	--jobs)		need_arg "$@"; jobs=$2; shift ;;
	--cpus)		need_arg "$@"; cpus_opt=("$1" "$2"); shift ;;
	--mem|--accel|--timeout)
			need_arg "$@"; vm_opts+=("$1" "$2"); shift ;;
	-h|--help)	usage; exit 0 ;;
	--)		shift; suite_args=("$@"); break ;;
	*)		die $E_USAGE "unknown option '$1' (see --help)" ;;
	esac
	shift
done

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

# ------------------------------------------------------ machine shapes

# The gauntlet: ktstr's shapes, one LLC to 64 CPUs, on 7.3 (docs/matrix.md).
GAUNTLET_SHAPES=(tiny-1llc tiny-2llc odd-3llc odd-5llc smt-2llc numa2-4llc numa4-8llc medium-8llc)

gauntlet_setup() {
	local s

	[ ${#kernels[@]} -gt 0 ] || kernels=(trixie-backports)
	for s in "${GAUNTLET_SHAPES[@]}"; do
		shapes+=("$s")
	done
	# The tree's schedulers, as its build lists them (scx_tree.list): the
	# fixtures are the harness's own tests.
	if [ ${#only[@]} = 0 ] && [ -r "$suite_dir/scx_tree.list" ]; then
		while read -r s _; do
			only+=("$s")
		done < "$suite_dir/scx_tree.list"
	fi
	[ ${#only[@]} -gt 0 ] || only=('scx_*')
}

# Every --topology is checked, against the kernels too, before anything is
# fetched, built or booted.
check_shapes() {
	local s k spec why mem=

	for ((i = 0; i < ${#vm_opts[@]}; i++)); do
		[ "${vm_opts[i]}" != --mem ] || mem=${vm_opts[i + 1]}
	done
	for s in "${shapes[@]}"; do
		spec=${s#*=}
		if [ "$spec" != "$s" ]; then
			k=${s%%=*}
			printf '%s\n' "${kernels[@]}" | grep -qxF -- "$k" ||
				die $E_USAGE "--topology $s: kernel '$k' is not one of --kernel (${kernels[*]})"
		fi
		why=$(topo_parse "$spec") || die $E_USAGE "$why"
		topo_parse "$spec" >/dev/null
		why=$(topo_mem_check "${mem:-$(topo_default_mem)}") || die $E_USAGE "$why"
	done
}

# shapes_of KERNEL_SPEC: the shapes to boot it as, one a line ("" first: the
# default --cpus machine).
shapes_of() {
	local s

	echo
	for s in "${shapes[@]}"; do
		if [ "${s#*=}" = "$s" ] || [ "${s%%=*}" = "$1" ]; then
			echo "${s#*=}"
		fi
	done
}

# A column's id: the kernel's, with @SHAPE for a shape's boot.
column_id() {
	if [ -z "$2" ]; then
		echo "$1"
	else
		topo_parse "$2" >/dev/null
		echo "$1@${topo_name:-$topo_spec}"
	fi
}

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
	# Without the user's test the guest runs SCX_ATTACH_ONLY=fixtures,tree,manifest
	# (below): neither the user's test nor the fixed sub-scheduler tests (a
	# manifest's children, parent=, are manifest tests).
	[ "$no_user" = 0 ] || names=$(grep -vx -e scx.user.verdict -e 'scx_sub\..*' <<< "$names")
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

[[ $jobs =~ ^[1-9][0-9]*$ ]] || die $E_USAGE "--jobs '$jobs': want a count of 1 or more"
[ "$gauntlet" = 0 ] || gauntlet_setup
[ ${#kernels[@]} -gt 0 ] || kernels=(trixie-backports sid trixie)
check_shapes

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
mkdir -p "$run/kernel"
# plan_kernel ID SPEC: what one kernel needs and which tests it runs, into
# kernel/ID.meta and kernel/ID.plan; suite_of[ID].
plan_kernel() {
	local id=$1 spec=$2 info release sx suite

	kmeta() {
		printf '%s=%s\n' "$1" "$2" >> "$run/kernel/$id.meta"
	}
	: > "$run/kernel/$id.meta"
	: > "$run/kernel/$id.plan"
	suite_of[$id]=
	if ! info=$("$here/kernel.sh" "$spec"); then
		kmeta error "cannot resolve kernel '$spec'"
		printf '*\n' >> "$run/kernel/$id.plan"
		return
	fi
	release=$(sed -n 's/^release=//p' <<< "$info")
	sx=$(sed -n 's/^sched_ext=//p' <<< "$info")
	kmeta release "$release"
	kmeta sched_ext "$sx"
	suite=$suite_dir
	if [ "$sx" = y ] && is_suite_spec "$spec"; then
		suite=$(build_for "$id" "$spec") || {
			kmeta error "suite build for this kernel failed (see $build_dir/$id/build.log)"
			suite=
		}
		# build_for's lines went to the column's meta file.
		cat "$run/$id.meta" >> "$run/kernel/$id.meta" 2>/dev/null || true
		rm -f "$run/$id.meta"
	fi
	suite_of[$id]=$suite
	# One boot shows the SKIP of every test.
	if [ "$sx" = n ] || [ -z "$suite" ]; then
		printf '*\n' >> "$run/kernel/$id.plan"
	else
		list_tests "$suite" | only_filter >> "$run/kernel/$id.plan"
	fi
}

for spec in "${kernels[@]}"; do
	id=$(kernel_id "$spec")
	[ ! -e "$run/kernel/$id.meta" ] || die $E_USAGE "kernel '$spec' given twice"
	plan_kernel "$id" "$spec"
	# A column per shape: the same kernel and build, booted as that machine.
	while IFS= read -r shape; do
		cid=$(column_id "$id" "$shape")
		[ ! -e "$run/$cid.meta" ] || die $E_USAGE "kernel '$spec' with --topology $shape given twice"
		cp "$run/kernel/$id.meta" "$run/$cid.meta"
		topo=
		if [ -n "$shape" ]; then
			topo_parse "$shape" >/dev/null
			topo=$topo_spec
			meta "$cid" topology "$topo_spec"
			meta "$cid" topology_name "$topo_name"
			meta "$cid" cpus "$topo_cpus"
		fi
		printf '%s\t%s\t%s\n' "$cid" "$spec" "$topo" >> "$run/kernels.tsv"
		suite_of[$cid]=${suite_of[$id]}
		sed "s/^/$cid\t/" "$run/kernel/$id.plan" >> "$run/plan.tsv"
	done < <(shapes_of "$spec")
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

# suite_adds SUITE: --add for the suite files a build dir lacks.
suite_adds() {
	local f

	for f in run_tests.sh settings config; do
		[ -e "$1/$f" ] || printf '%s\n' --add "$top/$f"
	done
}

# A kernel's columns share one image (the guest's suite part, run-vm.sh
# --prepare), built in the background while the column before boots.
declare -A prep_pid
start_prepare() {
	local kid=$1 spec=$2 adds

	[ -z "${prep_pid[$kid]:-}" ] || return 0
	prep_pid[$kid]=none
	awk -F'\t' -v k="$kid" '$1 == k || index($1, k "@") == 1 { f = 1 } END { exit !f }' \
		"$run/mine.tsv" || return 0
	! grep -q '^error=' "$run/kernel/$kid.meta" || return 0
	mapfile -t adds < <(suite_adds "${suite_of[$kid]}")
	"$here/run-vm.sh" --prepare "$run/kernel/$kid.img" --kernel "$spec" \
		--suite-dir "${suite_of[$kid]}" "${adds[@]}" "${puts[@]}" \
		> "$run/kernel/$kid.prep" 2>&1 &
	prep_pid[$kid]=$!
	msg "$kid: building its image in the background"
}

# image_of KID: img= the prepared image, once it is built; empty if it
# failed (each boot then builds its own, and says why if it cannot).  Not
# in a subshell: it waits for its own child.
image_of() {
	local pid=${prep_pid[$1]:-none} rc=0

	img=
	case "$pid" in
	none)	return 0 ;;
	done-0)	img=$run/kernel/$1.img; return 0 ;;
	done-*)	return 0 ;;
	esac
	wait "$pid" || rc=$?
	prep_pid[$1]=done-$rc
	if [ "$rc" = 0 ]; then
		msg "$1: $(sed -n 's/^vm: \(image built in [0-9.]*s\).*/\1/p' "$run/kernel/$1.prep")"
		img=$run/kernel/$1.img
	else
		msg "$1: no image, each boot builds its own: $(tail -n1 "$run/kernel/$1.prep")"
	fi
}

# run_column ID SPEC TOPOLOGY [IMAGE]: one boot, its results in RUN_DIR/ID.*.
run_column() {
	local id=$1 spec=$2 topo=$3 image=${4:-} mine suite sx p t rc t0 boot why
	local args adds shape_opts only_env

	mine=$(awk -F'\t' -v k="$id" '$1 == k { print $2 }' "$run/mine.tsv")
	[ -n "$mine" ] || return 0
	if grep -q '^error=' "$run/$id.meta"; then
		msg "$id: not booted: $(sed -n 's/^error=//p' "$run/$id.meta")"
		return 0
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
	elif [ "$mine" != '*' ] && { [ ${#only[@]} -gt 0 ] ||
	     [ "$mine" != "$(awk -F'\t' -v k="$id" '$1 == k { print $2 }' "$run/plan.tsv")" ]; }; then
		printf '%s\n' "${args[@]}" | grep -qx -- -- || args+=(--)
		while IFS= read -r t; do
			args+=(-r "$t")
		done <<< "$mine"
	fi
	mapfile -t adds < <(suite_adds "$suite")
	[ -z "$image" ] || adds+=(--image "$image")
	# A shape's column boots that machine; the others --cpus's.
	shape_opts=("${cpus_opt[@]}")
	[ -z "$topo" ] || shape_opts=(--topology "$topo")
	if [ "$mine" = '*' ]; then
		msg "$id: booting $spec${topo:+ as $topo} for all its tests"
	else
		msg "$id: booting $spec${topo:+ as $topo} for $(wc -l <<< "$mine") of its tests"
	fi
	t0=$SECONDS
	rc=0
	only_env=(-u SCX_ATTACH_ONLY)
	if [ "$no_user" = 1 ] && ! printf '%s\n' "${args[@]}" | grep -qx -e -r -e -v; then
		only_env=('SCX_ATTACH_ONLY=fixtures,tree,manifest')
	fi
	with_manifest "${guest_manifest:-}" env "${only_env[@]}" \
		"$here/run-vm.sh" --kernel "$spec" --suite-dir "$suite" "${adds[@]}" "${puts[@]}" \
		"${vm_opts[@]}" "${shape_opts[@]}" -- "${args[@]}" >"$run/$id.tap" 2>"$run/$id.err" || rc=$?
	meta "$id" run_s "$((SECONDS - t0))"
	meta "$id" exit "$rc"
	boot=$(sed -n 's/^vm: booted in \([0-9.]*\)s$/\1/p' "$run/$id.err")
	[ -z "$boot" ] || meta "$id" boot_s "$boot"
	case "$rc" in
	0|1|4) ;;
	*)
		why=$(grep '^vm: ' "$run/$id.err" | grep -v -e '^vm: accel=' -e '^vm: booted' \
			-e '^vm: kernel ' -e '^vm: run took' -e '^vm: |' -e '^vm: shape ok' \
			-e '^vm: initramfs ' -e '^vm: SCX_VM_TEST_' | head -n1)
		meta "$id" error "${why#vm: }${why:+; }exit status $rc"
		;;
	esac
	msg "$id: exit $rc after $((SECONDS - t0))s"
	cp "$run/$id.tap" "$run/$id.err" "$out/"
}

# Up to --jobs boots at once, each in its own files; the report reads them in
# the plan's order, so the tables do not depend on which boot ended first.
# The next kernel's image is built while this one's columns boot.
mapfile -t columns < "$run/kernels.tsv"
boots=()
for ((i = 0; i < ${#columns[@]}; i++)); do
	IFS=$'\t' read -r id spec topo <<< "${columns[i]}"
	start_prepare "${id%%@*}" "$spec"
	while [ ${#boots[@]} -ge "$jobs" ]; do
		done_pid=
		wait -n -p done_pid "${boots[@]}" || true
		for ((b = 0; b < ${#boots[@]}; b++)); do
			[ "${boots[b]}" != "$done_pid" ] || unset 'boots[b]'
		done
		boots=("${boots[@]}")
	done
	image_of "${id%%@*}"
	run_column "$id" "$spec" "$topo" "$img" &
	boots+=($!)
	if [ $((i + 1)) -lt ${#columns[@]} ]; then
		IFS=$'\t' read -r id spec topo <<< "${columns[i + 1]}"
		start_prepare "${id%%@*}" "$spec"
	fi
done
wait
rm -f "$run"/kernel/*.img "$run"/kernel/*.img.key

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
