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

# The fixture schedulers need clang and the tree's libbpf and bpftool.
SCX_CLANG := $(if $(shell command -v clang-19 2>/dev/null),clang-19,$(shell command -v clang 2>/dev/null))
ifneq ($(and $(SCX_CLANG),$(wildcard $(SCX_TOP)/fixtures/build.mk)),)
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

# Self-tests of the harness on a simulated sysfs tree: fast, no root needed.
check-sim: $(OUTPUT)/sim_test $(OUTPUT)/fake_sched
	cd $(OUTPUT) && ./sim_test

# The suite on a real sched_ext kernel, booted under qemu.
vm-check: all
	$(SCX_TOP)/vm/run-vm.sh --suite-dir $(OUTPUT) $(VM_ARGS)

check: check-sim vm-check

.PHONY: check check-sim vm-check
