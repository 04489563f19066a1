/* SPDX-License-Identifier: GPL-2.0 */
/*
 * attach_bench: a child scheduler's attach cycles beneath one parent that
 * stays attached at the root, watched by lib/'s scx_sub_run() as the suite
 * does, and what the kernel said about each.
 */
#ifndef __SCX_BENCH_SUBCYCLE_H
#define __SCX_BENCH_SUBCYCLE_H

#include "lib/subwatch.h"
#include "cycle.h"

#define SUB_UEV_LIST	16	/* the first cycle's sched_ext uevents listed */
#define SUB_GONE_MS	500	/* for a "remove" uevent the kernel may not send */

/* How the parent and the child are spawned: sh -c SCRIPT SCHED ARGS... */
extern char sub_quiet[];

struct sub_cycle {
	bool ok;
	char why[640];
	enum scx_sub_outcome outcome;
	uint64_t t_spawn, t_seen, t_verdict;	/* CLOCK_MONOTONIC ns; t_seen 0: never */
	uint64_t k_enabled, k_disabled;	/* raw kmsg ts of the sub-scheduler records, 0: none */
	uint64_t uev_add, uev_remove;	/* the child's kobject uevents at the listener */
	enum scx_wake attach_by;
	bool by_uevent;			/* the kernel's "add" uevent said enabled first */
	int mark, mark_end;		/* the reference events of this cycle */
};

struct sub_run {
	const char *sched, *ops;	/* parent and child: the same binary */
	unsigned long long cgid;	/* the child's cgroup */
	char cgpath[PATH_MAX];
	uint64_t parent_ms;		/* the parent's attach, from its spawn */
	char why[640];			/* why the run could not start, if so */
};

/*
 * Start @sched as the parent at the root, then @k child cycles of it on a
 * private cgroup (+ the warm-up), then stop the parent.  Cycles go to
 * @out; returns how many failed, or -1 if the parent could not be started
 * or the kernel takes no children (@sr->why says).
 */
int sub_cycles(const struct bench *b, struct sub_run *sr, int k, struct sub_cycle *out,
	       int *n);

#endif /* __SCX_BENCH_SUBCYCLE_H */
