// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: what the attach wait (watch.c) and the hold (hold.c) both
 * do: wait and count the wake, give a verdict, tell how a process ended,
 * read the kernel's reason for a disable, classify an ending after attach.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "watcher.h"

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

static bool read_reason(struct scx_result *r)
{
	scx_kmsg_collect(&r->klog);
	return scx_kmsg_reason(&r->klog, r->reason, sizeof(r->reason), &r->kernel_error);
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

/*
 * The kernel logs why it disabled a scheduler only after the state files
 * already say so: give it a bounded moment to finish the sentence.
 */
bool scx_w_await_reason(struct watcher *w, int nth)
{
	uint64_t deadline = reason_deadline(w);

	for (;;) {
		if (read_reason(w->r) && scx_kmsg_count(&w->r->klog, SCX_KLINE_DISABLED) >= nth)
			return true;
		if (!w->r->kmsg || scx_now_ns() >= deadline)
			return false;
		scx_waiter_wait(&w->wt, deadline);
	}
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
	bool have_reason;
	char how[96];

	for (;;) {
		scx_child_poll(c);
		/* This ending's own line, not a restart's before it. */
		have_reason = read_reason(r) &&
			      scx_kmsg_count(&r->klog, SCX_KLINE_DISABLED) > r->restarts;
		scx_sysfs_read(&w->wt.sys, &r->last);
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
		snprintf(r->detail, sizeof(r->detail), "the kernel disabled it: %s", r->reason);
	} else if (c->exited) {
		scx_w_describe_exit(c, how, sizeof(how));
		scx_w_verdict(w, SCX_V_DIED_AFTER, by);
		snprintf(r->detail, sizeof(r->detail), "attached, then the process %s", how);
	} else {
		scx_w_verdict(w, SCX_V_EJECTED, by);
		snprintf(r->detail, sizeof(r->detail),
			 "attached, then sched_ext went %s while the process lived%s%s",
			 scx_state_name(r->last.state), have_reason ? ": " : "",
			 have_reason ? r->reason : "");
	}
}

