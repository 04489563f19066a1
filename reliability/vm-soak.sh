#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Soak on the real kernel: boot the sched_ext kernel and attach/detach
# scx_fault --fault=none CYCLES times through lib/ (reliability/soak.c):
# fds do not grow, no child or zombie is left, sched_ext ends "disabled",
# enable_seq advances by exactly CYCLES.  Prints the soak's TAP and its
# duration.  Short windows: the soak is about what accumulates, not timing.
#
#   vm-soak.sh SUITE_DIR CYCLES [run-vm.sh options]

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
suite=${1:?usage: vm-soak.sh SUITE_DIR CYCLES [run-vm.sh options]}
cycles=${2:?usage: vm-soak.sh SUITE_DIR CYCLES [run-vm.sh options]}
shift 2
[[ $cycles =~ ^[1-9][0-9]*$ ]] || { echo "vm-soak: CYCLES must be a positive number" >&2; exit 2; }
build=$suite/reliability-build

# About 1-3 s a cycle under emulation; allow 5 s each plus the boot.
exec "$top/vm/run-vm.sh" --suite-dir "$suite" --timeout $((120 + 5 * cycles)) \
	--add "$build/soak" "$@" --cmd "SCX_ATTACH_GATE_MS=200 SCX_ATTACH_HOLD_MS=200 \
SCX_ATTACH_EMULATED=1 ./soak -n $cycles --ops fault ./scx_fault --fault=none"
