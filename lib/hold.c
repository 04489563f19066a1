// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: the hold window.  The scheduler attached; it must stay so,
 * under load (or the stress load) when asked, through CPU hotplug when
 * asked, for the whole window.
 *
 * The kernel may unregister a scheduler and ask its loader to restart
 * (SCX_ECODE_ACT_RESTART, logged as "unregistered from the main kernel";
 * CPU hotplug does that to schedulers without cpu_online/cpu_offline).
 * The tree's loaders then load and attach again: that is a restart, not a
 * failure, if it attaches again within the attach window.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hold.h"
#include "load.h"
#include "stall.h"
#include "watcher.h"

/*
 * After a hotplug write returns, a scheduler the kernel exits is already
 * on its way out; if it is still attached this long after, it handled the
 * CPU change itself (cpu_online/cpu_offline).
 */
#define HOTPLUG_SETTLE_NS	(1000 * NSEC_PER_MSEC)

/* The hold's CPU hotplug: offline, then online once it is back. */
enum hp_step { HP_NONE, HP_OFFLINING, HP_OFFLINE, HP_ONLINING, HP_ONLINE, HP_DONE };

struct holder {
	struct watcher *w;
	uint64_t deadline;
	struct scx_load load;
	bool loaded;
	struct scx_vref vref;	/* the machine's stalls: the load's gaps, a watchdog's wait */
	struct scx_stress stress;
	struct scx_hotplug hp;
	enum hp_step hp_step;
	uint64_t hp_since;	/* the last write's completion */
	uint64_t hp_asked;	/* the pending write's request */
	int hp_restarts;	/* restarts before it */
	int hp_err;		/* the test bed's CPU hotplug failed: -errno, r->detail says how */
};

static bool hotplug_busy(const struct holder *h)
{
	return h->hp_step != HP_NONE && h->hp_step != HP_DONE;
}

/* When the step looks again: the settle after a write, or the pending write's bound. */
static uint64_t hotplug_until(const struct holder *h)
{
	if (h->hp_step == HP_OFFLINE || h->hp_step == HP_ONLINE)
		return h->hp_since + HOTPLUG_SETTLE_NS;
	return h->hp_asked + h->w->cfg->wall_ms * NSEC_PER_MSEC;
}

/*
 * The test bed's CPU hotplug failed: the hold ends and the test fails
 * naming it; hold_stop() brings the CPU back and says so.
 */
static void __attribute__((format(printf, 3, 4)))
hotplug_fail(struct holder *h, int err, const char *fmt, ...)
{
	struct scx_result *r = h->w->r;
	va_list ap;
	int n;

	h->hp_err = err < 0 ? err : -EIO;
	h->hp_step = HP_DONE;
	n = snprintf(r->detail, sizeof(r->detail),
		     "the test bed's CPU hotplug failed, not the scheduler: ");
	va_start(ap, fmt);
	vsnprintf(r->detail + n, sizeof(r->detail) - n, fmt, ap);
	va_end(ap);
}

/* A hotplug write finished: keep it for the report. */
static void hotplug_record(struct holder *h, const struct scx_hotplug_op *op)
{
	struct scx_result *r = h->w->r;

	if (r->nr_hotplug < (int)ARRAY_SIZE(r->hotplug))
		r->hotplug[r->nr_hotplug++] = *op;
	h->hp_since = op->t_done;
	h->hp_restarts = r->restarts;
}

/*
 * One step of offline -> back attached -> online -> back attached.  The
 * hold runs its full window after the last step.  A helper gone, a write
 * refused or stuck: hotplug_fail().
 */
static void hotplug_step(struct holder *h)
{
	const struct scx_cfg *cfg = h->w->cfg;
	bool pending = h->hp_step == HP_OFFLINING || h->hp_step == HP_ONLINING;
	const char *to = h->hp_step <= HP_OFFLINE ? "offline" : "online";
	int cpu = h->hp.cpu, ret;
	struct scx_hotplug_op op;
	char how[96];
	bool back;

	ret = scx_hotplug_done(&h->hp, &op);
	if (ret < 0) {
		scx_hotplug_describe(&h->hp, how, sizeof(how));
		hotplug_fail(h, ret, "the helper process that writes cpu%d/online (pid %d) %s %s cpu%d %s%s",
			     cpu, h->hp.helper, how, pending ? "while" : "with", cpu,
			     pending ? "was going " : "", to);
		return;
	}
	if (ret == 1) {
		hotplug_record(h, &op);
		if (op.err) {
			hotplug_fail(h, op.err, "cpu%d could not go %s: writing cpu%d/online failed: %s",
				     cpu, to, cpu, strerror(-op.err));
			return;
		}
		h->hp_step++;
	} else if (pending && scx_now_ns() >= hotplug_until(h)) {
		hotplug_fail(h, -ETIMEDOUT,
			     "cpu%d did not go %s within %u ms: the write to cpu%d/online still blocks (look for hung tasks in the kernel log)",
			     cpu, to, cfg->wall_ms, cpu);
		return;
	}
	if (h->hp_step != HP_OFFLINE && h->hp_step != HP_ONLINE)
		return;
	/* Attached here: restarted, or it handled the CPU change itself. */
	back = h->w->r->restarts > h->hp_restarts || scx_now_ns() >= h->hp_since + HOTPLUG_SETTLE_NS;
	if (!back)
		return;
	if (h->hp_step == HP_OFFLINE) {
		ret = scx_hotplug_request(&h->hp, true);
		if (ret) {
			hotplug_fail(h, ret, "cpu%d could not be asked to go online: the helper process that writes cpu%d/online (pid %d) is gone: %s",
				     cpu, cpu, h->hp.helper, strerror(-ret));
			return;
		}
		h->hp_asked = scx_now_ns();
		h->hp_step = HP_ONLINING;
		return;
	}
	h->hp_step = HP_DONE;
	/* Online again: the helper's end is no news any more. */
	h->w->wt.aux[1] = -1;
	h->deadline = scx_max(h->deadline, scx_now_ns() + cfg->hold_ms * NSEC_PER_MSEC);
}

/* Start what the hold runs next to the scheduler.  -errno: the test bed failed. */
static int hold_start(struct holder *h)
{
	const struct scx_cfg *cfg = h->w->cfg;
	struct scx_result *r = h->w->r;
	const char *skip = NULL;
	char err[SCX_ERR_LEN];
	int ret;

	scx_hotplug_init(&h->hp);
	/* Every hold: the kernel's watchdog may eject a scheduler in any (the stress has its own). */
	ret = cfg->stress_ms ? 0 : scx_vref_start(&h->vref);
	if (ret) {
		snprintf(r->detail, sizeof(r->detail),
			 "the vCPU reference could not be started: %s", strerror(-ret));
		return ret;
	}
	if (cfg->stress_ms) {
		struct scx_stress_opts o = {
			.ms = cfg->stress_ms,
			.max_gap_ms = scx_stress_default_gap_ms(cfg->emulated),
		};

		ret = scx_stress_start(&h->stress, &o, err, sizeof(err));
		if (ret) {
			scx_vref_stop(&h->vref, cfg->grace_ms);
			snprintf(r->detail, sizeof(r->detail), "the stress load: %.200s", err);
			return ret;
		}
		r->stressed = true;
		h->w->wt.aux[0] = scx_stress_fd(&h->stress);
	} else if (cfg->load) {
		ret = scx_load_start(&h->load, cfg->hold_ms + cfg->grace_ms,
				     scx_stress_default_gap_ms(cfg->emulated));
		if (ret) {
			scx_vref_stop(&h->vref, cfg->grace_ms);
			snprintf(r->detail, sizeof(r->detail),
				 "the hold-window load could not be started: %s", strerror(-ret));
			return ret;
		}
		h->loaded = true;
	}
	if (cfg->hotplug) {
		ret = scx_hotplug_open(&h->hp, cfg->cpus, &skip);
		ret = ret ?: scx_hotplug_request(&h->hp, false);
		if (ret) {
			hotplug_fail(h, ret, "it could not start (%s): %s", cfg->cpus,
				     skip ?: strerror(-ret));
			return 0;
		}
		h->hp_asked = scx_now_ns();
		h->hp_step = HP_OFFLINING;
		h->w->wt.aux[1] = scx_hotplug_fd(&h->hp);
	}
	return 0;
}

/*
 * A load thread that was not run for longer than the max gap, the vCPU
 * stalls taken out, starved: the scheduler held it back, whether or not
 * the kernel noticed.  -ETIMEDOUT: still not run, but the machine
 * stalled so much that nothing could be decided: the test bed failed.
 */
static int load_stop(struct holder *h)
{
	const struct scx_cfg *cfg = h->w->cfg;
	struct scx_result *r = h->w->r;
	int ret;

	ret = scx_load_stop(&h->load, cfg->grace_ms, &h->vref, &r->load);
	scx_vref_stop(&h->vref, cfg->grace_ms);
	r->load.machine_ns = scx_max(r->load.machine_ns, h->vref.max_ns);
	r->loaded = true;
	if (r->load.starved && r->verdict == SCX_V_ATTACHED) {
		r->verdict = SCX_V_STARVED;
		scx_load_starved_line(&r->load, r->detail, sizeof(r->detail));
	} else if (ret && !r->load.starved && r->verdict == SCX_V_ATTACHED) {
		snprintf(r->detail, sizeof(r->detail),
			 "the hold's load: " SCX_LOAD_COMM "_%d and %d other thread(s) still not run %.1f s after the stop; of its %.1f s gap, %.1f s were vCPU stalls (SCHED_FIFO reference): the machine is too slow to judge the scheduler (a busy host, a paused guest)",
			 r->load.open.idx, r->load.left - 1, (double)r->load.wait_ns / NSEC_PER_SEC,
			 (double)r->load.open.raw_ns / NSEC_PER_SEC,
			 (double)r->load.open.machine_ns / NSEC_PER_SEC);
		return ret;
	}
	return 0;
}

/*
 * Stop it all; what the stress or the load saw can still turn the verdict.
 * -errno: the load could not be judged (r->detail says why).
 */
static int hold_stop(struct holder *h)
{
	const struct scx_cfg *cfg = h->w->cfg;
	struct scx_result *r = h->w->r;
	char line[SCX_REASON_LEN];
	int ret, cpu = h->hp.cpu;
	size_t n;

	h->w->wt.aux[0] = h->w->wt.aux[1] = -1;
	ret = scx_hotplug_close(&h->hp, cfg->grace_ms);
	n = strlen(r->detail);
	if (h->hp_err && cpu >= 0 && !ret)
		snprintf(r->detail + n, sizeof(r->detail) - n, "; cpu%d is online", cpu);
	else if (h->hp_err && cpu >= 0)
		snprintf(r->detail + n, sizeof(r->detail) - n,
			 "; cpu%d may still be offline (%s): write 1 to %s/cpu%d/online", cpu,
			 strerror(-ret), cfg->cpus, cpu);
	else if (ret && !r->note[0])
		snprintf(r->note, sizeof(r->note), "CPU hotplug: putting the CPU back online: %s",
			 strerror(-ret));
	if (r->stressed) {
		/*
		 * Under a starving scheduler a killed worker may not run to
		 * die: the scheduler's stop frees it, and the reaper kills it.
		 */
		scx_stress_stop(&h->stress, cfg->grace_ms, &r->stress);
		/* The report's last line names the worker that starved. */
		if (r->verdict == SCX_V_ATTACHED && r->stress.starved) {
			r->verdict = SCX_V_STARVED;
			for (ret = 0; scx_stress_line(&r->stress, ret, line, sizeof(line)); ret++)
				;
			snprintf(r->detail, sizeof(r->detail), "%s", line);
		}
	}
	ret = h->loaded ? load_stop(h) : 0;
	scx_vref_stop(&h->vref, cfg->grace_ms);
	r->vref_threads = h->vref.threads;
	r->vref_ran_ns = h->vref.ran_ns;
	r->vref_cpu_ns = h->vref.cpu_ns;
	return ret;
}

static const struct scx_vref_cpu *vref_ref(const void *v, int cpu)
{
	return scx_vref_cpu(v, cpu);
}

static const struct scx_vref_cpu *stress_ref(const void *s, int cpu)
{
	return scx_stress_ref(s, cpu);
}

/*
 * The kernel logs the watchdog's wait on the line after its "disabled
 * (runnable task stall)": read between the two, the reason lacks it.
 * Wait for it, bounded; the verdict's detail gets it too.  True with the
 * wait in r->stall.
 */
static bool stall_reason(struct watcher *w)
{
	uint64_t dl = scx_now_ns() + scx_max(w->cfg->grace_ms, SCX_REASON_WAIT_MS) * NSEC_PER_MSEC;
	struct scx_result *r = w->r;
	size_t was = strlen(r->reason), n;

	for (;;) {
		if (scx_stall_parse(r->reason, &r->stall))
			break;
		if (!scx_stall_kind(r->reason) || scx_now_ns() >= dl)
			return false;
		/* The fallback cadence of a read that could not tell yet. */
		scx_w_wait(w, scx_min(dl, scx_now_ns() + 10 * NSEC_PER_MSEC));
		scx_kmsg_collect(&r->klog);
		scx_kmsg_reason_nth(&r->klog, w->exits + 1, r->reason, sizeof(r->reason),
				    &r->kernel_error);
	}
	n = strlen(r->detail);
	/* The detail ends with the reason as it was, which the new one begins with. */
	if (strlen(r->reason) > was && n >= was && !strncmp(r->detail + n - was, r->reason, was))
		snprintf(r->detail + n, sizeof(r->detail) - n, "%s", r->reason + was);
	return true;
}

/*
 * Ejected by the kernel's watchdog: judge its wait against the vCPU
 * stalls measured in it, while the references still hold them.
 */
static void stall_judge(struct holder *h)
{
	uint64_t end = h->w->r->t_spawn + h->w->r->t_verdict, now;
	struct scx_result *r = h->w->r;

	if (r->verdict != SCX_V_EJECTED || !r->kernel_error || !stall_reason(h->w))
		return;
	now = scx_now_ns();
	r->stalled = true;
	if (r->stressed)
		scx_stall_judge(&r->stall, stress_ref, &h->stress, SCX_STRESS_MAX_CPUS, end, now);
	else
		scx_stall_judge(&r->stall, vref_ref, &h->vref, h->vref.nr_ids, end, now);
}

/*
 * The watchdog's wait, said: the scheduler's (appended to the verdict's
 * detail), or the machine's: -EAGAIN, the test bed's stall, run again.
 */
static int stall_say(struct scx_result *r)
{
	char line[160];
	size_t n = strlen(r->detail);

	if (!r->stalled)
		return 0;
	scx_stall_line(&r->stall, line, sizeof(line));
	if (!r->stall.machine) {
		snprintf(r->detail + n, sizeof(r->detail) - n, "; %s", line);
		return 0;
	}
	snprintf(r->detail, sizeof(r->detail),
		 "the kernel's watchdog ejected it (%.150s) after %.110s: with the stalls taken out, under half the wait: the test bed's stall, not the scheduler's (a busy host, a paused guest)",
		 r->reason, line);
	return -EAGAIN;
}

int scx_w_hold(struct watcher *w)
{
	const struct scx_cfg *cfg = w->cfg;
	struct holder h = { .w = w };
	struct scx_result *r = w->r;
	enum scx_wake wake;
	uint64_t until;
	int ret, load = 0;
	bool alive, looked;

	h.deadline = scx_now_ns() + scx_max(cfg->hold_ms, cfg->stress_ms) * NSEC_PER_MSEC;
	ret = hold_start(&h);
	if (ret)
		return ret;
	/* The end is known only from a real look: retry one that failed, bounded. */
	while (!h.hp_err && (scx_now_ns() < h.deadline || hotplug_busy(&h) || scx_w_blind(w))) {
		until = h.deadline;
		/* Past the window, a hotplug step still going sets the pace. */
		if (hotplug_busy(&h))
			until = scx_now_ns() < until ? scx_min(until, hotplug_until(&h)) :
						       hotplug_until(&h);
		if (r->stressed)
			until = scx_min(until, scx_stress_next_ns(&h.stress));
		wake = scx_w_wait(w, scx_w_next_look(w, until));
		scx_kmsg_collect(&r->klog);
		looked = scx_w_look(w);
		/* 1: a worker starved; -errno: the load itself broke. */
		load = r->stressed ? scx_stress_check(&h.stress) : 0;
		if (load)
			break;
		/*
		 * A read that failed says nothing; the kernel's log line does.
		 * A "remove" uevent only wakes us: read late (a loaded host),
		 * it tells of a detach the files and the log already show,
		 * after a restart that is back already.
		 */
		if (scx_child_poll(w->c) ||
		    (looked && !scx_snap_attached(&r->last, &r->before, w->expect_ops)) ||
		    scx_kmsg_count(&r->klog, SCX_KLINE_DISABLED) > w->exits) {
			/* The helper's answer waits: polled meanwhile, it would spin the waits. */
			w->wt.aux[1] = -1;
			alive = scx_w_survive_detach(w, wake);
			w->wt.aux[1] = hotplug_busy(&h) ? scx_hotplug_fd(&h.hp) : -1;
			if (!alive)
				break;
		}
		if (hotplug_busy(&h))
			hotplug_step(&h);
	}
	stall_judge(&h);
	ret = hold_stop(&h);
	if (load < 0) {
		/* A hold cut short proves nothing: the test bed failed. */
		snprintf(r->detail, sizeof(r->detail), "the stress load broke: %.200s",
			 r->stress.detail);
		return load;
	}
	if (h.hp_err)
		return h.hp_err;
	if (ret)
		return ret;
	ret = stall_say(r);
	if (ret)
		return ret;
	if (r->verdict == SCX_V_ATTACHED && w->blind_since) {
		snprintf(r->detail, sizeof(r->detail),
			 "%.200s could not be read at the end of the hold, for %llu ms: %s",
			 w->cfg->sysfs,
			 (unsigned long long)((scx_now_ns() - w->blind_since) / NSEC_PER_MSEC),
			 strerror(-w->blind_err));
		return w->blind_err;
	}
	if (r->verdict == SCX_V_ATTACHED && r->restarts)
		snprintf(r->detail, sizeof(r->detail),
			 "attached as \"%s\", restarted %d time%s when the kernel asked (longest %.1f s)",
			 r->last.ops, r->restarts, r->restarts == 1 ? "" : "s",
			 (double)r->t_reattach_max / NSEC_PER_SEC);
	return 0;
}
