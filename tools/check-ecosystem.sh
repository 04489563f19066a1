#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The suite in the kselftest ecosystem, every path for real:
#   - in-tree: tools/intree.sh into a scratch copy of Debian's 7.3 tree,
#     `make -C tools/testing/selftests TARGETS=scx_attach` with and without
#     O=, install (rsync), gen_tar; and in a second copy, with no vmlinux
#     with sched_ext at hand, the build that skips the fixtures;
#   - the sched_ext VM (vm/run-vm.sh --suite-tree): the installed
#     run_kselftest.sh, the unpacked gen_tar tarball, and runner.sh
#     enforcing a timeout from `settings`;
#   - virtme-ng (vng --run <Debian vmlinuz>, TCG): the README one-liner, and
#     the in-tree `make ... run_tests` (runner.sh applying `settings`);
#   - KTAP consumers: kunit.py parse and prove/TAP::Parser on those outputs;
#   - older harness headers: Debian's linux-source 6.1, 6.12 and 7.3;
#   - the config fragment: merge_config.sh onto x86_64_defconfig, then
#     olddefconfig; a fragment with a symbol that cannot be set must fail.
#
#   tools/check-ecosystem.sh [--keep]
#
# Prints KTAP through the tree's kselftest/ktap_helpers.sh and a last line
# "ecosystem: N passed, N failed"; exits 1 if any check failed.  --keep keeps the scratch directory.  SCX_ATTACH_ARTIFACTS=DIR
# keeps every output there.  SCX_ATTACH_KSRC=<tree> picks the sched_ext-era
# Linux tree (default: the newest cached linux-source with tools/sched_ext).
# Needs: make gcc clang rsync flex bison pahole perl python3 qemu-system-x86
# busybox-static cpio zstd udev kmod file, and virtme-ng (trixie's .deb).

set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${SCX_ATTACH_CACHE:-$top/.cache}
export SCX_ATTACH_CACHE=$cache
fetch=$top/tools/deb-fetch.sh
keep=0

case "${1:-}" in
--keep) keep=1 ;;
"") ;;
-h|--help) sed -n '4,/^$/{/^$/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
*) echo "check-ecosystem: unknown argument '$1' (see --help)" >&2; exit 2 ;;
esac

# Called from make: the parent's flags and command-line variables (OUTPUT=,
# O=, -j...) must not leak into the builds below.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES O OUTPUT KBUILD_OUTPUT \
      INSTALL_PATH KSFT_INSTALL_PATH TARGETS KSFT_DIR

# The test binary's windows for an emulated (TCG) guest, as run_tests.sh
# --emulated selects them; only for the guests (vm/run-vm.sh passes
# SCX_ATTACH_* on).  The host-side runs get none of the caller's
# SCX_ATTACH_* variables.
# These checks are about the ways in (install, gen_tar, runner.sh, vng),
# not the schedulers (vm-check and the matrix run every one): each guest
# run takes a passing fixture, an expected failure, a tree scheduler and
# the user's test, so four runs of the suite stay a few minutes.
guest_env=(SCX_ATTACH_EMULATED=1 SCX_ATTACH_ONLY=user,fault_none,fault_verifier,scx_simple)
clean_env=()
for v in $(compgen -e | grep '^SCX_ATTACH_'); do
	clean_env+=(-u "$v")
done

jobs=$(nproc 2>/dev/null || echo 2)
work=$(mktemp -d "${TMPDIR:-/tmp}/scx-eco.XXXXXX")
# The tree's hard-linked copy must be on the cache's file system.
mkdir -p "$cache"
treedir=$(mktemp -d "$cache/.eco-tree.XXXXXX")
cleanup() {
	if [ "$keep" = 1 ]; then
		echo "check-ecosystem: kept $work and $treedir" >&2
	else
		rm -rf "$work" "$treedir"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PLAN=21
t_all=$SECONDS
t_check=$SECONDS

took() { echo "# took $((SECONDS - t_check)) s"; t_check=$SECONDS; }
# diag [DIAG...]: each DIAG is one or more lines of diagnostics.
diag() {
	local l

	for l in "$@"; do
		printf '%s\n' "$l" | sed 's/^/# /'
	done
}
ok() { ktap_test_pass "$1"; took; }
# not_ok NAME [DIAG...], skip NAME [DIAG...]
not_ok() { ktap_test_fail "$1"; shift; diag "$@"; took; }
skip() { ktap_test_skip "$1"; shift; diag "$@"; took; }
# A file's last lines as diagnostics.
tail_of() { tail -n "${2:-15}" "$1" 2>/dev/null | sed 's/^/| /'; }
keep_artifacts() {
	[ -n "${SCX_ATTACH_ARTIFACTS:-}" ] || return 0
	mkdir -p "$SCX_ATTACH_ARTIFACTS" && cp -- "$@" "$SCX_ATTACH_ARTIFACTS/" 2>/dev/null
}

# ------------------------------------------------------------- inputs

ksrc=${SCX_ATTACH_KSRC:-}
if [ -z "$ksrc" ]; then
	ksrc=$(printf '%s\n' "$cache"/linux-source-*/tools/sched_ext | sort -V | tail -n1)
	ksrc=${ksrc%/tools/sched_ext}
	[ -d "$ksrc/tools/sched_ext" ] || ksrc=$("$fetch" source trixie-backports 2>"$work/fetch.err") || ksrc=
fi
# The kernel the VMs boot, with its modules (virtme-ng loads 9p and virtio).
kroot=$(SCX_ATTACH_KERNEL_MODULES=1 "$fetch" kernel trixie-backports 2>>"$work/fetch.err") || kroot=
vmlinuz=$(find "$kroot/usr/lib/modules" -mindepth 2 -maxdepth 2 -name vmlinuz 2>/dev/null | sort | tail -n1)
settings_timeout=$(sed -n 's/^timeout=//p' "$top/settings")

# The KTAP helpers of the tree under test (KSFT_DIR only for tools/ktap.sh:
# the builds below must find their own trees).
KSFT_DIR=${ksrc:+$ksrc/tools/testing/selftests}
# shellcheck source=tools/ktap.sh
. "$top/tools/ktap.sh"
unset KSFT_DIR
ktap_print_header
ktap_set_plan "$PLAN"

# ------------------------------------------------------------- 1. in-tree

tree=$treedir/linux
tree2=$treedir/linux-nobtf
ksft=$tree/tools/testing/selftests
coll=$ksft/scx_attach
obj=$work/obj
inst=$work/inst
tarinst=$work/tarinst
probe=$top/fixtures/probe.sh
# scx_fault and every scheduler the tree's tools/sched_ext names.
fixtures="scx_fault $(bash "$probe" progs "${ksrc:-/nonexistent}/tools/sched_ext" | tr '\n' ' ')"
progs="scx_attach_test unit_test sim_test fake_sched $fixtures"
have_tree=0
built=0

# A hard-linked copy: cheap, and files we add do not reach the shared tree.
# Anything written in place would, which the last check looks for.
touch "$work/stamp"
if [ -n "$ksrc" ] && [ -f "$ksrc/tools/testing/selftests/lib.mk" ] &&
   cp -al -- "$ksrc" "$tree" 2>"$work/cp.err"; then
	have_tree=1
fi

name="intree.sh refuses the name sched_ext (in the selftests Makefile's SKIP_TARGETS)"
if [ $have_tree = 0 ]; then
	not_ok "$name" "no sched_ext-era Linux tree (run tools/setup.sh): '$ksrc'" "$(tail_of "$work/fetch.err")" "$(tail_of "$work/cp.err")"
elif "$top/tools/intree.sh" --dir sched_ext "$tree" >"$work/intree-refuse.log" 2>&1; then
	not_ok "$name" "it accepted --dir sched_ext"
elif [ -e "$ksft/sched_ext/scx_attach_test.c" ] || ! grep -q 'SKIP_TARGETS' "$work/intree-refuse.log"; then
	not_ok "$name" "refused, but not for SKIP_TARGETS, or copied anyway" "$(tail_of "$work/intree-refuse.log")"
else
	ok "$name"
fi

name="intree.sh copies exactly the tracked files of the in-tree suite into tools/testing/selftests/scx_attach"
# What intree.sh declares the in-tree suite to be.
read -r -a intree_paths <<< "$(sed -n 's/^intree_paths=(\(.*\))$/\1/p' "$top/tools/intree.sh")"
if [ $have_tree = 0 ]; then
	not_ok "$name" "no tree"
elif [ ${#intree_paths[@]} = 0 ]; then
	not_ok "$name" "no intree_paths=(...) line in tools/intree.sh"
elif ! "$top/tools/intree.sh" "$tree" >"$work/intree.log" 2>&1; then
	not_ok "$name" "tools/intree.sh failed" "$(tail_of "$work/intree.log")"
else
	git -C "$top" ls-files -- "${intree_paths[@]}" | while IFS= read -r f; do
		[ -e "$top/$f" ] || [ -L "$top/$f" ] && echo "$f"
	done | LC_ALL=C sort > "$work/tracked.list"
	(cd "$coll" && find . \( -type f -o -type l \) | sed 's|^\./||' | LC_ALL=C sort) > "$work/copied.list"
	if ! cmp -s "$work/tracked.list" "$work/copied.list"; then
		not_ok "$name" "copied files differ from git ls-files:" \
			"$(diff "$work/tracked.list" "$work/copied.list" | head -n 20)"
	elif [ -e "$coll/.cache" ] || [ -e "$coll/fixtures-build" ] || [ -e "$coll/scx_attach_test" ]; then
		not_ok "$name" "a cache or build output was copied"
	elif [ -e "$coll/GNUmakefile" ] || [ ! -f "$coll/Makefile" ] || [ ! -f "$coll/fixtures/probe.sh" ]; then
		not_ok "$name" "the standalone GNUmakefile was copied, or the Makefile or fixtures/ was not"
	else
		ok "$name"
		echo "# $(wc -l < "$work/copied.list") files"
	fi
fi
[ -f "$coll/Makefile" ] || have_tree=0

# make -C tools/testing/selftests TARGETS=scx_attach [ARGS...] > LOG
ksft_make() {
	local log=$1

	shift
	make -C "$ksft" TARGETS=scx_attach -j"$jobs" "$@" >"$log" 2>&1
}

have_progs() {
	local d=$1 p

	for p in $progs; do
		[ -x "$d/$p" ] || { echo "$p"; return 1; }
	done
	[ -s "$d/scx_tree.list" ] || { echo scx_tree.list; return 1; }
}

name="in-tree build with O=: make -C tools/testing/selftests TARGETS=scx_attach O=DIR"
if [ $have_tree = 0 ]; then
	not_ok "$name" "no in-tree copy"
else
	(cd "$coll" && find . | LC_ALL=C sort) > "$work/src-before.list"
	if ! ksft_make "$work/build-o.log" O="$obj"; then
		not_ok "$name" "make failed:" "$(tail_of "$work/build-o.log" 25)"
	elif missing=$(have_progs "$obj/kselftest/scx_attach"); [ -n "$missing" ]; then
		not_ok "$name" "$missing not built in O=DIR/kselftest/scx_attach"
	elif (cd "$coll" && find . | LC_ALL=C sort) | cmp -s - "$work/src-before.list"; then
		ok "$name"
		built=$((built | 1))
	else
		not_ok "$name" "the O= build wrote into the source directory:" \
			"$( (cd "$coll" && find . | LC_ALL=C sort) | diff "$work/src-before.list" - | head -n 10)"
	fi
fi

name="in-tree build without O=: make -C tools/testing/selftests TARGETS=scx_attach"
if [ $have_tree = 0 ]; then
	not_ok "$name" "no in-tree copy"
elif ! ksft_make "$work/build.log"; then
	not_ok "$name" "make failed:" "$(tail_of "$work/build.log" 25)"
elif missing=$(have_progs "$coll"); [ -n "$missing" ]; then
	not_ok "$name" "$missing not built in tools/testing/selftests/scx_attach"
else
	ok "$name"
	built=$((built | 2))
fi

# ------------------------------------ in-tree, no vmlinux with sched_ext

# A second copy: the in-tree build on a machine whose kernel lacks sched_ext,
# with no built vmlinux, no cached kernel and no VMLINUX_BTF, must skip the
# fixtures with one warning, build the rest, and still list the fixture
# variants, which then SKIP.
nobtf() {
	local c=$tree2/tools/testing/selftests/scx_attach log=$work/build-nobtf.log
	local host want got v l bad=() skip_reason nwarn

	host=$(bash "$probe" vmlinux /nonexistent "$work/probe" /sys/kernel/btf/vmlinux \
		"/boot/vmlinux-$(uname -r)")
	if [ $have_tree = 0 ]; then
		not_ok "$name" "no tree"
		return
	elif [ "${host%% *}" = ok ]; then
		skip "$name" "this host's kernel has sched_ext BTF (${host#ok }): the path needs a host without"
		return
	elif ! cp -al -- "$ksrc" "$tree2" 2>"$work/cp2.err" ||
	     ! "$top/tools/intree.sh" "$tree2" >"$work/intree2.log" 2>&1; then
		not_ok "$name" "cannot prepare the second tree copy:" "$(tail_of "$work/cp2.err")" \
			"$(tail_of "$work/intree2.log")"
		return
	fi
	mkdir -p "$work/empty-cache"
	if ! (cd "$tree2" && env -u VMLINUX_BTF SCX_ATTACH_CACHE="$work/empty-cache" \
		make -C tools/testing/selftests TARGETS=scx_attach -j"$jobs") >"$log" 2>&1; then
		not_ok "$name" "make failed:" "$(tail_of "$log" 25)"
		return
	fi
	nwarn=$(grep -c '^fixtures: warning:' "$log")
	[ "$nwarn" = 1 ] || bad+=("$nwarn 'fixtures: warning:' lines, want 1:" "$(grep -i 'warn' "$log" | head -n 5)")
	for v in scx_attach_test unit_test sim_test fake_sched; do
		[ -x "$c/$v" ] || bad+=("$v not built")
	done
	for v in $fixtures; do
		[ ! -e "$c/$v" ] || bad+=("$v was built")
	done
	[ ! -e "$c/fixtures-build/include" ] || bad+=("the fixture build started (fixtures-build/include exists)")
	bash "$probe" list "$ksrc/tools/sched_ext" > "$work/tree.list"
	if [ ! -s "$work/tree.list" ] || ! cmp -s "$work/tree.list" "$c/scx_tree.list"; then
		bad+=("scx_tree.list is not the tree's schedulers:" "$(diff "$work/tree.list" "$c/scx_tree.list" 2>&1 | head -n 5)")
	fi
	# Every fixture variant: scx_fault's from the test, the tree's from the list.
	want=$( { sed -n 's/^FIXTURE_VARIANT_ADD(scx, \(fault_[a-z_]*\)).*/\1/p' "$top/scx_attach_test.c"
		  cut -d' ' -f1 "$work/tree.list"; } | LC_ALL=C sort)
	(cd "$c" && ./scx_attach_test -l) >"$work/nobtf-l.out" 2>&1
	got=$(awk '/^-----/ { on = 1; next } on && NF { print (/^[ \t]/ ? $1 : $2) }' \
		"$work/nobtf-l.out" | LC_ALL=C sort)
	v=$(LC_ALL=C comm -23 <(echo "$want") <(echo "$got") | paste -sd' ' -)
	[ -z "$v" ] || bad+=("scx_attach_test -l lacks: $v" "$(head -n 3 "$work/nobtf-l.out")")
	# On a (fake) sched_ext, each of them SKIPs for want of its binary.
	skip_reason=$(sed -n 's/^#define SKIP_NO_FIXTURE[[:space:]]*"\(.*\)"$/\1/p' "$top/scx_attach_test.c")
	mkdir -p "$work/nobtf-sysfs"
	echo disabled > "$work/nobtf-sysfs/state"
	(cd "$c" && env "${clean_env[@]}" SCX_ATTACH_SYSFS="$work/nobtf-sysfs" ./scx_attach_test) \
		>"$work/nobtf-run.tap" 2>&1
	for v in $want; do
		l=$(grep -E "^(not )?ok [0-9]+ scx\.$v\.verdict( |$)" "$work/nobtf-run.tap")
		case "$l" in
		"ok "*" scx.$v.verdict # SKIP $skip_reason") ;;
		*) bad+=("scx.$v.verdict did not SKIP with '$skip_reason': '${l:-absent}'") ;;
		esac
	done
	if [ ${#bad[@]} -gt 0 ]; then
		not_ok "$name" "${bad[@]}"
	else
		ok "$name"
		diag "$(grep '^fixtures: warning:' "$log")" \
		     "$(echo "$want" | wc -l) fixture variants listed and skipped"
	fi
}
name="in-tree build with no vmlinux with sched_ext (no cached kernel, no VMLINUX_BTF): fixtures skipped with one warning"
nobtf

name="make install (O= build) and gen_tar (in-place build) give a runnable kselftest tree"
tarball=$tarinst/kselftest-packages/kselftest.tar.gz
if [ "$built" != 3 ]; then
	not_ok "$name" "the builds above failed"
elif ! command -v rsync >/dev/null; then
	not_ok "$name" "rsync is missing: lib.mk's install needs it (apt-get install rsync)"
elif ! ksft_make "$work/install.log" O="$obj" install INSTALL_PATH="$inst"; then
	not_ok "$name" "make install failed:" "$(tail_of "$work/install.log")"
elif ! ksft_make "$work/gen_tar.log" gen_tar KSFT_INSTALL_PATH="$tarinst"; then
	not_ok "$name" "make gen_tar failed:" "$(tail_of "$work/gen_tar.log")"
elif [ "$(cat "$inst/kselftest-list.txt" 2>/dev/null)" != "scx_attach:scx_attach_test" ]; then
	not_ok "$name" "kselftest-list.txt is not 'scx_attach:scx_attach_test': $(head -c 200 "$inst/kselftest-list.txt" 2>&1)"
elif missing=$(have_progs "$inst/scx_attach"); [ -n "$missing" ]; then
	not_ok "$name" "$missing not installed"
elif [ ! -f "$inst/scx_attach/settings" ] || [ ! -f "$inst/scx_attach/config" ] ||
     [ ! -x "$inst/run_kselftest.sh" ] || [ ! -f "$inst/kselftest/runner.sh" ]; then
	not_ok "$name" "settings, config, run_kselftest.sh or kselftest/runner.sh not installed"
elif ! tar -tzf "$tarball" >"$work/tarball.list" 2>&1 ||
     ! grep -qx './scx_attach/scx_attach_test' "$work/tarball.list"; then
	not_ok "$name" "$tarball lacks ./scx_attach/scx_attach_test"
else
	ok "$name"
	echo "# tarball $(( $(stat -c %s "$tarball") / 1024 )) KiB"
fi

# ------------------------------------------------ the sched_ext VM (run-vm.sh)

# One boot: the installed run_kselftest.sh, the gen_tar tarball, and last
# (it leaves a killed suite behind) runner.sh enforcing settings' timeout.
stage=$work/stage
vm_ok=0
if [ -f "$tarball" ] && [ -n "$vmlinuz" ]; then
	mkdir -p "$stage"
	cp -a "$inst" "$stage/inst"
	cp "$tarball" "$stage/kselftest.tar.gz"
	cat > "$stage/eco-guest.sh" <<'EOF'
#!/bin/sh
# Guest side of tools/check-ecosystem.sh; runs in the suite dir.
g=$(pwd)
mark() { echo "::eco:: $*"; }
mark begin install
"$g/inst/run_kselftest.sh"
mark end install rc=$?
mark begin gen_tar
kt=$(mktemp -d) && tar -xzf "$g/kselftest.tar.gz" -C "$kt" && "$kt/run_kselftest.sh"
mark end gen_tar rc=$?
mark begin timeout
t=$(mktemp -d) && cp -a "$g/inst/." "$t/" && echo timeout=2 > "$t/scx_attach/settings" &&
	"$t/run_kselftest.sh"
mark end timeout rc=$?
exit 0
EOF
	env "${guest_env[@]}" "$top/vm/run-vm.sh" --accel tcg --kernel "$vmlinuz" --timeout 480 \
		--suite-tree "$stage" --host-file "$(command -v timeout)" \
		--cmd 'sh ./eco-guest.sh' >"$work/vm.out" 2>"$work/vm.err"
	vm_rc=$?
	[ "$vm_rc" = 0 ] && vm_ok=1
	# Split the guest's output into one file per step.
	awk -v d="$work" '
		/^::eco:: begin / { f = d "/vm-" $3 ".out"; printf "" > f; next }
		/^::eco:: end / { print > (d "/vm-" $3 ".rc"); f = ""; next }
		f != "" { print > f }' "$work/vm.out"
	keep_artifacts "$work"/vm*.out "$work/vm.err"
fi

# vm_step STEP: its output file, or "" after a diagnostic.
vm_diag() {
	if [ -z "$vmlinuz" ]; then
		echo "no sched_ext kernel: tools/deb-fetch.sh kernel trixie-backports failed"
		tail_of "$work/fetch.err"
	elif [ ! -f "$tarball" ]; then
		echo "nothing installed to run (see the checks above)"
	elif [ "$vm_ok" = 0 ]; then
		echo "vm/run-vm.sh exited $vm_rc:"
		grep '^vm: ' "$work/vm.err" | tail -n 15
	else
		echo "the guest did not run this step"
	fi
}

# The suite's own KTAP, taken back out of runner.sh's "# " prefixes.
inner_ktap() {
	awk '/^# selftests: scx_attach: scx_attach_test$/ { on = 1; next }
	     /^(not )?ok [0-9]+ selftests: scx_attach: scx_attach_test/ { on = 0 }
	     on && sub(/^# /, "")' "$1"
}

# runner_passed FILE: runner.sh's verdict on the collection, and the suite's
# own; the binary saw settings' timeout (runner.sh exports it).
runner_passed() {
	grep -qx 'ok 1 selftests: scx_attach: scx_attach_test' "$1" &&
	grep -qx "# timeout set to $settings_timeout" "$1" &&
	grep -q "^# # time: .*; the kselftest runner's timeout $settings_timeout s\$" "$1" &&
	! grep -q '^# not ok ' "$1"
}

for step in install gen_tar; do
	case $step in
	install) name="sched_ext VM: the installed run_kselftest.sh passes" ;;
	gen_tar) name="sched_ext VM: the gen_tar tarball, unpacked, passes with its run_kselftest.sh" ;;
	esac
	f=$work/vm-$step.out
	if [ ! -f "$work/vm-$step.rc" ]; then
		not_ok "$name" "$(vm_diag)"
	elif ! grep -qx "::eco:: end $step rc=0" "$work/vm-$step.rc" || ! runner_passed "$f"; then
		not_ok "$name" "$(cat "$work/vm-$step.rc")" "$(grep -E '^(not )?ok|^# (not )?ok|Totals|timeout set' "$f" | tail -n 20)"
	else
		inner_ktap "$f" > "$work/vm-$step.inner.tap"
		ok "$name"
		grep -E '^# (# )?Totals' "$f"
	fi
done

name="sched_ext VM: runner.sh enforces settings' timeout (timeout=2 gives TIMEOUT), said before the first test"
f=$work/vm-timeout.out
if [ ! -f "$work/vm-timeout.rc" ]; then
	not_ok "$name" "$(vm_diag)"
elif ! grep -qx '# timeout set to 2' "$f" ||
     ! grep -qx 'not ok 1 selftests: scx_attach: scx_attach_test # TIMEOUT 2 seconds' "$f"; then
	not_ok "$name" "no TIMEOUT from runner.sh:" "$(grep -E '^(not )?ok|timeout' "$f" | tail -n 10)"
elif ! grep -q "^# # time: cannot fit: .* over the runner's 2 s timeout" "$f"; then
	not_ok "$name" "the binary did not say the run cannot fit:" "$(grep '# time:' "$f")"
else
	ok "$name"
fi

# ------------------------------------------------------------- virtme-ng

# vng finds a kernel's modules in <root>/lib/modules/<version> above the
# image; Debian's split packages have only usr/lib/modules.  A private root
# of symlinks (lib -> usr/lib) keeps the shared kernel cache untouched.
vng_root() {
	local kver=$1 mods=$kroot/usr/lib/modules/$1 r=$cache/vng/$1 f

	if [ ! -e "$r/.complete" ]; then
		rm -rf "$r"
		mkdir -p "$r/usr/lib/modules/$kver" || return 1
		ln -s usr/lib "$r/lib"
		for f in "$mods"/*; do
			case "$(basename "$f")" in modules.*.bin|modules.dep|modules.alias|modules.symbols) continue ;; esac
			ln -s "$f" "$r/usr/lib/modules/$kver/"
		done
		depmod -a -b "$r" "$kver" || return 1
		touch "$r/.complete"
	fi
	echo "$r/usr/lib/modules/$kver/vmlinuz"
}

vng_why=
if ! command -v vng >/dev/null; then
	vng_why="vng not installed: apt-get install ./\$(tools/deb-fetch.sh get trixie virtme-ng)"
elif [ -z "$vmlinuz" ] || [ ! -d "$kroot/usr/lib/modules/$(basename "$(dirname "$vmlinuz")")/kernel" ]; then
	vng_why="no kernel with modules: SCX_ATTACH_KERNEL_MODULES=1 tools/deb-fetch.sh kernel trixie-backports"
elif [ ! -x "$inst/scx_attach/run_tests.sh" ] || [ ! -x "$coll/scx_attach_test" ]; then
	vng_why="nothing built to run (see the checks above)"
elif ! vng_img=$(vng_root "$(basename "$(dirname "$vmlinuz")")" 2>"$work/vng-root.err"); then
	vng_why="cannot prepare the module root: $(tail -n 3 "$work/vng-root.err")"
else
	# The guest sees the host's root read-only over 9p, /tmp as an overlay.
	cat > "$work/vng-guest.sh" <<EOF
#!/bin/sh
mark() { echo "::eco:: \$*"; }
export SCX_ATTACH_CACHE='$cache' ${guest_env[*]}
mark begin oneliner
cd '$inst/scx_attach' && ./run_tests.sh --emulated --sched ./scx_simple --ops simple
mark end oneliner rc=\$? uid=\$(id -u) kernel=\$(uname -r)
mark begin run_tests
make -s -C '$ksft' TARGETS=scx_attach run_tests
mark end run_tests rc=\$?
EOF
	# The README's one-liner, run through the guest script: two whole
	# suites (every tree scheduler in each) under TCG in one boot.  One TCG
	# thread: multi-threaded TCG raced with the guest's int3 code
	# patching when sched_ext enables ("Oops: int3" in __schedule).
	# The tree is below the cache, outside the guest's /tmp overlay: an
	# overlay of its own keeps any write in the guest.
	{ timeout -k 10 600 vng --run "$vng_img" --disable-kvm --force-9p --cpus 2 --memory 1G \
		--overlay-rwdir="$treedir" \
		--qemu-opts='-accel tcg,thread=single' -- sh "$work/vng-guest.sh" \
		2> >(cat > "$work/vng.err"); echo $? > "$work/vng.rc"; } | cat > "$work/vng.out"
	wait
	vng_rc=$(cat "$work/vng.rc")
	awk -v d="$work" '
		/^::eco:: begin / { f = d "/vng-" $3 ".out"; printf "" > f; next }
		/^::eco:: end / { print > (d "/vng-" $3 ".rc"); f = ""; next }
		f != "" { print > f }' "$work/vng.out"
	keep_artifacts "$work"/vng*.out "$work/vng.err"
	if [ "$vng_rc" != 0 ]; then
		vng_why="vng exited $vng_rc: $(tail -n 5 "$work/vng.err"; tail -n 5 "$work/vng.out")"
	fi
fi

name="virtme-ng: the README one-liner (vng --run <Debian vmlinuz>, TCG) passes as root"
f=$work/vng-oneliner.out
if [ ! -f "$work/vng-oneliner.rc" ]; then
	not_ok "$name" "${vng_why:-the guest did not run it}"
elif ! grep -q '^::eco:: end oneliner rc=0 uid=0 ' "$work/vng-oneliner.rc"; then
	not_ok "$name" "$(cat "$work/vng-oneliner.rc")" "$(grep -E '^(not )?ok|Totals' "$f" | tail -n 15)"
elif ! grep -qx 'ok 1 scx.user.verdict' "$f" || grep -Eq '^not ok|^ok .* # SKIP' "$f"; then
	not_ok "$name" "not every variant passed:" "$(grep -E '^(not )?ok' "$f")"
else
	ok "$name"
	sed 's/^::eco:: end oneliner rc=0 /# guest: /' "$work/vng-oneliner.rc"
fi

name="in-tree make run_tests passes in the sched_ext VM (vng), runner.sh applying settings' timeout"
f=$work/vng-run_tests.out
if [ ! -f "$work/vng-run_tests.rc" ]; then
	not_ok "$name" "${vng_why:-the guest did not run it}"
elif ! grep -qx '::eco:: end run_tests rc=0' "$work/vng-run_tests.rc" || ! runner_passed "$f"; then
	not_ok "$name" "$(cat "$work/vng-run_tests.rc")" "$(grep -E '^(not )?ok|^# (not )?ok|Totals|timeout set|rror' "$f" | tail -n 20)"
else
	inner_ktap "$f" > "$work/vng-run_tests.inner.tap"
	ok "$name"
	grep -E '^# timeout set' "$f"
fi

# ------------------------------------------------------------- KTAP consumers

# bad_or_ok SUMMARY: $name fails with bad[] as diagnostics, or passes with
# the SUMMARY file's lines.
bad_or_ok() {
	if [ ${#bad[@]} -gt 0 ]; then
		not_ok "$name" "${bad[@]}"
	else
		ok "$name"
		sed 's/^/# /' "$1"
	fi
}

# Real outputs: the suite's own KTAP and runner.sh's around it.
tap_files=()
for f in "$work/vm-install.out" "$work/vm-install.inner.tap" "$work/vm-gen_tar.out" \
	 "$work/vm-gen_tar.inner.tap" "$work/vng-oneliner.out" "$work/vng-run_tests.inner.tap"; do
	[ -s "$f" ] && tap_files+=("$f")
done
keep_artifacts "${tap_files[@]}"

# counts FILE: "pass skip fail" from the TAP lines themselves.
counts() {
	local p s f

	p=$(grep -Ec '^ok [0-9]+ ' "$1")
	s=$(grep -Ec '^ok [0-9]+ .* # SKIP' "$1")
	f=$(grep -Ec '^not ok [0-9]+' "$1")
	echo "$((p - s)) $s $f"
}

kunit=$tree/tools/testing/kunit/kunit.py
name="KTAP: kunit.py parse reads every real output with no errors and the right counts"
bad=()
if [ ${#tap_files[@]} -lt 6 ]; then
	bad+=("only ${#tap_files[@]} of 6 outputs exist (the VM checks failed)")
fi
if [ ! -f "$kunit" ]; then
	bad+=("no $kunit")
else
	for f in "${tap_files[@]}"; do
		python3 "$kunit" parse "$f" > "$f.kunit" 2>&1
		rc=$?
		read -r p s fl <<< "$(counts "$f")"
		sum=$(grep -o 'Testing complete\. Ran .*' "$f.kunit" | tail -n1)
		want="Testing complete. Ran $((p + s + fl)) tests: $( { [ "$p" = 0 ] || echo "passed: $p"; [ "$fl" = 0 ] || echo "failed: $fl"; [ "$s" = 0 ] || echo "skipped: $s"; } | paste -sd, - | sed 's/,/, /g')"
		if [ "$rc" != 0 ] || grep -q 'ERROR\|CRASHED' "$f.kunit" || [ "$sum" != "$want" ]; then
			bad+=("$(basename "$f"): exit $rc, '$sum', want '$want'" "$(grep 'ERROR\|CRASHED' "$f.kunit" | head -n 3)")
		else
			echo "$(basename "$f"): $sum" >> "$work/kunit.summary"
		fi
	done
fi
bad_or_ok "$work/kunit.summary"

name="TAP: prove and TAP::Parser read every real output with no parse errors and the right counts"
bad=()
[ ${#tap_files[@]} -ge 6 ] || bad+=("only ${#tap_files[@]} of 6 outputs exist (the VM checks failed)")
for f in "${tap_files[@]}"; do
	read -r p s fl <<< "$(counts "$f")"
	got=$(perl -MTAP::Parser -e '
		local $/; my $p = TAP::Parser->new({ tap => scalar <STDIN> });
		1 while defined $p->next;
		printf "%d %d %d %d", scalar($p->passed) - scalar($p->skipped),
			scalar($p->skipped), scalar($p->failed), scalar($p->parse_errors);
		print STDERR "$_\n" for $p->parse_errors;' < "$f" 2>"$f.tap-errors")
	if ! prove --exec cat "$f" >"$f.prove" 2>&1; then
		bad+=("$(basename "$f"): prove: $(tail -n 1 "$f.prove")")
	elif [ "$got" != "$p $s $fl 0" ]; then
		bad+=("$(basename "$f"): TAP::Parser pass/skip/fail/errors '$got', want '$p $s $fl 0'" "$(head -n 3 "$f.tap-errors")")
	else
		echo "$(basename "$f"): pass $p skip $s fail $fl" >> "$work/prove.summary"
	fi
done
bad_or_ok "$work/prove.summary"

name="KTAP: test names free of the hash sign, SKIP reasons constant, nothing raw on stdout"
bad=()
inner=()
for f in "${tap_files[@]}"; do
	case "$f" in *.inner.tap) inner+=("$f") ;; esac
done
# The constant SKIP reasons, from the source.
sed -n 's/^#define SKIP_[A-Z_]*[[:space:]]*"\(.*\)"$/\1/p' "$top/scx_attach_test.c" > "$work/skip-reasons"
[ ${#inner[@]} -ge 3 ] || bad+=("only ${#inner[@]} of 3 suite outputs exist")
[ -s "$work/skip-reasons" ] || bad+=("no SKIP_ reasons found in scx_attach_test.c")
for f in "${inner[@]}" "$work/vng-oneliner.out"; do
	[ -s "$f" ] || continue
	l=$(grep -Ev '^(TAP version 13|1\.\.[0-9]+|(not )?ok [0-9]+ .*|#.*)$' "$f" | head -n 3)
	[ -z "$l" ] || bad+=("$(basename "$f"): lines that are not KTAP:" "$l")
	l=$(grep -E '^(not )?ok [0-9]+ ' "$f" | sed -E 's/^(not )?ok [0-9]+ //; s/ # (SKIP|TODO|XFAIL)( .*)?$//' | grep '#\|^$' | head -n 3)
	[ -z "$l" ] || bad+=("$(basename "$f"): test names with '#' or empty:" "$l")
	grep -E '^(not )?ok [0-9]+ .* # SKIP' "$f" | sed -E 's/.* # SKIP ?//' | while IFS= read -r r; do
		grep -qxF -- "$r" "$work/skip-reasons" || echo "$r"
	done > "$work/odd-skips"
	[ ! -s "$work/odd-skips" ] || bad+=("$(basename "$f"): SKIP reasons not among the constants:" "$(head -n 3 "$work/odd-skips")")
done
# Three runs, two guests: the same names and SKIP reasons each time.
for f in "${inner[@]}"; do
	grep -E '^(not )?ok [0-9]+ ' "$f" > "$f.results"
	if [ -n "${first:-}" ] && ! cmp -s "$first.results" "$f.results"; then
		bad+=("results differ between $(basename "$first") and $(basename "$f"):" "$(diff "$first.results" "$f.results" | head -n 6)")
	fi
	first=${first:-$f}
done
if [ ${#bad[@]} -gt 0 ]; then
	not_ok "$name" "${bad[@]}"
else
	ok "$name"
	grep -h ' # SKIP' "${inner[@]:0:1}" | sed 's/^/# e.g. /'
fi

# ------------------------------------------------ older harness headers

# harness LABEL TREE: the top Makefile's `all` with KSRC=TREE into a scratch
# OUTPUT, without the fixtures (6.1 has no tools/sched_ext, 6.12's predates
# scx_fault's API, 7.3's full build is the in-tree check above); then
# sim_test, and scx_attach_test on a fake sysfs where every variant SKIPs in
# setup (6.1's harness still runs the body after that).
harness() {
	local label=$1 t=$2 out=$work/h-$1 fx=SCX_ATTACH_FIXTURES=0

	name="harness headers of $label ($(basename "$t")): build, sim_test green, SKIP-in-setup path"
	if [ ! -f "$t/tools/testing/selftests/kselftest_harness.h" ]; then
		not_ok "$name" "no tree: $(tail -n 2 "$work/fetch-$label.err" 2>/dev/null)"
		return
	fi
	mkdir -p "$out" "$out/sysfs"
	echo disabled > "$out/sysfs/state"
	# 6.1: no tools/sched_ext, so `all` must leave the fixtures out unasked.
	[ "$label" != 6.1 ] || fx=
	if ! make -C "$top" -j"$jobs" KSRC="$t" OUTPUT="$out" $fx >"$out/build.log" 2>&1; then
		not_ok "$name" "build failed:" "$(grep -E 'error|Error' "$out/build.log" | head -n 8)"
	elif grep -q 'warning:' "$out/build.log"; then
		not_ok "$name" "build warnings:" "$(grep 'warning:' "$out/build.log" | head -n 5)"
	elif [ -e "$out/fixtures-build" ]; then
		not_ok "$name" "built fixtures: SCX_ATTACH_FIXTURES=0 or a tree without tools/sched_ext must not"
	elif [ ! -x "$out/scx_attach_test" ] || [ ! -x "$out/sim_test" ] || [ ! -x "$out/fake_sched" ]; then
		not_ok "$name" "scx_attach_test, sim_test or fake_sched not built"
	elif ! (cd "$out" && env "${clean_env[@]}" ./sim_test >sim.tap 2>&1); then
		not_ok "$name" "sim_test failed:" "$("$top/tools/tap-failures.sh" "$out/sim.tap")"
	elif ! prove --exec cat "$out/sim.tap" >/dev/null 2>&1; then
		not_ok "$name" "sim_test's TAP does not parse"
	else
		(cd "$out" && env "${clean_env[@]}" SCX_ATTACH_SYSFS="$out/sysfs" ./scx_attach_test >skip.tap 2>&1)
		rc=$?
		if { [ "$rc" != 0 ] && [ "$rc" != 4 ]; } || grep -q '^not ok' "$out/skip.tap" ||
		   [ "$(grep -c '^ok [0-9]* .*# SKIP ' "$out/skip.tap")" != "$(sed -n 's/^1\.\.//p' "$out/skip.tap")" ] ||
		   ! prove --exec cat "$out/skip.tap" >/dev/null 2>&1; then
			not_ok "$name" "scx_attach_test with every variant skipped: exit $rc" \
				"$(grep -E '^(not )?ok|^1\.\.' "$out/skip.tap" | head -n 5)"
		else
			ok "$name"
			grep -E '^# (PASSED|Totals)' "$out/sim.tap" | tail -n 1
		fi
	fi
}

t61=$("$fetch" source bookworm 2>"$work/fetch-6.1.err") || t61=
t612=$("$fetch" source trixie 2>"$work/fetch-6.12.err") || t612=
harness 6.1 "${t61:-/nonexistent}"
harness 6.12 "${t612:-/nonexistent}"
harness 7.3 "${ksrc:-/nonexistent}"

# ------------------------------------------------------------- config fragment

kb=$work/kconfig
# config_survives FRAGMENT LOG [allno]: merge FRAGMENT onto x86_64_defconfig
# (or with allno, merge_config.sh -n: onto allnoconfig, which shows a missing
# dependency that defconfig happens to provide) with merge_config.sh, then
# olddefconfig, and check that every line of it is in the final .config.
# Returns 1 with the lines that did not survive, 2 if the tools failed.
config_survives() {
	local frag=$1 log=$2 base=${3:-defconfig} line sym lost=()

	rm -rf "$kb"
	mkdir -p "$kb"
	{
		if [ "$base" = allno ]; then
			(cd "$tree" && ARCH=x86_64 scripts/kconfig/merge_config.sh -n -O "$kb" /dev/null "$frag")
		else
			make -C "$tree" O="$kb" ARCH=x86_64 x86_64_defconfig &&
			(cd "$tree" && ARCH=x86_64 scripts/kconfig/merge_config.sh -O "$kb" "$kb/.config" "$frag")
		fi &&
		make -C "$tree" O="$kb" ARCH=x86_64 olddefconfig
	} >"$log" 2>&1 || { echo "make/merge_config.sh failed: $(tail -n 5 "$log")"; return 2; }
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			sym=${line%%=*}
			grep -qxF -- "$line" "$kb/.config" || lost+=("$line (final: $(grep -E "^$sym=|^# $sym is not set" "$kb/.config" || echo 'absent'))")
			;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			! grep -q "^$sym=" "$kb/.config" || lost+=("$line (final: $(grep "^$sym=" "$kb/.config"))")
			;;
		*) continue ;;
		esac
		if grep -q "Value requested for $sym not in final .config" "$log"; then
			lost+=("merge_config.sh: Value requested for $sym not in final .config")
		fi
	done < "$frag"
	[ ${#lost[@]} = 0 ] || { printf '%s\n' "${lost[@]}"; return 1; }
}

name="config: every line of ./config survives merge_config.sh onto x86_64_defconfig (and allnoconfig) + olddefconfig"
if [ $have_tree = 0 ]; then
	not_ok "$name" "no tree"
elif ! why=$(config_survives "$top/config" "$work/config.log") ||
     ! why=$(config_survives "$top/config" "$work/config-allno.log" allno); then
	hint=()
	command -v pahole >/dev/null ||
		hint=("pahole is missing: DEBUG_INFO_BTF needs PAHOLE_VERSION >= 122 (apt-get install pahole)")
	not_ok "$name" "$why" "${hint[@]}"
else
	ok "$name"
	echo "# $(grep -c '^CONFIG_' "$top/config") symbols, pahole $(pahole --version 2>/dev/null)"
fi

# The check must catch what cannot be set: DEBUG_INFO has no prompt (only
# the "Debug information" choice selects it), and SCHED_CLASS_EXT alone
# lacks its dependencies (BPF_JIT, DEBUG_INFO_BTF...).
for bad_frag in "CONFIG_DEBUG_INFO=y" "CONFIG_SCHED_CLASS_EXT=y"; do
	name="config: a fragment of just $bad_frag fails the same check"
	echo "$bad_frag" > "$work/bad.config"
	rc=0
	[ $have_tree = 0 ] || why=$(config_survives "$work/bad.config" "$work/bad-config.log") || rc=$?
	if [ $have_tree = 0 ]; then
		not_ok "$name" "no tree"
	elif [ $rc = 0 ]; then
		not_ok "$name" "it passed: the check cannot tell a lost symbol"
	elif [ $rc != 1 ]; then
		not_ok "$name" "$why"
	else
		ok "$name"
		printf '%s\n' "$why" | sed 's/^/# lost: /'
	fi
done

# ------------------------------------------------------------- shared tree

name="the shared Linux tree ($(basename "${ksrc:-none}")) was not written to"
if [ $have_tree = 0 ]; then
	not_ok "$name" "no tree"
else
	# Still hard-linked (shared with the cache) yet modified during the run.
	written=$(find "$tree" "$tree2" -type f -links +1 -newer "$work/stamp" 2>/dev/null | head -n 5)
	if [ -n "$written" ]; then
		not_ok "$name" "modified in place:" "$written"
	else
		ok "$name"
	fi
fi

n=$((KTAP_TESTNO - 1))
failed=$KTAP_CNT_FAIL
if [ "$n" != "$PLAN" ]; then
	echo "# bug: planned $PLAN checks, ran $n"
	failed=$((failed + 1))
fi
echo "# total $((SECONDS - t_all)) s"
ktap_print_totals
echo "ecosystem: $((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
