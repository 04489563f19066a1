// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: the hold window.  The scheduler attached; it must stay so,
 * under load when asked, for the whole window.
 *
 * The kernel may unregister a scheduler and ask its loader to restart
 * (SCX_ECODE_ACT_RESTART, logged as "unregistered from the main kernel";
 * CPU hotplug does that to schedulers without cpu_online/cpu_offline).
 * The tree's loaders then load and attach again: that is a restart, not a
 * failure, if it attaches again within the attach window.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "load.h"
#include "watcher.h"


/* The kernel asked for a restart and the process went away instead. */
static void gone_instead(struct watcher *w, enum scx_wake by)
{
	struct scx_result *r = w->r;
	char how[96];

	scx_w_describe_exit(w->c, how, sizeof(how));
	scx_w_verdict(w, SCX_V_DIED_AFTER, by);
	snprintf(r->detail, sizeof(r->detail),
		 "the kernel asked it to restart (%s), and the process %s instead", r->reason, how);
}

/*
 * Detached, with the kernel's restart request in hand.  True if it
 * attached again (r->last then says so); false with the verdict given.
 */
static bool await_reattach(struct watcher *w, enum scx_wake by)
{
	const struct scx_cfg *cfg = w->cfg;
	uint64_t t0 = scx_now_ns(), wall_dl = t0 + cfg->wall_ms * NSEC_PER_MSEC;
	uint64_t cpu0 = scx_child_cpu_ns(w->c), budget = cfg->attach_ms * NSEC_PER_MSEC;
	struct scx_result *r = w->r;
	struct scx_snap gone = r->last;

	for (;;) {
		scx_kmsg_collect(&r->klog);
		scx_sysfs_read(&w->wt.sys, &r->last);
		if (scx_snap_attached(&r->last, &gone, w->expect_ops)) {
			r->restarts++;
			r->t_reattach_max = scx_max(r->t_reattach_max, scx_now_ns() - t0);
			return true;
		}
		if (scx_child_poll(w->c)) {
			gone_instead(w, by);
			return false;
		}
		if (scx_child_cpu_ns(w->c) - cpu0 >= budget || scx_now_ns() >= wall_dl) {
			scx_w_verdict(w, SCX_V_EJECTED, by);
			snprintf(r->detail, sizeof(r->detail),
				 "the kernel asked it to restart (%s); alive, it did not attach again within the attach window",
				 r->reason);
			return false;
		}
		scx_w_wait(w, wall_dl);
	}
}

/* It is no longer attached: a restart the kernel asked for, or the end. */
static bool survive_detach(struct watcher *w, enum scx_wake by)
{
	if (!scx_w_await_reason(w, w->r->restarts + 1) || !scx_w_restart_asked(w->r)) {
		scx_w_classify_after(w, by);
		return false;
	}
	if (!scx_child_poll(w->c))
		return await_reattach(w, by);
	gone_instead(w, by);
	return false;
}

int scx_w_hold(struct watcher *w)
{
	const struct scx_cfg *cfg = w->cfg;
	uint64_t deadline = scx_now_ns() + cfg->hold_ms * NSEC_PER_MSEC;
	struct scx_result *r = w->r;
	struct scx_load load;
	bool loaded = false;
	enum scx_wake wake;
	int ret;

	if (cfg->load) {
		ret = scx_load_start(&load, cfg->hold_ms + cfg->grace_ms);
		if (ret) {
			snprintf(r->detail, sizeof(r->detail),
				 "the hold-window load could not be started: %s", strerror(-ret));
			return ret;
		}
		loaded = true;
	}
	while (scx_now_ns() < deadline) {
		w->wt.uev.remove = false;
		wake = scx_w_wait(w, deadline);
		scx_kmsg_collect(&r->klog);
		scx_sysfs_read(&w->wt.sys, &r->last);
		if (!scx_child_poll(w->c) && !w->wt.uev.remove &&
		    scx_snap_attached(&r->last, &r->before, w->expect_ops))
			continue;
		if (!survive_detach(w, wake))
			break;
	}
	if (loaded && scx_load_stop(&load, cfg->grace_ms) && r->verdict == SCX_V_ATTACHED) {
		/* The scheduler held, but some load thread never ran again. */
		r->verdict = SCX_V_EJECTED;
		snprintf(r->detail, sizeof(r->detail),
			 "attached and alive, but load threads were not run within %u ms",
			 cfg->grace_ms);
	}
	if (r->verdict == SCX_V_ATTACHED && r->restarts)
		snprintf(r->detail, sizeof(r->detail),
			 "attached as \"%s\", restarted %d time%s when the kernel asked (longest %.1f s)",
			 r->last.ops, r->restarts, r->restarts == 1 ? "" : "s",
			 (double)r->t_reattach_max / NSEC_PER_SEC);
	return 0;
}
