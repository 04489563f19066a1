# SPDX-License-Identifier: GPL-2.0
#
# scx_attach: does a sched_ext scheduler start, stay alive and attach?
#
# In a kernel tree (tools/testing/selftests/<dir>, any name but sched_ext,
# which the selftests Makefile skips) this uses the tree's lib.mk and
# harness.  Standalone it uses a Linux tree that tools/setup.sh unpacks from
# Debian's linux-source package into .cache/, or KSRC=<any Linux tree>.

SCX_TOP := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
SCX_ATTACH_CACHE ?= $(SCX_TOP)/.cache
export SCX_ATTACH_CACHE

ifneq ($(wildcard $(SCX_TOP)/../kselftest_harness.h),)
KSFT_DIR := $(abspath $(SCX_TOP)/..)
KSRC ?= $(abspath $(KSFT_DIR)/../../..)
else
KSRC ?= $(shell printf '%s\n' $(wildcard $(SCX_ATTACH_CACHE)/linux-source-*/tools/testing/selftests/lib.mk) | \
	  sort -V | tail -n 1 | sed 's|/tools/testing/selftests/lib.mk$$||')
ifeq ($(KSRC),)
$(error no Linux tree: run tools/setup.sh, or pass KSRC=<linux tree>)
endif
KSFT_DIR := $(abspath $(KSRC)/tools/testing/selftests)
endif

CFLAGS += -Wall -O2 -g -I$(SCX_TOP) -I$(KSFT_DIR) $(KHDR_INCLUDES)
LDLIBS += -lpthread

TEST_GEN_PROGS := scx_attach_test
TEST_GEN_FILES := sim_test fake_sched
TEST_FILES := run_tests.sh

SCX_LIB_SRCS := $(wildcard $(SCX_TOP)/lib/*.c)
SCX_LIB_HDRS := $(wildcard $(SCX_TOP)/lib/*.h)

include $(KSFT_DIR)/lib.mk

# The fixture schedulers need clang and the tree's libbpf and bpftool;
# without clang the suite still builds and its fixture variants SKIP.
SCX_CLANG := $(firstword $(foreach c,$(CLANG) clang-22 clang-21 clang-20 clang-19 clang,\
		$(shell command -v $(c) 2>/dev/null)))
ifneq ($(SCX_CLANG),)
KSRC := $(abspath $(KSRC))
include $(SCX_TOP)/fixtures/build.mk
TEST_GEN_PROGS_EXTENDED += $(FIXTURE_PROGS)
all: $(FIXTURE_PROGS)
EXTRA_CLEAN += $(FX_BUILD)
endif

LOCAL_HDRS += $(SCX_LIB_HDRS)

$(OUTPUT)/scx_attach_test: scx_attach_test.c $(SCX_LIB_SRCS) $(SCX_LIB_HDRS)
$(OUTPUT)/sim_test: selftest/sim_test.c selftest/fake_kernel.c $(SCX_LIB_SRCS) $(SCX_LIB_HDRS)
	$(call msg,CC,,$@)
	$(Q)$(LINK.c) $(filter %.c,$^) $(LDLIBS) -o $@
$(OUTPUT)/fake_sched: selftest/fake_sched.c
	$(call msg,CC,,$@)
	$(Q)$(LINK.c) $^ -o $@

VM_ARGS ?=

# Self-tests of the harness on a SIMULATED sysfs tree: fast, no root needed.
# prove checks that the harness's TAP parses.
check-sim: $(OUTPUT)/sim_test $(OUTPUT)/fake_sched
	cd $(OUTPUT) && prove -v --exec '' ./sim_test

# The suite on REAL kernels booted under qemu (vm/check.sh says which).
vm-check: all
	$(SCX_TOP)/vm/check.sh $(OUTPUT) $(VM_ARGS)

# Fragments with one job each: the ecosystem checks, the benchmark, and
# the reliability checks (sanitizers, fuzzing, soak, kill cases).
-include $(SCX_TOP)/tools/ecosystem.mk
-include $(SCX_TOP)/bench/bench.mk
-include $(SCX_TOP)/reliability/reliability.mk

check: check-sim vm-check

.PHONY: check check-sim vm-check
