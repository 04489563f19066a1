# SPDX-License-Identifier: GPL-2.0
#
# tools/ci.mk - targets that test the test bed, for a standalone checkout
# (GNUmakefile includes this after the kselftest Makefile; a kernel tree
# never sees it).  `make check` is what CI runs.
#
#   check-sim        the harness's own tests: parsers on fixed inputs (unit_test),
#                    a SIMULATED sched_ext (sim_test), the hold's stress monitor
#                    and a simulated CPU hotplug on the host (hold_test), the
#                    test binary's start (privileges, time) on a fake sysfs
#                    (start_test.sh, as root)
#   vm-check         the suite on REAL kernels booted under qemu (vm/check.sh)
#   check-reliability, check-ecosystem, bench-smoke: see their fragments
#   checkpatch       kernel coding style: the count of each checkpatch.pl error
#                    and warning type over the tracked C files (KSRC's script;
#                    a report, not a gate; CHECKPATCH_ARGS=--verbose lists them)

VM_ARGS ?=

check-sim: $(OUTPUT)/unit_test $(OUTPUT)/sim_test $(OUTPUT)/fake_sched $(OUTPUT)/hold_test \
	   $(OUTPUT)/sub_test $(OUTPUT)/scx_attach_test
	cd $(OUTPUT) && prove -v --exec '' ./unit_test ./sim_test ./hold_test ./sub_test \
		$(SCX_TOP)/selftest/start_test.sh $(SCX_TOP)/selftest/shape_test.sh

CHECKPATCH_ARGS ?=
checkpatch:
	$(SCX_TOP)/tools/checkpatch.sh $(CHECKPATCH_ARGS) $(KSRC)

vm-check: all
	$(SCX_TOP)/vm/check.sh $(OUTPUT) $(VM_ARGS)

# The scheduler x kernel matrix (vm/matrix.sh): MATRIX_ARGS=... for
# --kernel, --manifest, --shard; check-matrix tests its report tool and the
# CI example's shell steps on a small shard set.
MATRIX_ARGS ?=
matrix: all
	$(SCX_TOP)/vm/matrix.sh --suite-dir $(OUTPUT) --out $(OUTPUT)/matrix-results $(MATRIX_ARGS)
check-matrix: all
	python3 $(SCX_TOP)/tools/matrix-report-test.py
	$(SCX_TOP)/tools/matrix-ci-check.sh $(VM_ARGS)

include $(SCX_TOP)/tools/ecosystem.mk
include $(SCX_TOP)/bench/bench.mk
include $(SCX_TOP)/reliability/reliability.mk

# Everything CI runs (tools/check.sh: the simulated tests first, then two
# lanes of guests side by side).
check:
	$(SCX_TOP)/tools/check.sh OUTPUT=$(OUTPUT)

# What more than one lane of check needs, built before the lanes start.
check-prereqs: all $(OUTPUT)/unit_test $(OUTPUT)/sim_test $(OUTPUT)/fake_sched \
	       $(OUTPUT)/hold_test bench-build

.PHONY: check check-prereqs check-sim vm-check matrix check-matrix checkpatch

# ktstr's machine shapes, the tree's schedulers on 7.3 (vm/matrix.sh
# --gauntlet; docs/matrix.md has a run's table): MATRIX_ARGS=... adds options.
matrix-gauntlet: all
	$(SCX_TOP)/vm/matrix.sh --suite-dir $(OUTPUT) --out $(OUTPUT)/gauntlet-results --gauntlet \
		$(MATRIX_ARGS)

.PHONY: matrix-gauntlet
