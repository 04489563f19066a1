/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A seed-faithful baseline waiter, kept only as a reference for the
 * benchmark: a fixed pidfd liveness gate, THEN root/ops non-empty, checked
 * with inotify (IN_CREATE|IN_MOVED_TO on the sched_ext directory) plus a
 * fixed re-read cadence, against a fixed deadline.  It is deliberately what
 * the seed did, flaws included (root/ops appears while still "enabling").
 */
#ifndef __SCX_BENCH_BASELINE_H
#define __SCX_BENCH_BASELINE_H

#include <stdint.h>
#include <sys/types.h>

enum bl_verdict {
	BL_ATTACHED,	/* alive through the gate, then root/ops non-empty */
	BL_DIED,	/* the pidfd became readable during the gate */
	BL_TIMEOUT,	/* root/ops stayed empty until the deadline */
	BL_ERROR,	/* the waiter itself could not run (spawn, pidfd, ...) */
};

struct bl_cfg {
	unsigned int gate_ms;		/* 1000 */
	unsigned int cadence_ms;	/* 50 */
	unsigned int deadline_ms;	/* 10000, wider under emulation; counted from the gate's end */
	const char *sysfs;		/* /sys/kernel/sched_ext */
};

struct bl_result {
	enum bl_verdict verdict;
	pid_t pid;
	int pidfd;
	uint64_t t_spawn;	/* CLOCK_MONOTONIC ns, just before fork() */
	uint64_t t_gate_end;	/* the gate's poll() returned */
	uint64_t t_seen;	/* root/ops read non-empty: the verdict */
	uint64_t t_last_miss;	/* the read before that, still empty */
	unsigned int wakeups;	/* returns from poll(), spawn to verdict */
	char state_at_hit[16];	/* sched_ext state read just after the hit */
	char ops[128];
	char err[160];
};

/* Spawn @bin (output to /dev/null) and wait as the seed did. */
int bl_run(const struct bl_cfg *cfg, const char *bin, char *const argv[], struct bl_result *r);

/*
 * SIGINT, wait for the process, then re-read state every cadence until it
 * says "disabled" (at most @settle_ms).  @t_kill and @t_disabled are
 * CLOCK_MONOTONIC ns.  0, or -ETIMEDOUT.
 */
int bl_stop(const struct bl_cfg *cfg, struct bl_result *r, unsigned int settle_ms,
	    uint64_t *t_kill, uint64_t *t_disabled);

#endif /* __SCX_BENCH_BASELINE_H */
