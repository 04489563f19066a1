# SPDX-License-Identifier: GPL-2.0
#
# tools/ecosystem.mk - make check-ecosystem: proves the suite works where the
# kselftest ecosystem runs it: in-tree build with and without O=, install,
# gen_tar, run_kselftest.sh and runner.sh in the sched_ext VM, virtme-ng, KTAP
# consumers, older harness headers, the config fragment.  The top Makefile
# -includes this; SCX_TOP is the repo top.
#
#   make check-ecosystem                     TAP; ends "ecosystem: N passed, N failed"
#   make check-ecosystem ECOSYSTEM_ARGS=--keep   keep the scratch directory
#
# The script builds everything it runs itself (in a scratch copy of the
# cached Linux tree), so this target needs no prerequisite from OUTPUT.

ECOSYSTEM_ARGS ?=

check-ecosystem:
	$(SCX_TOP)/tools/check-ecosystem.sh $(ECOSYSTEM_ARGS)

.PHONY: check-ecosystem
