#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Inside the VM, before the command: is the machine the shape the host
# asked for?  Reads back what the guest kernel sees and compares it with
# NnLlCcTt as vm/topology.sh lays it out (CPUs numbered LLC by LLC, an LLC
# per socket, a node per L/N consecutive LLCs, SMT siblings adjacent).
#
#   guest-shape.sh NnLlCcTt
#
# Prints "ok: WHAT" or "mismatch: WHAT: saw X, want Y" lines; exit 0 when
# the shape is proven, 1 when it is not (a test-bed failure of this boot).

spec=$1
sys=${SCX_SHAPE_SYSFS:-/sys}/devices/system
rc=0

n=${spec%%n*}
rest=${spec#*n}
l=${rest%%l*}
rest=${rest#*l}
c=${rest%%c*}
rest=${rest#*c}
t=${rest%%t*}
cpus=$((l * c * t))
per_llc=$((c * t))
per_node=$((l / n * per_llc))

# range FIRST LAST: the kernel's cpulist form of FIRST..LAST.
range() {
	if [ "$1" = "$2" ]; then
		echo "$1"
	else
		echo "$1-$2"
	fi
}

# want WHAT SEEN EXPECTED
want() {
	if [ "$2" != "$3" ]; then
		echo "mismatch: $1: saw '$2', want '$3'"
		rc=1
		return 1
	fi
}

# The cache index of level 3 (L3): index3 on x86, found by its level.
l3_index() {
	for d in "$sys/cpu/cpu$1"/cache/index*; do
		[ "$(cat "$d/level" 2>/dev/null)" = 3 ] && { echo "$d"; return 0; }
	done
	return 1
}

want "online CPUs" "$(cat "$sys/cpu/online")" "$(range 0 $((cpus - 1)))"
nodes=0
for d in "$sys"/node/node[0-9]*; do
	[ -d "$d" ] && nodes=$((nodes + 1))
done
want "NUMA nodes" "$nodes" "$n"
i=0
while [ "$i" -lt "$n" ]; do
	want "node$i cpulist" "$(cat "$sys/node/node$i/cpulist" 2>/dev/null)" \
		"$(range $((i * per_node)) $((i * per_node + per_node - 1)))"
	i=$((i + 1))
done
bad_llc=0
bad_smt=0
cpu=0
while [ "$cpu" -lt "$cpus" ]; do
	first=$((cpu / per_llc * per_llc))
	if [ "$bad_llc" = 0 ]; then
		if idx=$(l3_index "$cpu"); then
			want "cpu$cpu L3 (${idx##*/}/shared_cpu_list)" "$(cat "$idx/shared_cpu_list")" \
				"$(range "$first" $((first + per_llc - 1)))" || bad_llc=1
		else
			echo "mismatch: cpu$cpu has no level-3 cache in $sys/cpu/cpu$cpu/cache"
			rc=1
			bad_llc=1
		fi
	fi
	first=$((cpu / t * t))
	if [ "$bad_smt" = 0 ]; then
		want "cpu$cpu topology/thread_siblings_list" \
			"$(cat "$sys/cpu/cpu$cpu/topology/thread_siblings_list" 2>/dev/null)" \
			"$(range "$first" $((first + t - 1)))" || bad_smt=1
	fi
	cpu=$((cpu + 1))
done
if [ "$rc" = 0 ]; then
	echo "ok: $spec: $cpus CPUs online, $n node(s) of $per_node CPUs, $l LLC(s) of $per_llc CPUs, $t thread(s) a core"
fi
exit "$rc"
