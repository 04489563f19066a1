// SPDX-License-Identifier: GPL-2.0
/*
 * attach_bench: a child scheduler's attach cycles beneath one parent.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/cgroup.h"
#include "lib/stress.h"
#include "reference.h"
#include "subcycle.h"

#define REF_WAIT_MS	2000	/* for the kernel's records of a cycle that is over */

/* As for the root's cycles: the output discarded, the waiter's wakeups its own. */
char sub_quiet[] = "exec \"$0\" \"$@\" >/dev/null 2>&1";

/* After a cycle: what the kernel said about the child. */
static void kernel_side(struct sub_cycle *cy, const char *ops)
{
	struct ref_ev e;

	if (ref_wait(REF_K_SUB_ENABLED, cy->mark, ops, -1, REF_WAIT_MS, &e))
		cy->k_enabled = e.t;
	if (ref_wait(REF_K_SUB_DISABLED, cy->mark, ops, -1, REF_WAIT_MS, &e))
		cy->k_disabled = e.t;
	if (ref_wait(REF_UEV_SUB_ADD, cy->mark, ops, -1, REF_WAIT_MS, &e))
		cy->uev_add = e.t;
	if (ref_wait(REF_UEV_SUB_REMOVE, cy->mark, NULL, -1, SUB_GONE_MS, &e))
		cy->uev_remove = e.t;
	cy->mark_end = ref_mark();
}

/* One child: spawn, verdict, hold, stop; -errno if the watcher failed. */
static int one_child(const struct bench *b, const struct sub_run *sr, struct scx_child *parent,
		     struct sub_cycle *cy)
{
	char *argv[] = { "sh", "-c", sub_quiet, (char *)sr->sched, "-c", (char *)sr->cgpath, NULL };
	static struct scx_sub_result r;
	struct scx_child c;
	char detail[256];
	int ret;

	memset(cy, 0, sizeof(*cy));
	ref_clock_probe();
	cy->mark = ref_mark();
	ret = scx_sub_run(&b->cfg, "root", parent, "/bin/sh", argv, sr->ops, sr->cgid, &c, &r);
	cy->t_spawn = r.t_spawn;
	if (ret) {
		snprintf(cy->why, sizeof(cy->why), "scx_sub_run: %s", r.detail);
		scx_child_release(&c, false);
		return ret;
	}
	cy->outcome = r.outcome;
	cy->t_seen = r.t_attach ? r.t_spawn + r.t_attach : 0;
	cy->t_verdict = r.t_spawn + r.t_verdict;
	cy->attach_by = r.attach_by;
	cy->by_uevent = r.enabled_by_uevent;
	cy->ok = r.outcome == SCX_SUB_ATTACHED;
	if (!cy->ok)
		snprintf(cy->why, sizeof(cy->why), "child \"%s\": %s",
			 scx_sub_outcome_name(r.outcome), r.detail);
	if (scx_sub_finish(&b->cfg, &c, &r, detail, sizeof(detail))) {
		cy->ok = false;
		snprintf(cy->why, sizeof(cy->why), "scx_sub_finish: %s", detail);
	}
	scx_child_release(&c, false);
	kernel_side(cy, sr->ops);
	return 0;
}

/* The parent at the root, with a sub/ for children; false with @sr->why if not. */
static bool start_parent(const struct scx_cfg *pcfg, struct sub_run *sr, struct scx_child *p,
			 struct scx_result *pr)
{
	char *argv[] = { "sh", "-c", sub_quiet, (char *)sr->sched, NULL };
	struct scx_sub_list l = { 0 };
	struct scx_sysfs sys;

	if (scx_run(pcfg, "/bin/sh", argv, sr->ops, p, pr)) {
		snprintf(sr->why, sizeof(sr->why), "parent: scx_run: %s", pr->detail);
		return false;
	}
	if (pr->verdict != SCX_V_ATTACHED) {
		snprintf(sr->why, sizeof(sr->why), "parent: \"%s\": %s",
			 scx_verdict_name(pr->verdict), pr->detail);
		return false;
	}
	sr->parent_ms = pr->t_attach / NSEC_PER_MSEC;
	if (!scx_sysfs_open(&sys, pcfg->sysfs)) {
		scx_sub_read(sys.dfd, "root", &l);
		scx_sysfs_close(&sys);
	}
	if (!l.has_sub)
		snprintf(sr->why, sizeof(sr->why),
			 "the parent has no root/sub/: this kernel takes no sub-schedulers (CONFIG_EXT_SUB_SCHED)");
	return l.has_sub;
}

int sub_cycles(const struct bench *b, struct sub_run *sr, int k, struct sub_cycle *out,
	       int *n)
{
	static const char *const subs[] = { "child", NULL };
	static struct scx_result pr;
	struct scx_cfg pcfg = b->cfg;
	struct scx_child parent;
	struct sub_cycle scratch, *cy;
	char err[SCX_ERR_LEN], detail[256];
	int i, failed = -1;
	struct scx_cgroup cg;
	struct stat st;

	*n = 0;
	if (scx_cgroup_create(&cg, SCX_STRESS_CGROUP, subs, err, sizeof(err))) {
		snprintf(sr->why, sizeof(sr->why), "no private cgroup: %s", err);
		return -1;
	}
	if (snprintf(sr->cgpath, sizeof(sr->cgpath), "%s/child", cg.path) >=
	    (int)sizeof(sr->cgpath) || stat(sr->cgpath, &st)) {
		snprintf(sr->why, sizeof(sr->why), "%.500s: cannot stat the child's cgroup", cg.path);
		goto out;
	}
	sr->cgid = st.st_ino;
	if (wait_disabled_quiet(b->cfg.sysfs, b->o.settle_ms)) {
		snprintf(sr->why, sizeof(sr->why), "sched_ext not disabled before the parent");
		goto out;
	}
	pcfg.hold_ms = 0;	/* it holds through the children's cycles */
	scx_child_init(&parent, 0);
	if (!start_parent(&pcfg, sr, &parent, &pr))
		goto stop;
	for (i = 0, failed = 0; i < b->o.warmup + k; i++) {
		cy = i < b->o.warmup ? &scratch : &out[(*n)++];
		if (one_child(b, sr, &parent, cy))
			cy->ok = false;
		if (!cy->ok) {
			failed++;
			fprintf(stderr, "attach_bench: %schild cycle %d failed: %s\n",
				i < b->o.warmup ? "warm-up " : "", i, cy->why);
		}
		if (b->o.verbose)
			fprintf(stderr, "attach_bench: child cycle %d/%d %s\n", i + 1,
				b->o.warmup + k, cy->ok ? "ok" : "FAILED");
		if (scx_child_poll(&parent)) {
			fprintf(stderr, "attach_bench: the parent died, stopping\n");
			failed++;
			break;
		}
	}
stop:
	if (scx_finish(&pcfg, &parent, &pr, detail, sizeof(detail)))
		fprintf(stderr, "attach_bench: parent: %s\n", detail);
	scx_child_release(&parent, false);
	if (wait_disabled_quiet(b->cfg.sysfs, b->o.settle_ms))
		fprintf(stderr, "attach_bench: sched_ext not disabled after the parent\n");
out:
	scx_cgroup_remove(&cg, b->cfg.grace_ms);
	return failed;
}
