/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: a load inside one cgroup of a hierarchy (a child
 * scheduler's, or one its parent schedules), and what the kernel says of
 * who ran it.
 *
 * A process of its own joins the cgroup (a cgroup holds whole processes)
 * and runs lib/load.c's threads there (SCHED_EXT under a root in partial
 * mode, which runs only those).  Before they stop it reads, for each
 * thread, what /proc/PID/task/TID/sched says (ext.enabled, policy,
 * nr_switches, se.sum_exec_runtime; without that file, the context
 * switches of .../status and the policy of .../stat) and the cgroup it is
 * in; then judges their gaps.  The kernel has no per-task record of which scheduler ran a
 * task: a task of a child's cgroup belongs to the child, and the child's
 * own events say whether the kernel took its tasks away from it (bypass).
 * So "the child ran them" is: in its cgroup, on sched_ext, each one run
 * and none starved, and the child's bypass counters still during the hold.
 */
#ifndef __SCX_ATTACH_SUBLOAD_H
#define __SCX_ATTACH_SUBLOAD_H

#include <stdatomic.h>
#include <sys/types.h>

#include "common.h"
#include "load.h"

/* sched_ext's per-scheduler bypass counters (its events file). */
struct scx_bypass {
	bool read;			/* the file was read */
	long long activate;		/* SCX_EV_BYPASS_ACTIVATE */
	long long dispatch;		/* SCX_EV_BYPASS_DISPATCH */
	long long duration_ns;		/* SCX_EV_BYPASS_DURATION */
};

/* What the load's own process saw of its threads, just before the stop. */
struct scx_subload_proof {
	char cgroup[256];		/* its /proc/self/cgroup path ("/a/b") */
	int threads;			/* load threads read */
	int unstarted;			/* of them, never run even once (no tid yet) */
	bool ext_known;			/* /proc/PID/sched shows ext.enabled */
	int on_ext;			/* with ext.enabled 1 */
	int ran;			/* with nr_switches and runtime above 0 */
	int policy;			/* the first thread's policy */
	unsigned long long switches;	/* all threads' nr_switches */
	unsigned long long runtime_us;	/* and run time */
	pid_t off_ext_tid;		/* a thread with ext.enabled 0, or 0 */
	pid_t idle_tid;			/* a thread that never ran, or 0 */
};

struct scx_subload_result {
	struct scx_load_result load;	/* its gaps, judged in its process */
	struct scx_subload_proof proof;
	int err;			/* -errno: the load could not run (detail says) */
	char detail[512];
	bool judged;			/* the process judged and reported */
};

struct subload_shm;

struct scx_subload {
	pid_t pid;			/* the load's process; -1: none */
	int stop;			/* write end: closed, the load stops */
	char cgroup[PATH_MAX];		/* the cgroup's directory */
	unsigned int bound_ms;		/* the load's max gap */
	struct subload_shm *shm;
};

/*
 * Start a process that joins the cgroup directory @cg and runs the load
 * for at most @ms (@max_gap_ms: its bound), SCHED_EXT if @ext (a root in
 * partial mode runs only those).  Call it from a thread that lives until
 * the stop (the process dies with it).  0, or -errno with @err filled;
 * nothing is left running on failure.
 */
int scx_subload_start(struct scx_subload *s, const char *cg, unsigned int ms,
		      unsigned int max_gap_ms, bool ext, char *err, size_t errlen);

/*
 * Stop it and collect what it saw; within 3 x @grace_ms plus the load's
 * bound, then it is killed (r->judged false).  Safe on a never-started one.
 */
void scx_subload_stop(struct scx_subload *s, unsigned int grace_ms, struct scx_subload_result *r);

/* Read the bypass counters of the scheduler directory @dir below the sysfs @dfd. */
int scx_bypass_read(int dfd, const char *dir, struct scx_bypass *b);

/*
 * Did the scheduler of the cgroup run the load?  0: proved, @line says
 * how; 1: it did not, @line says what was seen; -errno: the load itself
 * failed (@line says how), nothing is decided.  @cg: the cgroup's path
 * as /proc/PID/cgroup shows it; @before, @after: the scheduler's bypass
 * counters at the load's start and end.
 */
int scx_subload_judge(const struct scx_subload_result *r, const char *cg,
		      const struct scx_bypass *before, const struct scx_bypass *after,
		      char *line, size_t len);

#endif /* __SCX_ATTACH_SUBLOAD_H */
