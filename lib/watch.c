// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: watch a scheduler from spawn to verdict, in named phases:
 * busy check, spawn, liveness gate and attach wait, hold.  Waiting is the
 * waiter's (waiter.h); every decision comes from re-reading the files.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hold.h"
#include "proc.h"
#include "watcher.h"

#define SEQ_RECHECK_NS		(1 * NSEC_PER_MSEC)
#define SEQ_LAG_NS		(100 * NSEC_PER_MSEC)
/* The kernel logs a refused enable before its files are back at disabled. */
#define REFUSED_RECHECK_NS	(10 * NSEC_PER_MSEC)
#define REFUSED_LAG_NS		(2000 * NSEC_PER_MSEC)

/*
 * Enabled with the expected ops, but enable_seq not yet bumped: 7.3 logs
 * "enabled" and sends the uevent just before it increments enable_seq, so
 * a read woken by that uevent can land in between.
 */
static bool almost_attached(const struct scx_snap *now, const struct scx_snap *before,
			    const char *expect_ops)
{
	return now->state == SCX_STATE_ENABLED && now->root && now->ops[0] &&
	       !scx_snap_seq_advanced(now, before) && scx_ops_match(now->ops, expect_ops);
}

/* It died before attaching: a plain death, or the kernel refused it. */
static void classify_early(struct watcher *w, enum scx_wake by)
{
	struct scx_result *r = w->r;
	struct scx_child *c = w->c;
	bool refused;
	char how[96];

	scx_kmsg_collect(&r->klog);
	refused = (r->saw_loading || scx_kmsg_saw(&r->klog, SCX_KLINE_DISABLED)) &&
		  !scx_snap_seq_advanced(&r->last, &r->before);
	if (refused)
		scx_w_await_reason(w, r->restarts + 1);
	scx_w_describe_exit(c, how, sizeof(how));
	if (refused) {
		scx_w_verdict(w, SCX_V_REJECTED, by);
		snprintf(r->detail, sizeof(r->detail),
			 "sched_ext began enabling it, then fell back to disabled; the process %s%s%s",
			 how, r->reason[0] ? "; kernel: " : "", r->reason);
	} else {
		scx_w_verdict(w, SCX_V_DIED_EARLY, by);
		snprintf(r->detail, sizeof(r->detail),
			 "the process %s %.1f s after the spawn, before attaching", how,
			 (double)(scx_now_ns() - c->t_spawn) / NSEC_PER_SEC);
	}
}

/* Whether our process holds the struct_ops link that sched_ext runs. */
static void note_owner(struct watcher *w)
{
	unsigned int link, map;
	int ret;

	ret = scx_proc_struct_ops_link(w->c->pid, &link, &map);
	if (ret > 0)
		snprintf(w->r->owner, sizeof(w->r->owner),
			 "the scheduler process (pid %d) holds struct_ops link %u (map %u)",
			 w->c->pid, link, map);
	else if (!ret)
		snprintf(w->r->owner, sizeof(w->r->owner),
			 "the scheduler process (pid %d) holds no struct_ops link: another process attached it?",
			 w->c->pid);
}

static void timeout_detail(struct scx_result *r, bool cpu, const struct scx_cfg *cfg)
{
	const char *what = cpu ? "CPU budget" : "wall-clock guard";
	unsigned int ms = cpu ? cfg->attach_ms : cfg->wall_ms;

	if (r->last.root && r->last.ops[0])
		snprintf(r->detail, sizeof(r->detail),
			 "root/ops read \"%s\" but state stayed %s: not attached within the %s (%u ms)",
			 r->last.ops, scx_state_name(r->last.state), what, ms);
	else
		snprintf(r->detail, sizeof(r->detail),
			 "alive but never attached (state %s) within the %s (%u ms)",
			 scx_state_name(r->last.state), what, ms);
}

/* Its CPU budget or the wall-clock guard ran out before it attached: the verdict. */
static bool attach_timed_out(struct watcher *w)
{
	const struct scx_cfg *cfg = w->cfg;
	struct scx_result *r = w->r;
	uint64_t cpu = scx_child_cpu_ns(w->c);
	uint64_t wall_dl = w->c->t_spawn + cfg->wall_ms * NSEC_PER_MSEC;

	if (cpu < cfg->attach_ms * NSEC_PER_MSEC && scx_now_ns() < wall_dl)
		return false;
	scx_w_verdict(w, SCX_V_TIMEOUT, SCX_WAKE_TIMER);
	r->cpu_ns = cpu;
	timeout_detail(r, cpu >= cfg->attach_ms * NSEC_PER_MSEC, cfg);
	return true;
}

/* Phase 1: sched_ext must be free before the spawn.  False: verdict given. */
static bool phase_busy_check(struct watcher *w)
{
	const struct scx_cfg *cfg = w->cfg;
	struct scx_result *r = w->r;

	if (r->before.state == SCX_STATE_DISABLED && !r->before.root)
		return true;
	/* Maybe the previous test's scheduler is still going away. */
	if (!scx_wait_disabled(cfg, cfg->settle_ms, &r->before))
		return true;
	r->verdict = SCX_V_BUSY;
	snprintf(r->detail, sizeof(r->detail),
		 "sched_ext was %s with \"%s\" loaded before the spawn, for %u ms",
		 scx_state_name(r->before.state), r->before.ops[0] ? r->before.ops : "?",
		 cfg->settle_ms);
	/* The dump shows what was seen, not an empty state or log. */
	r->last = r->before;
	r->kmsg = !scx_kmsg_open(&r->klog, cfg->kmsg);
	return false;
}

/* Phase 2: start it.  False: verdict given. */
static bool phase_spawn(struct watcher *w, const char *bin, char *const argv[])
{
	struct scx_result *r = w->r;
	int ret;

	r->kmsg = !scx_kmsg_open(&r->klog, w->cfg->kmsg);
	/* A rejected enable sends no uevent: its kernel record wakes us. */
	scx_waiter_watch_kmsg(&w->wt, r->kmsg ? &r->klog : NULL);
	ret = scx_spawn(w->c, w->cfg, bin, argv, r->detail, sizeof(r->detail));
	r->t_spawn = w->c->t_spawn;
	if (!ret)
		return true;
	r->verdict = SCX_V_SPAWN_FAILED;
	r->err = ret;
	return false;
}

/* True when the child is gone: classified by whether it had attached. */
static bool died(struct watcher *w, enum scx_wake wake)
{
	if (!scx_child_poll(w->c))
		return false;
	if (w->r->t_attach)
		scx_w_classify_after(w, wake);
	else
		classify_early(w, wake);
	return true;
}

/*
 * One look at the files during the attach wait.  True when the verdict is
 * given; @attached says whether it is "attached" (the hold comes next).
 */
static bool attach_step(struct watcher *w, enum scx_wake wake, uint64_t gate_dl, bool *attached)
{
	struct scx_result *r = w->r;
	struct scx_child *c = w->c;
	bool looked;
	uint64_t now;

	scx_kmsg_collect(&r->klog);
	looked = scx_w_look(w);
	if (!looked && scx_w_blind(w)) {
		/* Not known is no evidence: only a death or the windows decide, a while. */
		if (died(w, wake))
			return true;
		return !r->t_attach && attach_timed_out(w);
	}
	/* Past that while, the last real look stands. */
	if (looked && (r->last.state != SCX_STATE_DISABLED || r->last.root))
		r->saw_loading = true;
	now = scx_now_ns();

	if (!r->t_attach && scx_snap_attached(&r->last, &r->before, w->expect_ops)) {
		/* Lines before its attach are not its exit: a late one of the last scheduler. */
		w->exits = scx_kmsg_count(&r->klog, SCX_KLINE_DISABLED);
		r->t_attach = now - c->t_spawn;
		r->attach_by = wake;
		r->cpu_ns = scx_child_cpu_ns(c);
	}

	if (died(w, wake))
		return true;
	if (r->t_attach) {
		if (!scx_snap_attached(&r->last, &r->before, w->expect_ops)) {
			scx_w_classify_after(w, wake);
			return true;
		}
		/* Verdict at max(gate, attach): both must hold. */
		if (now < gate_dl)
			return false;
		scx_w_verdict(w, SCX_V_ATTACHED, r->attach_by);
		snprintf(r->detail, sizeof(r->detail), "attached as \"%s\"", r->last.ops);
		*attached = true;
		return true;
	}
	/*
	 * Back to disabled, as before the spawn: the enable was tried and
	 * failed if we saw it enabling, or if the kernel's record names it.
	 */
	if (!r->last.root && r->last.state == SCX_STATE_DISABLED &&
	    !scx_snap_seq_advanced(&r->last, &r->before) &&
	    (r->saw_loading || scx_kmsg_error_for(&r->klog, w->expect_ops))) {
		/* A CPU hotplug raced the load (-EBUSY): the loader tries again. */
		if (scx_w_await_reason(w, r->restarts + 1) && scx_w_restart_asked(r) &&
		    !scx_child_poll(c)) {
			r->restarts++;
			r->saw_loading = false;
			return false;
		}
		if (scx_w_await_exit(w)) {
			classify_early(w, wake);
			return true;
		}
		scx_w_verdict(w, SCX_V_REJECTED, wake);
		snprintf(r->detail, sizeof(r->detail),
			 "sched_ext began enabling it, then fell back to disabled%s%s",
			 r->reason[0] ? "; kernel: " : "", r->reason);
		return true;
	}
	/*
	 * sched_ext was free before the spawn; what it enabled since, while
	 * our process lives, under another name, is the wrong scheduler.
	 */
	if (r->last.state == SCX_STATE_ENABLED && r->last.root && r->last.ops[0] &&
	    !scx_ops_match(r->last.ops, w->expect_ops) &&
	    (scx_snap_seq_advanced(&r->last, &r->before) || r->before.enable_seq < 0)) {
		scx_w_verdict(w, SCX_V_WRONG_OPS, wake);
		note_owner(w);
		snprintf(r->detail, sizeof(r->detail),
			 "sched_ext enabled \"%s\" after the spawn, expected \"%s\"",
			 r->last.ops, w->expect_ops);
		return true;
	}
	return attach_timed_out(w);
}

/* Look again @step after @now while within @lag of *@since; else at @next. */
static uint64_t look_soon(uint64_t *since, uint64_t now, uint64_t lag, uint64_t step,
			  uint64_t next)
{
	*since = *since ?: now;
	return now - *since < lag ? scx_min(next, now + step) : next;
}

/* Phase 3: the liveness gate and the attach wait.  True: attached. */
static bool phase_attach(struct watcher *w)
{
	const struct scx_cfg *cfg = w->cfg;
	struct scx_result *r = w->r;
	uint64_t gate_dl, wall_dl, next, now, almost_since = 0, refused_since = 0;
	enum scx_wake wake = SCX_WAKE_TIMER;
	bool attached = false;

	gate_dl = w->c->t_spawn + cfg->gate_ms * NSEC_PER_MSEC;
	wall_dl = w->c->t_spawn + cfg->wall_ms * NSEC_PER_MSEC;
	while (!attach_step(w, wake, gate_dl, &attached)) {
		next = r->t_attach ? gate_dl : wall_dl;
		now = scx_now_ns();
		if (!r->t_attach && almost_attached(&r->last, &r->before, w->expect_ops))
			next = look_soon(&almost_since, now, SEQ_LAG_NS, SEQ_RECHECK_NS, next);
		else if (!r->t_attach && scx_kmsg_error_for(&r->klog, w->expect_ops))
			next = look_soon(&refused_since, now, REFUSED_LAG_NS, REFUSED_RECHECK_NS,
					 next);
		wake = scx_w_wait(w, scx_w_next_look(w, next));
		r->wakeups++;
	}
	return attached;
}

static void result_init(struct scx_result *r, const struct scx_cfg *cfg)
{
	memset(r, 0, sizeof(*r));
	r->klog.fd = -1;
	/* Every kernel record passes the splat scanner too. */
	scx_splat_init(&r->splat, cfg->splat_allow);
	scx_splat_scx_errors(&r->splat, cfg->splat_scx_errors);
	r->klog.fn = scx_splat_krec_fn;
	r->klog.arg = &r->splat;
}

int scx_run(const struct scx_cfg *cfg, const char *bin, char *const argv[],
	    const char *expect_ops, struct scx_child *c, struct scx_result *r)
{
	struct watcher w;
	int ret = 0;

	result_init(r, cfg);
	scx_child_init(c, cfg->log_cap);
	w = (struct watcher){ .cfg = cfg, .c = c, .r = r, .expect_ops = expect_ops };
	if (scx_waiter_open(&w.wt, cfg, c) || scx_sysfs_read(&w.wt.sys, &r->before)) {
		r->verdict = SCX_V_SYSFS_ABSENT;
		snprintf(r->detail, sizeof(r->detail),
			 "%.256s is missing or unreadable: this kernel has no sched_ext", cfg->sysfs);
		scx_waiter_close(&w.wt);
		return 0;
	}
	r->uevent = w.wt.uev_fd >= 0;

	if (phase_busy_check(&w) && phase_spawn(&w, bin, argv) && phase_attach(&w))
		ret = scx_w_hold(&w);

	/* The kernel log stays open: splats during the stop count too. */
	scx_kmsg_collect(&r->klog);
	scx_waiter_close(&w.wt);
	return ret;
}

int scx_finish(const struct scx_cfg *cfg, struct scx_child *c, struct scx_result *r,
	       char *detail, size_t len)
{
	struct scx_snap last;
	pid_t leader;
	int ret;

	detail[0] = '\0';
	/* Nothing of ours ran (busy, absent): the state is someone else's. */
	if (c->pid <= 0) {
		scx_kmsg_close(&r->klog);
		return 0;
	}
	ret = scx_child_stop(c, cfg->grace_ms);
	leader = r->stress.leader;
	/* What a starving scheduler held back can die now. */
	if (!ret && scx_stress_reap(&r->stress, scx_max(cfg->grace_ms, SCX_KILL_WAIT_MS))) {
		scx_kmsg_close(&r->klog);
		snprintf(detail, len, "the stress leader (pid %d) did not die after SIGKILL (D state?)",
			 leader);
		return -ETIMEDOUT;
	}
	if (ret) {
		scx_kmsg_close(&r->klog);
		snprintf(detail, len, "pid %d or a descendant did not die after SIGKILL (D state?)",
			 c->pid);
		return ret;
	}
	ret = scx_wait_disabled(cfg, cfg->settle_ms, &last);
	scx_kmsg_collect(&r->klog);
	scx_kmsg_close(&r->klog);
	if (ret == -ETIMEDOUT)
		snprintf(detail, len, "sched_ext still %s (\"%s\") %u ms after the scheduler was stopped",
			 scx_state_name(last.state), last.ops, cfg->settle_ms);
	else if (ret == -ENOENT)
		ret = 0;	/* no sched_ext at all: nothing to wait for */
	return ret;
}
