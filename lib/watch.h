/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: watch a scheduler from spawn to verdict.
 */
#ifndef __SCX_ATTACH_WATCH_H
#define __SCX_ATTACH_WATCH_H

#include "config.h"
#include "hotplug.h"
#include "kmsg.h"
#include "load.h"
#include "spawn.h"
#include "splat.h"
#include "stall.h"
#include "stress.h"
#include "sysfs.h"
#include "verdict.h"
#include "waiter.h"

struct scx_result {
	enum scx_verdict verdict;
	enum scx_wake attach_by;	/* what revealed the attach */
	enum scx_wake decided_by;	/* what revealed the verdict */
	int err;			/* spawn failed: -errno */
	char detail[2 * SCX_REASON_LEN];	/* one line on what exactly happened */
	char owner[SCX_REASON_LEN];	/* who holds the attached struct_ops, if known */
	struct scx_snap before;		/* sysfs just before the spawn */
	struct scx_snap last;		/* sysfs at the verdict */
	char reason[SCX_REASON_LEN];	/* the kernel's disable reason, if any */
	bool kernel_error;		/* that reason is an error, not an unregistration */
	uint64_t t_spawn;		/* CLOCK_MONOTONIC ns of the spawn */
	uint64_t t_attach;		/* ns after spawn; 0: never attached */
	uint64_t t_verdict;		/* ns after spawn */
	uint64_t cpu_ns;		/* scheduler CPU time when the attach was seen */
	int restarts;			/* re-attached after the kernel asked it to restart */
	uint64_t t_reattach_max;	/* longest detach -> re-attach, ns */
	size_t out_mark;		/* output bytes before the newest restart was seen */
	unsigned int wakeups;		/* poll() returns before the attach verdict */
	unsigned int wake_count[SCX_WAKE_NR];
	bool uevent;			/* the uevent socket was listening */
	bool saw_loading;		/* enabling or root/ seen after the spawn */
	bool kmsg;			/* the kernel log was readable */
	struct scx_kmsg klog;		/* sched_ext lines since the spawn */
	struct scx_splat splat;		/* kernel splats since the spawn */
	bool stressed;			/* the hold ran under the stress load */
	struct scx_stress_result stress;
	bool loaded;			/* the hold ran the load */
	struct scx_load_result load;
	int vref_threads;		/* the hold's vCPU reference: threads, how long, CPU time */
	uint64_t vref_ran_ns, vref_cpu_ns;
	bool stalled;			/* ejected by the watchdog: its wait judged */
	struct scx_stall stall;
	int nr_hotplug;			/* CPU hotplug writes done in the hold */
	struct scx_hotplug_op hotplug[2];	/* offline, online */
	char note[SCX_REASON_LEN];	/* what the test bed could not do, if anything */
};

/*
 * Run @bin and watch it: busy check, spawn, liveness gate, attach wait,
 * hold window.  Fills @r with the verdict.  @c and @r stay owned by the
 * caller (@r must not move: the kernel log reader points into it), and
 * scx_finish() must follow, whatever the verdict.  Returns 0, or -errno
 * for a setup failure of the watcher itself (with r->detail filled).
 */
int scx_run(const struct scx_cfg *cfg, const char *bin, char *const argv[],
	    const char *expect_ops, struct scx_child *c, struct scx_result *r);

/*
 * Stop the scheduler (and anything it left behind), wait for sched_ext to
 * report "disabled", then read the kernel log one last time into @r (its
 * splats until now count) and close it.  Returns 0, -ETIMEDOUT (something
 * would not die or the kernel stayed busy), with @detail filled.
 */
int scx_finish(const struct scx_cfg *cfg, struct scx_child *c, struct scx_result *r,
	       char *detail, size_t len);

#endif /* __SCX_ATTACH_WATCH_H */
