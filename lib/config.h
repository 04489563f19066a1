/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: windows, paths and arguments, from the environment and from
 * files.
 */
#ifndef __SCX_ATTACH_CONFIG_H
#define __SCX_ATTACH_CONFIG_H

#include "common.h"

struct scx_splat_allow;

#define SCX_SYSFS_DEFAULT	"/sys/kernel/sched_ext"
#define SCX_KMSG_DEFAULT	"/dev/kmsg"
#define SCX_CPUS_DEFAULT	"/sys/devices/system/cpu"

#define SCX_ARGS_MAX		256	/* arguments from an args file */
#define SCX_ARGS_FILE_MAX	65536	/* bytes; more is not an args file */
#define SCX_REPEAT_MAX		10000
#define SCX_STRESS_MAX_S	3600
#define SCX_TEST_TIMEOUT_MAX_S	(7 * 24 * 3600)
/* A test's harness bound over its windows: setup, the report, the stops' own bounds. */
#define SCX_TEST_MARGIN_MS	10000
/* Floors under the grace, each one wait of an ending (scx_cfg_cycle_ms() adds them up). */
#define SCX_REASON_WAIT_MS	500	/* the kernel's reason for a disable */
#define SCX_KILL_WAIT_MS	1000	/* the reap after SIGKILL */
#define SCX_LAST_WORDS_MS	100	/* the scheduler's output after its exit */

/*
 * Every window is configurable (SCX_ATTACH_* environment variables, or
 * run_tests.sh flags that set them): emulated machines need far wider
 * windows than bare metal, and SCX_ATTACH_EMULATED=1 selects those.
 */
struct scx_cfg {
	unsigned int gate_ms;	/* must stay alive this long after spawn */
	unsigned int attach_ms;	/* budget of the scheduler's own CPU time to attach */
	unsigned int wall_ms;	/* wall-clock guard on the attach wait */
	unsigned int hold_ms;	/* must stay attached this long after the verdict */
	unsigned int grace_ms;	/* SIGTERM -> SIGKILL grace, and bounded reap */
	unsigned int settle_ms;	/* wait for state "disabled" around each test */
	unsigned int poll_ms;	/* fallback cadence when no event arrives */
	unsigned int stress_ms;	/* hold this long under the stress load; 0: none */
	unsigned int repeat;	/* attach/hold/stop cycles per test */
	bool hotplug;		/* offline and online a CPU while it holds */
	unsigned int test_timeout_s;	/* each test's harness bound; 0: from its windows */
	size_t log_cap;		/* bytes of scheduler output kept in the log file */
	bool emulated;		/* windows for an emulated (TCG) machine */
	bool uevent;		/* listen to kobject uevents (the fast path) */
	bool pidfd;		/* false: act as on kernels before pidfd_open() */
	bool load;		/* run the built-in load during the hold window */
	const struct scx_splat_allow *splat_allow;	/* known-benign splats, or NULL */
	bool splat_scx_errors;	/* sched_ext runtime errors count as splats */
	char sysfs[PATH_MAX];	/* sched_ext sysfs root (a fake one in self-tests) */
	char kmsg[PATH_MAX];	/* kernel log: /dev/kmsg or a file of kmsg records */
	char cpus[PATH_MAX];	/* CPU sysfs, cpuN/online (a fake one in self-tests) */
	char tmpdir[PATH_MAX];	/* parent of the private log directory */
};

/* Defaults, then the environment.  Returns -EINVAL with @err filled. */
int scx_cfg_init(struct scx_cfg *cfg, char *err, size_t errlen);

/*
 * What one test asks on top of the run's windows (a fixture variant, a
 * manifest line).  0 leaves the run's value; hotplug -1 too.
 */
struct scx_cfg_want {
	unsigned int gate_ms;
	unsigned int attach_ms;	/* also widens the wall guard to 3x */
	unsigned int wall_ms;	/* replaces the run's (a scheduler meant to hang) */
	unsigned int hold_ms;	/* at least this: the run's --hold may be longer */
	unsigned int stress_ms;
	unsigned int repeat;
	int hotplug;		/* -1: the run's, 0: off, 1: on */
	bool load;		/* on; never turns the run's off */
	bool keep_load;		/* judged by the load's threads: the run's stress off */
};

/* The one rule for a test's own windows over the run's. */
void scx_cfg_apply(struct scx_cfg *cfg, const struct scx_cfg_want *w);

/*
 * The longest one attach/hold/stop cycle can take with @cfg, in ms: the
 * settle waits, the attach window's wall guard, the hold and every grace.
 */
unsigned int scx_cfg_cycle_ms(const struct scx_cfg *cfg);
/*
 * The longest a test can take: every cycle at its longest, and one run
 * again (a watchdog ejection the test bed's vCPU stalls explain).
 */
unsigned int scx_cfg_worst_ms(const struct scx_cfg *cfg);
/*
 * The least a test takes that passes attached: each cycle alive for the
 * gate, then held (or stressed) for its window.
 */
unsigned int scx_cfg_least_ms(const struct scx_cfg *cfg);
/* The harness's timeout, in s, for a test that takes @worst_ms at most. */
unsigned int scx_test_bound_s(unsigned long long worst_ms);

/* What the tests of a run can take, added up before it starts. */
struct scx_budget {
	unsigned int tests;
	unsigned long long least_ms;	/* sum of what each must take */
	unsigned long long worst_ms;	/* sum of what each may take */
	unsigned int bound_s;		/* the longest test's harness bound */
};

void scx_budget_add(struct scx_budget *b, unsigned long long worst_ms,
		    unsigned long long least_ms);

/*
 * Does the run fit the kselftest runner's timeout @runner_s (0: none)?
 * 0 if it does; -ETIME with @msg (a "time: ..." line) if it cannot, or
 * if what it must take is over half of it.
 */
int scx_budget_check(const struct scx_budget *b, unsigned int runner_s, char *msg, size_t len);

/*
 * Parse a window: "1500", "1500ms" or "2s".  Zero, negative, garbage and
 * values over a day are rejected with -EINVAL.
 */
int scx_parse_ms(const char *s, unsigned int *ms);

/* A count from 1 to @max (cycles, seconds).  -EINVAL otherwise. */
int scx_parse_count(const char *s, unsigned int max, unsigned int *n);

/*
 * Split @buf in place on whitespace into at most @max arguments.
 * Returns the count, or -E2BIG.
 */
int scx_args_split(char *buf, char **argv, int max);

/* @args into @dst with each @mark (e.g. "{cgroup}") replaced by @value.  0 or -E2BIG. */
int scx_args_subst(char *dst, size_t len, const char *args, const char *mark, const char *value);

/*
 * Read an args file into @buf (NUL-terminated).  A missing file means no
 * arguments (returns 0 and an empty buffer, as ktstr's scheduler start
 * has it); unreadable, blank or oversized files are errors with @err
 * filled.
 */
int scx_args_read(const char *path, char *buf, size_t len, char *err, size_t errlen);

#endif /* __SCX_ATTACH_CONFIG_H */
