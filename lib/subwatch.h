/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: watch a child scheduler from spawn to verdict beneath a
 * parent that is attached already (a test's own, or a foreign one it must
 * not touch).
 */
#ifndef __SCX_ATTACH_SUBWATCH_H
#define __SCX_ATTACH_SUBWATCH_H

#include "config.h"
#include "kmsg.h"
#include "spawn.h"
#include "sub.h"
#include "stress.h"
#include "subload.h"
#include "sysfs.h"
#include "waiter.h"

/*
 * The hold's loads (when the run's load is on): one in the child's
 * cgroup, one in a cgroup outside it that its parent schedules.  Under
 * the run's stress (cfg->stress_ms) the stress load runs instead, all of
 * it inside the child's cgroup.
 */
struct scx_sub_loads {
	const char *child_cg;		/* the child's cgroup directory */
	const char *parent_cg;		/* NULL: no load for the parent */
};

struct scx_sub_result {
	enum scx_sub_outcome outcome;
	struct scx_sub_obs obs;
	enum scx_sub_refusal refusal;	/* for SCX_SUB_REFUSED */
	char parent_dir[SCX_SUB_DIR_LEN];	/* scx_sub_dir() of the parent */
	char dir[SCX_SUB_DIR_LEN];	/* the child's, once found */
	unsigned long long cgid;	/* the child's cgroup id, once found */
	unsigned long long want_cgid;	/* the cgroup id it must take; 0: any */
	struct scx_snap root_before;	/* the root before the child's spawn */
	struct scx_snap root_last;
	struct scx_sub_list before;	/* the parent's children before the spawn */
	char reason[SCX_REASON_LEN];	/* the kernel's disable reason for the child */
	char msg[SCX_REASON_LEN];	/* and its message line, if any */
	char detail[2 * SCX_REASON_LEN];
	enum scx_sub_pfate pfate;	/* what became of the parent meanwhile */
	char preason[SCX_REASON_LEN];	/* the kernel's disable reason for the parent (at the root) */
	char pmsg[SCX_REASON_LEN];	/* and its message line, if any */
	uint64_t t_spawn;		/* CLOCK_MONOTONIC ns */
	uint64_t t_attach;		/* ns after the spawn; 0: never */
	uint64_t t_enabled_us;		/* the kernel record's time stamp, us; 0: none */
	bool enabled_by_uevent;		/* the kernel's "add" uevent said it first */
	enum scx_wake attach_by;	/* what woke the look that saw it attached */
	uint64_t t_verdict;		/* ns after the spawn */
	bool loaded;			/* the hold ran the loads */
	bool stressed;			/* the hold ran the stress load in the child's cgroup */
	struct scx_stress_result stress;
	struct scx_subload_result lc, lp;	/* the child's load, the parent's */
	char load_child[512];		/* who ran them, as judged */
	char load_parent[512];
	bool kmsg;			/* the kernel log was readable */
	struct scx_kmsg klog;		/* sched_ext lines since the spawn */
};

/*
 * Spawn @bin as a child of the scheduler whose sysfs directory is
 * @parent_dir (scx_sub_dir()), run by @parent (NULL: a foreign parent,
 * only looked at), and watch it until its verdict and then through the
 * hold window.  @cgid: the cgroup it must take (0: any new child).
 * scx_sub_finish() must follow.  0, or -errno for a failure of the
 * watcher itself (r->detail says).
 */
int scx_sub_run(const struct scx_cfg *cfg, const char *parent_dir, struct scx_child *parent,
		const char *bin, char *const argv[], const char *expect_ops,
		unsigned long long cgid, struct scx_child *c, struct scx_sub_result *r);

/* scx_sub_run() with the hold's loads (@loads NULL: none). */
int scx_sub_run_loaded(const struct scx_cfg *cfg, const char *parent_dir,
		       struct scx_child *parent, const char *bin, char *const argv[],
		       const char *expect_ops, unsigned long long cgid,
		       const struct scx_sub_loads *loads, struct scx_child *c,
		       struct scx_sub_result *r);

/*
 * After the parent was stopped under an attached child: wait (bounded by
 * the grace) for the child's loader to go and the kernel to say why, and
 * judge again.  The parent's exit is then the child's outcome, not a fault.
 */
void scx_sub_judge_end(const struct scx_cfg *cfg, struct scx_child *c, struct scx_sub_result *r);

/*
 * Stop the child, then wait (bounded) for its directory to go and collect
 * the kernel's last words on it.  The parent is left alone.  0, or
 * -ETIMEDOUT with @detail filled.
 */
int scx_sub_finish(const struct scx_cfg *cfg, struct scx_child *c, struct scx_sub_result *r,
		   char *detail, size_t len);

#endif /* __SCX_ATTACH_SUBWATCH_H */
