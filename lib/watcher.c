// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: what the attach wait (watch.c) and the hold (hold.c) both
 * do: wait and count the wake, give a verdict, tell how a process ended,
 * look at the files, read the kernel's reason for a disable, follow the
 * restarts the kernel asks for, classify an ending after attach.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "watcher.h"

/* A sysfs read that failed is tried again this soon, for at least this long. */
#define LOOK_RETRY_NS		(10 * NSEC_PER_MSEC)
#define LOOK_RETRY_MIN_MS	1000

enum scx_wake scx_w_wait(struct watcher *w, uint64_t deadline)
{
	enum scx_wake wake = scx_waiter_wait(&w->wt, deadline);

	w->r->wake_count[wake]++;
	return wake;
}

void scx_w_verdict(struct watcher *w, enum scx_verdict v, enum scx_wake by)
{
	w->r->verdict = v;
	w->r->decided_by = by;
	w->r->t_verdict = scx_now_ns() - w->c->t_spawn;
}

void scx_w_describe_exit(const struct scx_child *c, char *buf, size_t len)
{
	if (c->code == CLD_EXITED)
		snprintf(buf, len, "exited with status %d", c->status);
	else
		snprintf(buf, len, "was killed by signal %d (%s)%s", c->status,
			 strsignal(c->status), c->code == CLD_DUMPED ? ", core dumped" : "");
}

/* The kernel's reason for its @nth disable since the spawn (1-based). */
static bool read_reason(struct scx_result *r, int nth)
{
	scx_kmsg_collect(&r->klog);
	return scx_kmsg_reason_nth(&r->klog, nth, r->reason, sizeof(r->reason), &r->kernel_error);
}

static uint64_t reason_deadline(const struct watcher *w)
{
	return scx_now_ns() + scx_max(w->cfg->grace_ms, SCX_REASON_WAIT_MS) * NSEC_PER_MSEC;
}

#define RESTART_REASON	"unregistered from the main kernel"

bool scx_w_restart_asked(const struct scx_result *r)
{
	return !r->kernel_error && !strncmp(r->reason, RESTART_REASON, strlen(RESTART_REASON));
}

bool scx_w_look(struct watcher *w)
{
	struct scx_snap now;
	int ret;

	ret = scx_sysfs_read(&w->wt.sys, &now);
	if (ret) {
		w->blind_since = w->blind_since ?: scx_now_ns();
		w->blind_err = ret;
		return false;
	}
	w->r->last = now;
	w->blind_since = 0;
	return true;
}

static uint64_t blind_bound_ns(const struct watcher *w)
{
	return scx_max(w->cfg->grace_ms, LOOK_RETRY_MIN_MS) * NSEC_PER_MSEC;
}

bool scx_w_blind(const struct watcher *w)
{
	return w->blind_since && scx_now_ns() - w->blind_since < blind_bound_ns(w);
}

uint64_t scx_w_next_look(const struct watcher *w, uint64_t next)
{
	uint64_t now = scx_now_ns(), retry;

	if (!w->blind_since)
		return next;
	/* Soon for a while, then at the fallback cadence; a deadline already past would spin. */
	retry = now + (scx_w_blind(w) ? LOOK_RETRY_NS : w->cfg->poll_ms * NSEC_PER_MSEC);
	return next <= now ? retry : scx_min(next, retry);
}

/*
 * The kernel logs why it disabled a scheduler only after the state files
 * already say so: give it a bounded moment to finish the sentence.
 */
bool scx_w_await_reason(struct watcher *w, int nth)
{
	uint64_t deadline = reason_deadline(w);

	for (;;) {
		if (read_reason(w->r, nth))
			return true;
		if (!w->r->kmsg || scx_now_ns() >= deadline)
			return false;
		scx_waiter_wait(&w->wt, deadline);
	}
}

/*
 * The kernel refused it while the process lives: a loader learns that from
 * its attach call and says why before it exits.  Give it that long to do so
 * (its words are the fingerprint); true if it exited.
 */
bool scx_w_await_exit(struct watcher *w)
{
	uint64_t deadline = reason_deadline(w);

	while (!scx_child_poll(w->c)) {
		if (scx_now_ns() >= deadline)
			return false;
		scx_waiter_wait(&w->wt, deadline);
	}
	return true;
}

/* "restarted 2 times, then ", or "" before any restart. */
static const char *so_far(const struct scx_result *r, char *buf, size_t len)
{
	if (!r->restarts)
		return "";
	snprintf(buf, len, "restarted %d time%s, then ", r->restarts, r->restarts == 1 ? "" : "s");
	return buf;
}

/*
 * It was attached and something ended it.  Let the kernel finish disabling
 * and log why, and let the loader react, then say which came first in
 * substance: a kernel error (ejected) or the process going away.
 */
void scx_w_classify_after(struct watcher *w, enum scx_wake by)
{
	uint64_t deadline = reason_deadline(w);
	struct scx_result *r = w->r;
	struct scx_child *c = w->c;
	char how[96], pre[48];
	bool have_reason;

	for (;;) {
		scx_child_poll(c);
		/* This ending's own line, not a restart's before it. */
		have_reason = read_reason(r, w->exits + 1);
		scx_w_look(w);
		if (have_reason && r->kernel_error)
			break;
		if ((have_reason || !r->kmsg) && c->exited)
			break;
		if (scx_now_ns() >= deadline)
			break;
		scx_waiter_wait(&w->wt, deadline);
	}

	if (have_reason && r->kernel_error) {
		scx_w_verdict(w, SCX_V_EJECTED, by);
		if (r->restarts)
			snprintf(r->detail, sizeof(r->detail), "%sejected: %s",
				 so_far(r, pre, sizeof(pre)), r->reason);
		else
			snprintf(r->detail, sizeof(r->detail), "the kernel disabled it: %s",
				 r->reason);
	} else if (c->exited) {
		scx_w_describe_exit(c, how, sizeof(how));
		scx_w_verdict(w, SCX_V_DIED_AFTER, by);
		snprintf(r->detail, sizeof(r->detail), "%sthe process %s",
			 r->restarts ? so_far(r, pre, sizeof(pre)) : "attached, then ", how);
	} else {
		scx_w_verdict(w, SCX_V_EJECTED, by);
		snprintf(r->detail, sizeof(r->detail),
			 "%ssched_ext went %s while the process lived%s%s",
			 r->restarts ? so_far(r, pre, sizeof(pre)) : "attached, then ",
			 scx_state_name(r->last.state), have_reason ? ": " : "",
			 have_reason ? r->reason : "");
	}
}

/* The kernel asked for a restart and the process went away instead. */
static void gone_instead(struct watcher *w, enum scx_wake by)
{
	struct scx_result *r = w->r;
	char how[96], pre[48];

	scx_w_describe_exit(w->c, how, sizeof(how));
	scx_w_verdict(w, SCX_V_DIED_AFTER, by);
	snprintf(r->detail, sizeof(r->detail),
		 "%sthe kernel asked it to restart (%s), and the process %s instead",
		 so_far(r, pre, sizeof(pre)), r->reason, how);
}

/*
 * Enables since the spawn after the kernel's @nth disable: the enable_seq
 * count or the log's "enabled" lines, whichever saw more (the log line
 * comes before enable_seq moves).
 */
static int attaches_after(const struct watcher *w, int nth)
{
	const struct scx_result *r = w->r;
	int all = scx_kmsg_count(&r->klog, SCX_KLINE_ENABLED);

	if (r->last.enable_seq >= 0 && r->before.enable_seq >= 0)
		all = scx_max(all, (int)(r->last.enable_seq - r->before.enable_seq));
	return all - scx_kmsg_enabled_before(&r->klog, nth);
}

/*
 * The kernel's @nth disable asked for a restart.  True once it attached
 * again, even if that attach is gone again already (enable_seq and the log
 * keep it); false with the verdict given.
 */
static bool await_reattach(struct watcher *w, enum scx_wake by, int nth)
{
	const struct scx_cfg *cfg = w->cfg;
	uint64_t t0 = scx_now_ns(), wall_dl = t0 + cfg->wall_ms * NSEC_PER_MSEC;
	uint64_t cpu0 = scx_child_cpu_ns(w->c), budget = cfg->attach_ms * NSEC_PER_MSEC;
	struct scx_result *r = w->r;
	struct scx_snap gone = r->last;
	char pre[48];
	bool exited;

	for (;;) {
		/* Gone first, then look: what it did before it went is in the files. */
		exited = scx_child_poll(w->c);
		scx_kmsg_collect(&r->klog);
		scx_w_look(w);
		if (scx_snap_attached(&r->last, &gone, w->expect_ops) || attaches_after(w, nth) > 0) {
			r->t_reattach_max = scx_max(r->t_reattach_max, scx_now_ns() - t0);
			return true;
		}
		if (exited) {
			gone_instead(w, by);
			return false;
		}
		if (scx_child_cpu_ns(w->c) - cpu0 >= budget || scx_now_ns() >= wall_dl) {
			scx_w_verdict(w, SCX_V_EJECTED, by);
			snprintf(r->detail, sizeof(r->detail),
				 "%sthe kernel asked it to restart (%s); alive, it did not attach again within the attach window",
				 so_far(r, pre, sizeof(pre)), r->reason);
			return false;
		}
		scx_w_wait(w, scx_w_next_look(w, wall_dl));
	}
}

bool scx_w_survive_detach(struct watcher *w, enum scx_wake by)
{
	struct scx_result *r = w->r;

	for (;;) {
		/* The exit that ended the attach after the last restart. */
		if (!scx_w_await_reason(w, w->exits + 1) || !scx_w_restart_asked(r)) {
			scx_w_classify_after(w, by);
			return false;
		}
		if (!await_reattach(w, by, w->exits + 1))
			return false;
		w->exits++;
		r->restarts++;
		/* The failure dump's hint reads the scheduler's words from here on. */
		scx_log_drain(&w->c->log);
		r->out_mark = w->c->log.logged + w->c->log.dropped;
		if (scx_snap_attached(&r->last, &r->before, w->expect_ops) &&
		    scx_kmsg_count(&r->klog, SCX_KLINE_DISABLED) <= w->exits)
			return true;
		/* Attached again and gone again between two looks: its own exit decides. */
	}
}
