/* SPDX-License-Identifier: GPL-2.0 */
/*
 * attach_bench: one attach/detach cycle with one waiter, and what the
 * kernel said about it.
 */
#ifndef __SCX_BENCH_CYCLE_H
#define __SCX_BENCH_CYCLE_H

#include "lib/watch.h"
#include "ktstr_start.h"

#define MAX_K		1000

enum waiter {
	W_LIB,		/* lib/: scx_run() + scx_finish(), as the suite runs them */
	W_LIB500,	/* the same, looking every 500 ms while the uevent and pidfd are live */
	W_KTSTR,	/* the way ktstr's scheduler start waits */
	W_NR,
};

extern const char *const waiter_name[W_NR];

struct opts {
	int k, warmup, reject_k, sub_k;
	const char *sub_sched, *sub_ops;	/* --sub: parent and child */
	bool compare_cadence;		/* W_LIB500 cycles too */
	const char *sched, *ops;
	char *argv[16];			/* the scheduler's, argv[0] = sched */
	char script[128];		/* sh -c: its output discarded, maybe a delay */
	char *xargv[24];		/* what is spawned: sh -c SCRIPT SCHED ARGS... */
	unsigned int delay_ms;		/* the load starts this long after the spawn */
	unsigned int gate_ms, hold_ms, cadence_ms, deadline_ms, settle_ms, reject_wall_ms;
	bool emulated, verbose;
};

struct cycle {
	enum waiter w;
	bool ok;
	char why[640];
	uint64_t t_call, t_return;	/* around scx_run() / kt_run() */
	uint64_t t_spawn, t_seen, t_verdict, t_hold_end, t_kill, t_disabled;
	uint64_t t_last_miss;		/* ktstr: its last empty read of root/ops */
	uint64_t k_enabled, k_disabled;	/* raw kmsg ts, 0: not seen */
	uint64_t uev_add, uev_remove;	/* listener arrival, 0: not seen */
	uint64_t cpu_ns;
	unsigned int wake_verdict;	/* wakeups but the output's, spawn to verdict */
	unsigned int wake_hold;		/* the same, spawn to the end of the hold */
	unsigned int wake_count[SCX_WAKE_NR];	/* lib/: by source, spawn to end of hold */
	enum scx_wake attach_by;
	enum scx_verdict verdict;	/* lib/ */
	bool premature;			/* ktstr: state not yet "enabled" at its verdict */
	long long seq_before;		/* enable_seq before the spawn */
	bool seq_late;			/* enable_seq had not moved when the add uevent came */
};

/* Everything a cycle needs besides the options. */
struct bench {
	struct opts o;
	struct scx_cfg cfg;		/* lib/ */
	struct scx_cfg cfg500;		/* lib/, 500 ms looks while live */
	struct scx_cfg cfg_reject;	/* lib/, rejection cycles: a short wall guard */
	struct scx_cfg cfg_reject500;	/* the same, 500 ms looks while live */
	struct kt_cfg kcfg;
};

/* sched_ext back to "disabled" with no root, within @ms: 0 or -ETIMEDOUT. */
int wait_disabled_quiet(const char *sysfs, unsigned int ms);

/*
 * One attach/hold/detach cycle of waiter @w.  -EBUSY if sched_ext was not
 * free before it; cy->ok says whether it attached and detached.
 */
int one_cycle(const struct bench *b, enum waiter w, struct cycle *cy);

/*
 * One load the kernel rejects while the spawned process lives on, watched
 * by lib/ with @cfg.  cy->verdict says what lib/ made of it.
 */
int reject_cycle(const struct bench *b, const struct scx_cfg *cfg, enum waiter w,
		 struct cycle *cy);

#endif /* __SCX_BENCH_CYCLE_H */
