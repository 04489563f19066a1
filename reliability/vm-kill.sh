#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the sched_ext kernel and run the killed-mid-flight cases
# (guest-kill.sh) inside it.  Needs the kernel tree's kselftest runner.sh
# and GNU timeout, which runner.sh calls with --foreground.
#
#   vm-kill.sh SUITE_DIR [run-vm.sh options]

set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
suite=${1:?usage: vm-kill.sh SUITE_DIR [run-vm.sh options]}
shift
cache=${SCX_ATTACH_CACHE:-$top/.cache}
ksft=$(printf '%s\n' "$cache"/linux-source-*/tools/testing/selftests/kselftest | sort -V | tail -n 1)
[ -r "$ksft/runner.sh" ] || { echo "vm-kill: no kselftest runner.sh under $cache (tools/setup.sh)" >&2; exit 2; }

exec "$top/vm/run-vm.sh" --suite-dir "$suite" --timeout 900 \
	--add "$here/guest-kill.sh" \
	--add "$ksft/runner.sh" --add "$ksft/ktap_helpers.sh" --add "$(command -v timeout)" \
	"$@" --cmd './guest-kill.sh'
