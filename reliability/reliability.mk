# SPDX-License-Identifier: GPL-2.0
#
# reliability/reliability.mk - does the harness itself hold up?
# Included by the top Makefile (SCX_TOP = repo top, OUTPUT = build dir).
#
#   check-asan          lib/ + the SIMULATED self-tests, sec_test, guard_test
#                       and a simulated soak, built with clang-19 ASan+UBSan;
#                       any sanitizer report fails
#   check-sec           sec_test (plain build) and the no-fixed-/tmp-path scan
#   fuzz                every libFuzzer target for FUZZ_TIME s (60)
#   fuzz-smoke          the same, FUZZ_SMOKE_TIME s (20) each, for CI
#   soak                SOAK_CYCLES (200) attach/detach cycles in the VM
#   soak-smoke          SOAK_SMOKE_CYCLES (25) of them, for CI
#   check-kill          killed-mid-flight cases in the VM
#   check-badinput-vm   bad input on the real kernel, in the VM
#   check-reliability   all of the above, CI-sized
#
# VM targets take VM_ARGS like vm-check (e.g. VM_ARGS="--accel tcg").
# Sanitizer and fuzzer builds go to $(OUTPUT)/reliability-build/.

# lib.mk sets OUTPUT only at MAKELEVEL 0, and an empty one would put the
# build at the root of the filesystem: sub-makes get OUTPUT passed, and
# this falls back on the current directory.
REL_DIR := $(SCX_TOP)/reliability
REL_SUITE := $(or $(OUTPUT),$(CURDIR))
REL_OUT := $(REL_SUITE)/reliability-build
REL_CLANG ?= clang-19

FUZZ_TIME ?= 60
FUZZ_SMOKE_TIME ?= 20
SOAK_CYCLES ?= 200
SOAK_SMOKE_CYCLES ?= 25
FUZZ_TARGETS := args uevent kline window

REL_INC := -I$(SCX_TOP) -I$(KSFT_DIR) $(KHDR_INCLUDES)
REL_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
REL_ASAN_CFLAGS := -g -O1 -Wall -D_GNU_SOURCE $(REL_SAN) $(REL_INC)
REL_CFLAGS := -g -O2 -Wall -D_GNU_SOURCE $(REL_INC)

# Any report is fatal, and lands in a file checked afterwards too, so that
# one in a forked child whose exit status is not looked at still fails.
REL_SAN_LOG := $(REL_OUT)/asan/reports
REL_SAN_ENV := ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:log_path=$(REL_SAN_LOG)/asan \
	UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$(REL_SAN_LOG)/ubsan

REL_LIB := $(SCX_LIB_SRCS)
REL_FK := $(SCX_TOP)/selftest/fake_kernel.c

$(REL_OUT) $(REL_OUT)/asan $(REL_OUT)/fuzz:
	@mkdir -p $@

# ------------------------------------------------------------ plain builds

$(REL_OUT)/soak: $(REL_DIR)/soak.c $(REL_LIB) $(REL_FK) $(SCX_LIB_HDRS) | $(REL_OUT)
	$(CC) $(REL_CFLAGS) -o $@ $(filter %.c,$^) -lpthread

$(REL_OUT)/sec_test: $(REL_DIR)/sec_test.c $(REL_LIB) $(SCX_LIB_HDRS) | $(REL_OUT)
	$(CC) $(REL_CFLAGS) -o $@ $(filter %.c,$^) -lpthread

$(REL_OUT)/probe_sched: $(REL_DIR)/probe_sched.c | $(REL_OUT)
	$(CC) $(REL_CFLAGS) -o $@ $<

# A scheduler stand-in that floods its output (the 200 MB log case).
$(REL_OUT)/flood_sched: $(REL_DIR)/flood_sched.c | $(REL_OUT)
	$(CC) $(REL_CFLAGS) -o $@ $<

# ------------------------------------------------------- sanitizer builds

REL_ASAN_BINS := $(addprefix $(REL_OUT)/asan/,unit_test sim_test fake_sched soak sec_test guard_test \
	probe_sched)

$(REL_OUT)/asan/sim_test: $(SCX_TOP)/selftest/sim_test.c $(REL_FK) $(REL_LIB) $(SCX_LIB_HDRS) | $(REL_OUT)/asan
	$(REL_CLANG) $(REL_ASAN_CFLAGS) -o $@ $(filter %.c,$^) -lpthread
$(REL_OUT)/asan/unit_test: $(SCX_TOP)/selftest/unit_test.c $(REL_LIB) $(SCX_LIB_HDRS) | $(REL_OUT)/asan
	$(REL_CLANG) $(REL_ASAN_CFLAGS) -o $@ $(filter %.c,$^) -lpthread
$(REL_OUT)/asan/fake_sched: $(SCX_TOP)/selftest/fake_sched.c | $(REL_OUT)/asan
	$(CC) $(REL_CFLAGS) -o $@ $<
$(REL_OUT)/asan/soak: $(REL_DIR)/soak.c $(REL_LIB) $(REL_FK) $(SCX_LIB_HDRS) | $(REL_OUT)/asan
	$(REL_CLANG) $(REL_ASAN_CFLAGS) -o $@ $(filter %.c,$^) -lpthread
$(REL_OUT)/asan/sec_test: $(REL_DIR)/sec_test.c $(REL_LIB) $(SCX_LIB_HDRS) | $(REL_OUT)/asan
	$(REL_CLANG) $(REL_ASAN_CFLAGS) -o $@ $(filter %.c,$^) -lpthread
$(REL_OUT)/asan/guard_test: $(REL_DIR)/guard_test.c $(REL_FK) $(REL_LIB) $(SCX_LIB_HDRS) | $(REL_OUT)/asan
	$(REL_CLANG) $(REL_ASAN_CFLAGS) -o $@ $(filter %.c,$^) -lpthread
$(REL_OUT)/asan/probe_sched: $(REL_DIR)/probe_sched.c | $(REL_OUT)/asan
	$(CC) $(REL_CFLAGS) -o $@ $<

# The stand-in schedulers (fake_sched, probe_sched) are not what is under
# test and are built plainly: ASan's own SIGSEGV handler would turn
# fake_sched's deliberate crash into an exit, and the child's sanitized
# environment would not carry ASAN_OPTIONS to them anyway.
check-asan: $(REL_ASAN_BINS)
	@rm -rf $(REL_SAN_LOG) && mkdir -p $(REL_SAN_LOG)
	@echo "check-asan: clang-19 -fsanitize=address,undefined: unit_test, sim_test, sec_test, guard_test, soak --sim"
	cd $(REL_OUT)/asan && $(REL_SAN_ENV) prove -v --exec '' ./unit_test ./sim_test ./sec_test ./guard_test
	cd $(REL_OUT)/asan && $(REL_SAN_ENV) SCX_ATTACH_GATE_MS=100 SCX_ATTACH_HOLD_MS=100 \
		SCX_ATTACH_GRACE_MS=500 prove -v --exec '' ./soak :: -n 20 --sim ./fake_sched
	@if ls $(REL_SAN_LOG)/* >/dev/null 2>&1; then \
		echo "check-asan: sanitizer reports:"; cat $(REL_SAN_LOG)/*; exit 1; \
	fi
	@echo "check-asan: no sanitizer reports"

# ----------------------------------------------------------------- fuzzing

REL_FUZZ_BINS := $(addprefix $(REL_OUT)/fuzz/fuzz_,$(FUZZ_TARGETS))

$(REL_OUT)/fuzz/fuzz_%: $(SCX_TOP)/fuzz/fuzz_%.c $(REL_LIB) $(SCX_LIB_HDRS) | $(REL_OUT)/fuzz
	$(REL_CLANG) -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all $(REL_INC) -o $@ $(filter %.c,$^) -lpthread

# fuzz-run SECONDS: the seed corpus first (a regression run), then new
# inputs into a scratch corpus; the repo's corpus is only read.
define rel_fuzz_run
	@rm -rf $(REL_OUT)/fuzz/artifacts && mkdir -p $(REL_OUT)/fuzz/artifacts
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(REL_OUT)/fuzz/corpus-$$t; \
		echo "fuzz: $$t: seed corpus"; \
		$(REL_OUT)/fuzz/fuzz_$$t -runs=0 $(SCX_TOP)/fuzz/corpus/$$t 2>&1 | tail -n 1; \
		echo "fuzz: $$t: $(1) s"; \
		$(REL_OUT)/fuzz/fuzz_$$t -max_total_time=$(1) -timeout=10 -rss_limit_mb=1024 \
			-max_len=16384 -print_final_stats=1 \
			-artifact_prefix=$(REL_OUT)/fuzz/artifacts/$$t- \
			$(REL_OUT)/fuzz/corpus-$$t $(SCX_TOP)/fuzz/corpus/$$t \
			>$(REL_OUT)/fuzz/$$t.log 2>&1 || { tail -n 40 $(REL_OUT)/fuzz/$$t.log; exit 1; }; \
		grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' $(REL_OUT)/fuzz/$$t.log | tail -n 2; \
	done
	@echo "fuzz: $(words $(FUZZ_TARGETS)) targets, $(1) s each: no crash"
endef

fuzz: $(REL_FUZZ_BINS)
	$(call rel_fuzz_run,$(FUZZ_TIME))

fuzz-smoke: $(REL_FUZZ_BINS)
	$(call rel_fuzz_run,$(FUZZ_SMOKE_TIME))

# ------------------------------------------------------------ security

check-sec: $(REL_OUT)/sec_test $(REL_OUT)/probe_sched
	$(REL_DIR)/no-fixed-tmp.sh $(SCX_TOP)
	cd $(REL_OUT) && prove -v --exec '' ./sec_test

# ------------------------------------------------------------ in the VM

REL_VM_DEPS := all $(REL_OUT)/soak $(REL_OUT)/flood_sched

soak: $(REL_VM_DEPS)
	$(REL_DIR)/vm-soak.sh $(REL_SUITE) $(SOAK_CYCLES) $(VM_ARGS)

soak-smoke: $(REL_VM_DEPS)
	$(REL_DIR)/vm-soak.sh $(REL_SUITE) $(SOAK_SMOKE_CYCLES) $(VM_ARGS)

check-kill: $(REL_VM_DEPS)
	$(REL_DIR)/vm-kill.sh $(REL_SUITE) $(VM_ARGS)

check-badinput-vm: $(REL_VM_DEPS)
	$(REL_DIR)/vm-badinput.sh $(REL_SUITE) $(VM_ARGS)

check-reliability:
	@t0=$$(date +%s); fail=0; \
	for t in check-sec check-asan fuzz-smoke soak-smoke check-kill check-badinput-vm; do \
		s=$$(date +%s); \
		if $(MAKE) --no-print-directory OUTPUT=$(REL_SUITE) $$t; then r=ok; else r=FAILED; fail=$$((fail + 1)); fi; \
		echo "check-reliability: $$t $$r in $$(( $$(date +%s) - s )) s"; \
	done; \
	echo "check-reliability: took $$(( $$(date +%s) - t0 )) s"; \
	echo "check-reliability: $$((6 - fail)) passed, $$fail failed"; \
	[ $$fail = 0 ]

.PHONY: check-asan check-sec fuzz fuzz-smoke soak soak-smoke check-kill check-badinput-vm \
	check-reliability

EXTRA_CLEAN += $(REL_OUT)
