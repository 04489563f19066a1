#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the shell steps of the example workflow docs/ci/matrix.yml here, as
# GitHub Actions would, on a small matrix: two shards over the Debian
# sched_ext kernel (by its image, so that the suite built in the checkout
# serves) and trixie's kernel without sched_ext, limited to two schedulers.
# The artifact upload and download are copies between temp directories;
# GITHUB_STEP_SUMMARY and RUNNER_TEMP point into a private temp dir.
#
#   tools/matrix-ci-check.sh [vm/matrix.sh options, e.g. --accel tcg]
#
# Needs the suite built (make) and a suite with manifests.  Prints KTAP.

set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=vm/common.sh
. "$top/vm/common.sh"
ktap=$(ktap_helpers) || exit 1
# shellcheck source=/dev/null
. "$ktap"
workflow=$top/docs/ci/matrix.yml
tmp=$(mktemp -d "${TMPDIR:-/tmp}/scx-matrix-ci.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The run: block of the step named $1 (the workflow's YAML as written:
# "- name: X" then "run: |" and an indented block).
step() {
	python3 - "$workflow" "$1" <<'EOF'
import sys
lines = open(sys.argv[1]).read().splitlines()
name, block, indent, cur = sys.argv[2], None, None, None
for line in lines:
    s = line.strip()
    if block is not None:
        if s and len(line) - len(line.lstrip()) <= indent:
            break
        block.append(line)
        continue
    if s.startswith("- name: "):
        cur = s[len("- name: "):]
    elif s == "run: |" and cur == name:
        block, indent = [], len(line) - len(line.lstrip())
if not block:
    sys.exit("no run: block for step '%s'" % name)
cut = min(len(l) - len(l.lstrip()) for l in block if l.strip())
print("\n".join(l[cut:] for l in block))
EOF
}

# The workflow's top-level env: values.
wf_env() {
	sed -n "s/^  $1: *\"\\{0,1\\}\\([^\"]*\\)\"\\{0,1\\}\$/\\1/p" "$workflow" | head -n1
}

# run_step NAME LOG [VAR=VALUE...]: run a step's block with bash -e in
# the checkout, as the runner does; rc is its exit status.
run_step() {
	local name=$1 log=$2

	shift 2
	step "$name" > "$tmp/step.sh" || { rc=127; return; }
	rc=0
	(cd "$top" && env "$@" bash -e "$tmp/step.sh") > "$log" 2>&1 || rc=$?
}

# result NAME PROBLEMS: pass if PROBLEMS is empty, else fail with them.
result() {
	if [ -z "$2" ]; then
		ktap_test_pass "$1"
	else
		ktap_test_fail "$1"
		echo "#$2"
	fi
}

image=$("$top/vm/kernel.sh" trixie-backports 2>/dev/null | sed -n 's/^image=//p')
manifest=$(wf_env MATRIX_MANIFEST)
# The shapes of the workflow's kernel trixie-backports go to its image here.
shapes=$(wf_env MATRIX_SHAPES)
common=(GITHUB_ACTIONS=true CI=true MATRIX_MANIFEST="$manifest"
	MATRIX_KERNELS="$image trixie" MATRIX_ARGS="--only scx_simple --only my_simple $*")
shards=2

ktap_print_header
ktap_set_plan 6

name="the workflow names a manifest that exists"
if [ -n "$manifest" ] && [ -f "$top/$manifest" ] && [ -n "$image" ]; then
	ktap_test_pass "$name"
else
	ktap_test_fail "$name"
	echo "# MATRIX_MANIFEST '$manifest', sched_ext kernel image '$image'"
fi

name="the workflow's shell steps are shellcheck-clean"
if ! command -v shellcheck >/dev/null; then
	ktap_test_skip "$name"
	echo "# shellcheck is not installed"
else
	bad=
	for s in "Run the shard" "Merge and summarise"; do
		step "$s" > "$tmp/sc.sh" && shellcheck -s bash "$tmp/sc.sh" > "$tmp/sc.out" 2>&1 ||
			bad+=" '$s':$(sed 's/^/ /' "$tmp/sc.out" | tr '\n' ' ')"
	done
	result "$name" "$bad"
fi

name="the workflow's shapes reach the plan, a column each"
mkdir -p "$tmp/runner-plan"
run_step "Run the shard" "$tmp/plan.log" "${common[@]}" MATRIX_SHAPES="${shapes//trixie-backports=/$image=}" \
	MATRIX_ARGS="--list --only scx_simple" SHARD=1/1 RUNNER_TEMP="$tmp/runner-plan"
bad=
[ "$rc" = 0 ] || bad+=" the step exited $rc;"
[ -n "$shapes" ] || bad+=" the workflow sets no MATRIX_SHAPES;"
for t in $shapes; do
	grep -q "^[^[:space:]]*@${t#*=}"$'\t' "$tmp/plan.log" || bad+=" no @${t#*=} column in the plan;"
done
[ -z "$bad" ] || sed 's/^/# plan: /' "$tmp/plan.log"
result "$name" "$bad"

name="each shard's step runs and leaves its JSON for the upload"
mkdir -p "$tmp/artifacts"
bad=
for i in $(seq "$shards"); do
	mkdir -p "$tmp/runner-$i"
	run_step "Run the shard" "$tmp/shard-$i.log" "${common[@]}" \
		SHARD="$i/$shards" RUNNER_TEMP="$tmp/runner-$i"
	sed "s/^/# shard $i: /" "$tmp/shard-$i.log"
	f=$tmp/runner-$i/matrix/matrix-$i-of-$shards.json
	if [ "$rc" != 0 ] || [ ! -s "$f" ]; then
		bad+=" shard $i: exit $rc, $(basename "$f") $([ -s "$f" ] || echo missing);"
	else
		cp "$f" "$tmp/artifacts/"
	fi
done
result "$name" "$bad"

name="the merge step writes the table to the job summary and passes"
mkdir -p "$tmp/runner-merge/shards"
cp "$tmp/artifacts"/*.json "$tmp/runner-merge/shards/" 2>/dev/null
summary=$tmp/summary.md
run_step "Merge and summarise" "$tmp/merge.log" "${common[@]}" \
	RUNNER_TEMP="$tmp/runner-merge" GITHUB_STEP_SUMMARY="$summary"
sed 's/^/# merge: /' "$tmp/merge.log"
sed 's/^/# summary: /' "$summary" 2>/dev/null
if [ "$rc" != 0 ]; then
	ktap_test_fail "$name"
	echo "# the merge step exited $rc"
elif ! grep -q '^| scx_simple | attached [0-9]*ms | SKIP |$' "$summary" ||
     ! grep -q '^| my_simple | attached [0-9]*ms | SKIP |$' "$summary"; then
	ktap_test_fail "$name"
	echo "# the summary lacks the rows: scx_simple and my_simple attached, SKIP without sched_ext"
else
	ktap_test_pass "$name"
fi

name="a missing shard fails the merge step, and the summary says so"
mkdir -p "$tmp/runner-lost/shards"
cp "$tmp/artifacts/matrix-1-of-$shards.json" "$tmp/runner-lost/shards/" 2>/dev/null
run_step "Merge and summarise" "$tmp/lost.log" "${common[@]}" \
	RUNNER_TEMP="$tmp/runner-lost" GITHUB_STEP_SUMMARY="$tmp/lost.md"
if [ "$rc" = 0 ]; then
	ktap_test_fail "$name"
	echo "# the merge step passed with shard 2 of $shards missing"
elif ! grep -q 'could not be merged' "$tmp/lost.md" 2>/dev/null ||
     ! grep -q 'shards missing from the merge: 2 of 2' "$tmp/lost.log"; then
	ktap_test_fail "$name"
	sed 's/^/# /' "$tmp/lost.log"
else
	ktap_test_pass "$name"
fi

ktap_finished
