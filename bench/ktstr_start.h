/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A waiter that works the way ktstr's scheduler start does, kept as the
 * benchmark's reference: a fixed pidfd liveness gate, THEN root/ops
 * non-empty, looked for with inotify (IN_CREATE|IN_MOVED_TO on the
 * sched_ext directory) plus a fixed re-read cadence, against a fixed
 * deadline.  Its flaws are kept on purpose: root/ops appears while the
 * kernel is still "enabling", and nothing is looked at during the gate.
 */
#ifndef __SCX_BENCH_KTSTR_START_H
#define __SCX_BENCH_KTSTR_START_H

#include <stdint.h>
#include <sys/types.h>

enum kt_verdict {
	KT_ATTACHED,	/* alive through the gate, then root/ops non-empty */
	KT_DIED,	/* the pidfd became readable during the gate */
	KT_TIMEOUT,	/* root/ops stayed empty until the deadline */
	KT_ERROR,	/* the waiter itself could not run (spawn, pidfd, ...) */
};

struct kt_cfg {
	unsigned int gate_ms;		/* 1000 */
	unsigned int cadence_ms;	/* 50 */
	unsigned int deadline_ms;	/* 10000, 60000 emulated; from the gate's end */
	const char *sysfs;		/* /sys/kernel/sched_ext */
};

struct kt_result {
	enum kt_verdict verdict;
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

/* Spawn @bin (output to /dev/null) and wait the way ktstr's start does. */
int kt_run(const struct kt_cfg *cfg, const char *bin, char *const argv[], struct kt_result *r);

/*
 * SIGINT, wait for the process, then re-read state every cadence until it
 * says "disabled" (at most @settle_ms).  @t_kill and @t_disabled are
 * CLOCK_MONOTONIC ns.  0, or -ETIMEDOUT.
 */
int kt_stop(const struct kt_cfg *cfg, struct kt_result *r, unsigned int settle_ms,
	    uint64_t *t_kill, uint64_t *t_disabled);

#endif /* __SCX_BENCH_KTSTR_START_H */
