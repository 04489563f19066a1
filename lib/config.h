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

#define SCX_ARGS_MAX		256	/* arguments from an args file */
#define SCX_ARGS_FILE_MAX	65536	/* bytes; more is not an args file */
#define SCX_REPEAT_MAX		10000
#define SCX_STRESS_MAX_S	3600

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
	size_t log_cap;		/* bytes of scheduler output kept in the log file */
	bool emulated;		/* windows for an emulated (TCG) machine */
	bool uevent;		/* listen to kobject uevents (the fast path) */
	bool pidfd;		/* false: act as on kernels before pidfd_open() */
	bool load;		/* run the built-in load during the hold window */
	const struct scx_splat_allow *splat_allow;	/* known-benign splats, or NULL */
	bool splat_scx_errors;	/* sched_ext runtime errors count as splats */
	char sysfs[PATH_MAX];	/* sched_ext sysfs root (a fake one in self-tests) */
	char kmsg[PATH_MAX];	/* kernel log: /dev/kmsg or a file of kmsg records */
	char tmpdir[PATH_MAX];	/* parent of the private log directory */
};

/* Defaults, then the environment.  Returns -EINVAL with @err filled. */
int scx_cfg_init(struct scx_cfg *cfg, char *err, size_t errlen);

/*
 * The longest one attach/hold/stop cycle can take with @cfg, in ms: the
 * settle waits, the attach window's wall guard, the hold and every grace.
 */
unsigned int scx_cfg_worst_ms(const struct scx_cfg *cfg);

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

/*
 * Read an args file into @buf (NUL-terminated).  A missing file means no
 * arguments (returns 0 and an empty buffer, as ktstr's scheduler start
 * has it); unreadable, blank or oversized files are errors with @err
 * filled.
 */
int scx_args_read(const char *path, char *buf, size_t len, char *err, size_t errlen);

#endif /* __SCX_ATTACH_CONFIG_H */
