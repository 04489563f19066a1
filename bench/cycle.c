// SPDX-License-Identifier: GPL-2.0
/*
 * attach_bench: one attach/detach cycle with one waiter.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/report.h"
#include "lib/sysfs.h"
#include "cycle.h"
#include "reference.h"

const char *const waiter_name[W_NR] = {
	[W_LIB] = "lib/ watcher",
	[W_LIB500] = "lib/, 500 ms looks",
	[W_KTSTR] = "ktstr-style",
};

/* A loader the kernel rejects (ops.init() fails), then a process that lives on. */
static char reject_script[] = "\"$0\" \"$@\" >/dev/null 2>&1; exec sleep 3600";

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

int wait_disabled_quiet(const char *sysfs, unsigned int ms)
{
	uint64_t deadline = scx_now_ns() + ms * NSEC_PER_MSEC;
	struct scx_sysfs s;
	struct scx_snap snap;
	int ret = -ETIMEDOUT;

	if (scx_sysfs_open(&s, sysfs))
		return -ENOENT;
	while (scx_now_ns() < deadline) {
		if (!scx_sysfs_read(&s, &snap) && snap.state == SCX_STATE_DISABLED && !snap.root) {
			ret = 0;
			break;
		}
		usleep(10000);
	}
	scx_sysfs_close(&s);
	return ret;
}

#define REF_WAIT_MS	2000	/* for the kernel's records of a cycle that is over */

/* After a cycle: collect what the kernel said about it (an attach, or not). */
static void kernel_side(struct cycle *cy, int mark, const char *ops, bool attach)
{
	struct ref_ev e;

	if (ref_wait(REF_K_DISABLED, mark, ops, -1, REF_WAIT_MS, &e))
		cy->k_disabled = e.t;
	if (!attach)
		return;
	if (ref_wait(REF_K_ENABLED, mark, ops, -1, REF_WAIT_MS, &e))
		cy->k_enabled = e.t;
	if (ref_wait(REF_UEV_ADD, mark, ops, -1, REF_WAIT_MS, &e)) {
		cy->uev_add = e.t;
		cy->seq_late = e.seq >= 0 && cy->seq_before >= 0 && e.seq <= cy->seq_before;
	}
	if (ref_wait(REF_UEV_REMOVE, mark, ops, -1, REF_WAIT_MS, &e))
		cy->uev_remove = e.t;
}

/*
 * scx_run() and scx_finish(), timed.  The spawned sh discards the
 * scheduler's output, so the one output event is the pipe's end at the
 * exec, before any verdict: every other wakeup is one the waiter chose.
 */
static int run_lib(const struct scx_cfg *cfg, char *const argv[], const char *ops,
		   struct cycle *cy)
{
	static struct scx_result r;
	struct scx_child c;
	char detail[256];
	unsigned int all = 0;
	uint64_t cpu0;
	int ret, i;

	cy->t_call = scx_now_ns();
	cpu0 = thread_cpu_ns();
	ret = scx_run(cfg, "/bin/sh", argv, ops, &c, &r);
	cy->cpu_ns = thread_cpu_ns() - cpu0;
	cy->t_return = cy->t_hold_end = scx_now_ns();
	if (ret) {
		snprintf(cy->why, sizeof(cy->why), "scx_run: %s", r.detail);
		scx_finish(cfg, &c, &r, detail, sizeof(detail));
		scx_child_release(&c, false);
		return ret;
	}
	cy->verdict = r.verdict;
	cy->t_spawn = c.t_spawn;
	cy->t_seen = r.t_attach ? c.t_spawn + r.t_attach : 0;
	cy->t_verdict = c.t_spawn + r.t_verdict;
	memcpy(cy->wake_count, r.wake_count, sizeof(cy->wake_count));
	for (i = 0; i < SCX_WAKE_NR; i++)
		all += r.wake_count[i];
	cy->wake_verdict = r.wakeups - r.wake_count[SCX_WAKE_OUTPUT];
	cy->wake_hold = all - r.wake_count[SCX_WAKE_OUTPUT];
	cy->attach_by = r.attach_by;
	cy->ok = r.verdict == SCX_V_ATTACHED;
	if (!cy->ok)
		snprintf(cy->why, sizeof(cy->why), "lib verdict \"%s\": %s",
			 scx_verdict_name(r.verdict), r.detail);

	cy->t_kill = scx_now_ns();
	ret = scx_finish(cfg, &c, &r, detail, sizeof(detail));
	cy->t_disabled = scx_now_ns();
	scx_child_release(&c, false);
	if (ret) {
		cy->ok = false;
		snprintf(cy->why, sizeof(cy->why), "scx_finish: %s", detail);
	}
	return ret;
}

static int run_ktstr(const struct bench *b, struct cycle *cy)
{
	const struct opts *o = &b->o;
	struct kt_result k;
	uint64_t cpu0;
	int ret;

	cy->t_call = scx_now_ns();
	cpu0 = thread_cpu_ns();
	ret = kt_run(&b->kcfg, "/bin/sh", o->xargv, &k);
	cy->cpu_ns = thread_cpu_ns() - cpu0;
	cy->t_return = scx_now_ns();
	cy->t_spawn = k.t_spawn;
	cy->wake_verdict = k.wakeups;
	cy->ok = !ret && k.verdict == KT_ATTACHED;
	if (cy->ok) {
		cy->t_seen = cy->t_verdict = k.t_seen;
		cy->t_last_miss = k.t_last_miss;
		cy->premature = strcmp(k.state_at_hit, "enabled") != 0;
	} else {
		snprintf(cy->why, sizeof(cy->why), "ktstr-style: %s", k.err);
	}
	/* lib/ holds hold_ms after its verdict: so does this one, asleep. */
	if (cy->ok) {
		usleep(o->hold_ms * 1000);
		cy->wake_hold = cy->wake_verdict + 1;
	}
	cy->t_hold_end = scx_now_ns();
	if (k.pid > 0 || k.pidfd >= 0) {
		ret = kt_stop(&b->kcfg, &k, o->settle_ms, &cy->t_kill, &cy->t_disabled);
		if (ret) {
			cy->ok = false;
			snprintf(cy->why, sizeof(cy->why),
				 "ktstr-style: sched_ext not disabled %u ms after SIGINT", o->settle_ms);
		}
	}
	return ret;
}

/* sched_ext free, a clock probe, enable_seq noted: where a cycle starts. */
static int cycle_start(const struct bench *b, enum waiter w, struct cycle *cy, int *mark)
{
	memset(cy, 0, sizeof(*cy));
	cy->w = w;
	if (wait_disabled_quiet(b->cfg.sysfs, b->o.settle_ms)) {
		snprintf(cy->why, sizeof(cy->why), "sched_ext not disabled before the cycle");
		return -EBUSY;
	}
	ref_clock_probe();
	cy->seq_before = ref_enable_seq();
	*mark = ref_mark();
	return 0;
}

int one_cycle(const struct bench *b, enum waiter w, struct cycle *cy)
{
	int mark, ret;

	ret = cycle_start(b, w, cy, &mark);
	if (ret)
		return ret;
	if (w == W_KTSTR)
		ret = run_ktstr(b, cy);
	else
		ret = run_lib(w == W_LIB ? &b->cfg : &b->cfg500, b->o.xargv, b->o.ops, cy);
	kernel_side(cy, mark, b->o.ops, true);
	if (!ret)
		ret = wait_disabled_quiet(b->cfg.sysfs, b->o.settle_ms);
	return ret;
}

int reject_cycle(const struct bench *b, const struct scx_cfg *cfg, enum waiter w,
		 struct cycle *cy)
{
	char *argv[] = { "sh", "-c", reject_script, b->o.argv[0], "--fault=init-fail", NULL };
	int mark, ret;

	ret = cycle_start(b, w, cy, &mark);
	if (ret)
		return ret;
	ret = run_lib(cfg, argv, b->o.ops, cy);
	kernel_side(cy, mark, b->o.ops, false);
	/* A rejection that lib/ named as such is this cycle's success. */
	cy->ok = !ret && cy->k_disabled;
	if (!cy->k_disabled)
		snprintf(cy->why, sizeof(cy->why), "the kernel logged no \"disabled\" record");
	if (!ret)
		ret = wait_disabled_quiet(b->cfg.sysfs, b->o.settle_ms);
	return ret;
}
