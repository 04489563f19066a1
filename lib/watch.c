// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: watch a scheduler from spawn to verdict.
 *
 * One poll() loop against absolute CLOCK_MONOTONIC deadlines.  Wake sources:
 * the pidfd (death), the kobject uevent socket (the kernel emits "add" for
 * /kernel/sched_ext/root right after it commits the switch: the fast path),
 * inotify on the sysfs directory (a hint: kernfs does not report its own
 * creations, a fake tree does), the scheduler's output pipe (drained so it
 * never blocks), and a bounded fallback cadence.  Whatever woke us, the
 * verdict comes from re-reading the sysfs files.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <unistd.h>

#include "load.h"
#include "watch.h"

#define UEVENT_GROUP_KERNEL	1
#define UEVENT_BUF		8192
#define PIDLESS_CADENCE_MS	50	/* no pidfd: waitid() is our only news */
#define SCX_ROOT_DEVPATH	"/kernel/sched_ext/root"
#define SEQ_RECHECK_NS		(1 * NSEC_PER_MSEC)
#define SEQ_LAG_NS		(100 * NSEC_PER_MSEC)

struct watcher {
	const struct scx_cfg *cfg;
	struct scx_child *c;		/* NULL while waiting for "disabled" */
	struct scx_sysfs sys;
	int uev_fd;
	int ino_fd;
	bool uev_add;			/* root "add" seen since the last reset */
	bool uev_remove;
};

int scx_uevent_parse(char *buf, size_t len, struct scx_uevent *ev)
{
	char *p = buf, *end = buf + len, *at;

	memset(ev, 0, sizeof(*ev));
	if (!len || buf[len] != '\0')
		return -EINVAL;
	/* udev's re-broadcasts start with "libudev": not the kernel's. */
	at = memchr(buf, '@', strnlen(buf, len));
	if (!at || at == buf)
		return -EINVAL;
	*at = '\0';
	ev->action = buf;
	ev->devpath = at + 1;
	p += strlen(p) + 1;
	p += strlen(p) + 1;
	for (; p < end; p += strlen(p) + 1) {
		if (!strncmp(p, "SCXOPS=", 7))
			ev->scxops = p + 7;
	}
	return *ev->devpath == '/' ? 0 : -EINVAL;
}

bool scx_uevent_is_root(const struct scx_uevent *ev)
{
	return ev->devpath && !strcmp(ev->devpath, SCX_ROOT_DEVPATH);
}

static int uevent_open(void)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = UEVENT_GROUP_KERNEL,
	};
	int fd, sz = 1 << 20;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -errno;
	/* A burst of device events must not push ours out. */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* Drain the socket; returns true if a sched_ext root event was among them. */
static bool uevent_drain(struct watcher *w)
{
	char buf[UEVENT_BUF + 1];
	struct sockaddr_nl src;
	struct iovec iov = { .iov_base = buf, .iov_len = UEVENT_BUF };
	struct msghdr msg = {
		.msg_name = &src, .msg_namelen = sizeof(src),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	struct scx_uevent ev;
	bool ours = false;
	ssize_t n;

	for (;;) {
		n = recvmsg(w->uev_fd, &msg, MSG_DONTWAIT);
		if (n < 0 && errno == ENOBUFS)	/* overrun: the files still tell */
			continue;
		if (n <= 0)
			break;
		/* Only the kernel (port 0) speaks for the kernel. */
		if (src.nl_pid != 0)
			continue;
		buf[n] = '\0';
		if (scx_uevent_parse(buf, n, &ev) || !scx_uevent_is_root(&ev))
			continue;
		ours = true;
		if (!strcmp(ev.action, "add"))
			w->uev_add = true;
		else if (!strcmp(ev.action, "remove"))
			w->uev_remove = true;
	}
	return ours;
}

static void ino_drain(int fd)
{
	/* Contents do not matter: any event is only a reason to look. */
	char buf[4096] __attribute__((__aligned__(8)));

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static int watcher_open(struct watcher *w, const struct scx_cfg *cfg, struct scx_child *c,
			bool *uevent)
{
	int ret;

	memset(w, 0, sizeof(*w));
	w->cfg = cfg;
	w->c = c;
	w->uev_fd = w->ino_fd = -1;
	ret = scx_sysfs_open(&w->sys, cfg->sysfs);
	if (ret)
		return ret;
	if (cfg->uevent)
		w->uev_fd = uevent_open();
	if (uevent)
		*uevent = w->uev_fd >= 0;
	/* Not IN_OPEN/IN_ACCESS: our own reads would wake us. */
	w->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->ino_fd >= 0 &&
	    inotify_add_watch(w->ino_fd, cfg->sysfs,
			      IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM |
			      IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB) < 0) {
		close(w->ino_fd);
		w->ino_fd = -1;
	}
	return 0;
}

static void watcher_close(struct watcher *w)
{
	if (w->uev_fd >= 0)
		close(w->uev_fd);
	if (w->ino_fd >= 0)
		close(w->ino_fd);
	scx_sysfs_close(&w->sys);
}

/* Sleep in poll() until something happens or @deadline; say what woke us. */
static enum scx_wake wait_once(struct watcher *w, uint64_t deadline)
{
	struct pollfd pfd[4];
	int n = 0, i_pid = -1, i_out = -1, i_uev = -1, i_ino = -1;
	uint64_t cadence = w->cfg->poll_ms, now, wait;
	struct timespec ts;
	enum scx_wake wake = SCX_WAKE_TIMER;
	struct scx_child *c = w->c;

	if (c && !c->exited) {
		if (c->pidfd >= 0) {
			i_pid = n;
			pfd[n++] = (struct pollfd){ .fd = c->pidfd, .events = POLLIN };
		} else {
			cadence = scx_min(cadence, PIDLESS_CADENCE_MS);
		}
	}
	if (c && c->out_fd >= 0) {
		i_out = n;
		pfd[n++] = (struct pollfd){ .fd = c->out_fd, .events = POLLIN };
	}
	if (w->uev_fd >= 0) {
		i_uev = n;
		pfd[n++] = (struct pollfd){ .fd = w->uev_fd, .events = POLLIN };
	}
	if (w->ino_fd >= 0) {
		i_ino = n;
		pfd[n++] = (struct pollfd){ .fd = w->ino_fd, .events = POLLIN };
	}

	/* ppoll(): a verdict due at the gate deadline should not round up. */
	now = scx_now_ns();
	wait = deadline > now ? deadline - now : 0;
	wait = scx_min(wait, cadence * NSEC_PER_MSEC);
	ts.tv_sec = wait / NSEC_PER_SEC;
	ts.tv_nsec = wait % NSEC_PER_SEC;
	if (ppoll(pfd, n, &ts, NULL) <= 0)
		return SCX_WAKE_TIMER;

	/* Most telling source first; drain every ready one regardless. */
	if (i_out >= 0 && pfd[i_out].revents) {
		scx_child_drain(c);
		wake = SCX_WAKE_OUTPUT;
	}
	if (i_ino >= 0 && pfd[i_ino].revents) {
		ino_drain(w->ino_fd);
		wake = SCX_WAKE_INOTIFY;
	}
	if (i_pid >= 0 && pfd[i_pid].revents)
		wake = SCX_WAKE_PIDFD;
	if (i_uev >= 0 && pfd[i_uev].revents && uevent_drain(w))
		wake = SCX_WAKE_UEVENT;
	return wake;
}

int scx_wait_disabled(const struct scx_cfg *cfg, unsigned int ms, struct scx_snap *last)
{
	uint64_t deadline = scx_now_ns() + ms * NSEC_PER_MSEC;
	struct watcher w;
	int ret;

	ret = watcher_open(&w, cfg, NULL, NULL);
	if (ret)
		return ret;
	for (;;) {
		ret = scx_sysfs_read(&w.sys, last);
		if (ret)
			break;
		if (last->state == SCX_STATE_DISABLED && !last->root)
			break;
		if (scx_now_ns() >= deadline) {
			ret = -ETIMEDOUT;
			break;
		}
		wait_once(&w, deadline);
	}
	watcher_close(&w);
	return ret;
}

static bool seq_advanced(const struct scx_snap *now, const struct scx_snap *before)
{
	return now->enable_seq >= 0 && before->enable_seq >= 0 &&
	       now->enable_seq > before->enable_seq;
}

/*
 * Enabled with the expected ops, but enable_seq not yet bumped: 7.3 logs
 * "enabled" and sends the uevent just before it increments enable_seq, so
 * a read woken by that uevent can land in between.
 */
static bool almost_attached(const struct scx_snap *now, const struct scx_snap *before,
			    const char *expect_ops)
{
	return now->state == SCX_STATE_ENABLED && now->root && now->ops[0] &&
	       !seq_advanced(now, before) &&
	       (!expect_ops || !*expect_ops || !strncmp(now->ops, expect_ops, strlen(expect_ops)));
}

static void set_verdict(struct scx_result *r, const struct scx_child *c, enum scx_verdict v,
			enum scx_wake by)
{
	r->verdict = v;
	r->decided_by = by;
	r->t_verdict = scx_now_ns() - c->t_spawn;
}

static void describe_exit(const struct scx_child *c, char *buf, size_t len)
{
	if (c->code == CLD_EXITED)
		snprintf(buf, len, "exited with status %d", c->status);
	else
		snprintf(buf, len, "was killed by signal %d (%s)%s", c->status,
			 strsignal(c->status), c->code == CLD_DUMPED ? ", core dumped" : "");
}

/*
 * The kernel logs why it disabled a scheduler only after the state files
 * already say so: give it a bounded moment to finish the sentence.
 */
static bool await_reason(struct watcher *w, struct scx_result *r)
{
	uint64_t deadline = scx_now_ns() + scx_max(w->cfg->grace_ms, 500U) * NSEC_PER_MSEC;

	for (;;) {
		scx_kmsg_collect(&r->klog);
		if (scx_kmsg_reason(&r->klog, r->reason, sizeof(r->reason), &r->kernel_error))
			return true;
		if (!r->kmsg || scx_now_ns() >= deadline)
			return false;
		wait_once(w, deadline);
	}
}

/*
 * It was attached and something ended it.  Let the kernel finish disabling
 * and log why, and let the loader react, then say which came first in
 * substance: a kernel error (ejected) or the process going away.
 */
static void classify_after(struct watcher *w, struct scx_result *r, enum scx_wake by)
{
	uint64_t deadline = scx_now_ns() + scx_max(w->cfg->grace_ms, 500U) * NSEC_PER_MSEC;
	struct scx_child *c = w->c;
	bool have_reason = false;
	char how[96];

	for (;;) {
		scx_child_poll(c);
		scx_kmsg_collect(&r->klog);
		have_reason = scx_kmsg_reason(&r->klog, r->reason, sizeof(r->reason),
					      &r->kernel_error);
		scx_sysfs_read(&w->sys, &r->last);
		if (have_reason && r->kernel_error)
			break;
		if ((have_reason || !r->kmsg) && c->exited)
			break;
		if (scx_now_ns() >= deadline)
			break;
		wait_once(w, deadline);
	}

	if (have_reason && r->kernel_error) {
		set_verdict(r, c, SCX_V_EJECTED, by);
		snprintf(r->detail, sizeof(r->detail), "the kernel disabled it: %s", r->reason);
	} else if (c->exited) {
		describe_exit(c, how, sizeof(how));
		set_verdict(r, c, SCX_V_DIED_AFTER, by);
		snprintf(r->detail, sizeof(r->detail), "attached, then the process %s", how);
	} else {
		set_verdict(r, c, SCX_V_EJECTED, by);
		snprintf(r->detail, sizeof(r->detail),
			 "attached, then sched_ext went %s while the process lived%s%s",
			 scx_state_name(r->last.state), have_reason ? ": " : "",
			 have_reason ? r->reason : "");
	}
}

/* It died before attaching: a plain death, or the kernel refused it. */
static void classify_early(struct watcher *w, struct scx_result *r, enum scx_wake by)
{
	struct scx_child *c = w->c;
	bool refused;
	char how[96];

	scx_kmsg_collect(&r->klog);
	refused = (r->saw_loading || scx_kmsg_saw(&r->klog, SCX_KLINE_DISABLED)) &&
		  !seq_advanced(&r->last, &r->before);
	if (refused)
		await_reason(w, r);
	describe_exit(c, how, sizeof(how));
	if (refused) {
		set_verdict(r, c, SCX_V_REJECTED, by);
		snprintf(r->detail, sizeof(r->detail),
			 "sched_ext began enabling it, then fell back to disabled; the process %s%s%s",
			 how, r->reason[0] ? "; kernel: " : "", r->reason);
	} else {
		set_verdict(r, c, SCX_V_DIED_EARLY, by);
		snprintf(r->detail, sizeof(r->detail),
			 "the process %s %.1f s after the spawn, before attaching", how,
			 (double)(scx_now_ns() - c->t_spawn) / NSEC_PER_SEC);
	}
}

static void hold(struct watcher *w, struct scx_result *r, const char *expect_ops)
{
	const struct scx_cfg *cfg = w->cfg;
	uint64_t deadline = scx_now_ns() + cfg->hold_ms * NSEC_PER_MSEC;
	struct scx_child *c = w->c;
	struct scx_load load;
	bool loaded = false;
	enum scx_wake wake;
	int ret;

	if (cfg->load) {
		ret = scx_load_start(&load, cfg->hold_ms + cfg->grace_ms);
		loaded = !ret;
	}
	w->uev_remove = false;
	while (scx_now_ns() < deadline) {
		wake = wait_once(w, deadline);
		r->wake_count[wake]++;
		scx_kmsg_collect(&r->klog);
		scx_sysfs_read(&w->sys, &r->last);
		if (scx_child_poll(c) || w->uev_remove ||
		    !scx_snap_attached(&r->last, &r->before, expect_ops)) {
			classify_after(w, r, wake);
			break;
		}
	}
	if (loaded && scx_load_stop(&load, cfg->grace_ms) && r->verdict == SCX_V_ATTACHED) {
		/* The scheduler held, but some load thread never ran again. */
		r->verdict = SCX_V_EJECTED;
		snprintf(r->detail, sizeof(r->detail),
			 "attached and alive, but load threads were not run within %u ms",
			 cfg->grace_ms);
	}
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

int scx_run(const struct scx_cfg *cfg, const char *bin, char *const argv[],
	    const char *expect_ops, struct scx_child *c, struct scx_result *r)
{
	uint64_t gate_dl, wall_dl, budget = cfg->attach_ms * NSEC_PER_MSEC, now, cpu, next;
	uint64_t almost_since = 0;
	enum scx_wake wake;
	struct watcher w;
	int ret;

	memset(r, 0, sizeof(*r));
	memset(c, 0, sizeof(*c));
	c->pid = -1;
	c->pidfd = c->out_fd = c->log_fd = c->dir_fd = -1;
	r->klog.fd = -1;

	ret = watcher_open(&w, cfg, c, &r->uevent);
	if (ret || scx_sysfs_read(&w.sys, &r->before)) {
		r->verdict = SCX_V_SYSFS_ABSENT;
		snprintf(r->detail, sizeof(r->detail),
			 "%.256s is missing or unreadable: this kernel has no sched_ext", cfg->sysfs);
		if (!ret)
			watcher_close(&w);
		return 0;
	}

	if (r->before.state != SCX_STATE_DISABLED || r->before.root) {
		/* Maybe the previous test's scheduler is still going away. */
		if (scx_wait_disabled(cfg, cfg->settle_ms, &r->before)) {
			r->verdict = SCX_V_BUSY;
			snprintf(r->detail, sizeof(r->detail),
				 "sched_ext was %s with \"%s\" loaded before the spawn, for %u ms",
				 scx_state_name(r->before.state),
				 r->before.ops[0] ? r->before.ops : "?", cfg->settle_ms);
			/* The dump shows what was seen, not an empty state or log. */
			r->last = r->before;
			r->kmsg = !scx_kmsg_open(&r->klog, cfg->kmsg);
			scx_kmsg_close(&r->klog);
			watcher_close(&w);
			return 0;
		}
	}

	r->kmsg = !scx_kmsg_open(&r->klog, cfg->kmsg);
	ret = scx_spawn(c, cfg, bin, argv, r->detail, sizeof(r->detail));
	if (ret) {
		r->verdict = SCX_V_SPAWN_FAILED;
		r->err = ret;
		scx_kmsg_close(&r->klog);
		watcher_close(&w);
		return 0;
	}

	gate_dl = c->t_spawn + cfg->gate_ms * NSEC_PER_MSEC;
	wall_dl = c->t_spawn + cfg->wall_ms * NSEC_PER_MSEC;
	wake = SCX_WAKE_TIMER;
	for (;;) {
		scx_kmsg_collect(&r->klog);
		if (scx_sysfs_read(&w.sys, &r->last))
			r->last.state = SCX_STATE_UNKNOWN;
		if (r->last.state != SCX_STATE_DISABLED || r->last.root)
			r->saw_loading = true;
		now = scx_now_ns();

		if (!r->t_attach && scx_snap_attached(&r->last, &r->before, expect_ops)) {
			r->t_attach = now - c->t_spawn;
			r->attach_by = wake;
			r->cpu_ns = scx_child_cpu_ns(c);
		}

		if (scx_child_poll(c)) {
			if (r->t_attach)
				classify_after(&w, r, wake);
			else
				classify_early(&w, r, wake);
			break;
		}

		if (r->t_attach) {
			if (!scx_snap_attached(&r->last, &r->before, expect_ops)) {
				classify_after(&w, r, wake);
				break;
			}
			/* Verdict at max(gate, attach): both must hold. */
			if (now >= gate_dl) {
				set_verdict(r, c, SCX_V_ATTACHED, r->attach_by);
				snprintf(r->detail, sizeof(r->detail), "attached as \"%s\"",
					 r->last.ops);
				hold(&w, r, expect_ops);
				break;
			}
		} else if (r->saw_loading && !r->last.root &&
			   r->last.state == SCX_STATE_DISABLED && !seq_advanced(&r->last, &r->before)) {
			set_verdict(r, c, SCX_V_REJECTED, wake);
			await_reason(&w, r);
			snprintf(r->detail, sizeof(r->detail),
				 "sched_ext began enabling it, then fell back to disabled%s%s",
				 r->reason[0] ? "; kernel: " : "", r->reason);
			break;
		} else if (r->last.root && r->last.ops[0] && r->last.state == SCX_STATE_ENABLED &&
			   expect_ops && *expect_ops &&
			   strncmp(r->last.ops, expect_ops, strlen(expect_ops))) {
			set_verdict(r, c, SCX_V_BUSY, wake);
			snprintf(r->detail, sizeof(r->detail),
				 "\"%s\" attached, not the expected \"%s\"", r->last.ops, expect_ops);
			break;
		} else {
			cpu = scx_child_cpu_ns(c);
			if (cpu >= budget || now >= wall_dl) {
				set_verdict(r, c, SCX_V_TIMEOUT, SCX_WAKE_TIMER);
				r->cpu_ns = cpu;
				timeout_detail(r, cpu >= budget, cfg);
				break;
			}
		}

		next = r->t_attach ? gate_dl : wall_dl;
		if (!r->t_attach && almost_attached(&r->last, &r->before, expect_ops)) {
			/* Look again in a moment, for a short while only. */
			almost_since = almost_since ?: now;
			if (now - almost_since < SEQ_LAG_NS)
				next = scx_min(next, now + SEQ_RECHECK_NS);
		}
		wake = wait_once(&w, next);
		r->wakeups++;
		r->wake_count[wake]++;
	}
	scx_kmsg_collect(&r->klog);
	/* The lines are kept in @r; the fd would leak once per run. */
	scx_kmsg_close(&r->klog);
	watcher_close(&w);
	return 0;
}

int scx_finish(const struct scx_cfg *cfg, struct scx_child *c, char *detail, size_t len)
{
	struct scx_snap last;
	int ret = 0;

	detail[0] = '\0';
	/* Nothing of ours ran (busy, absent): the state is someone else's. */
	if (c->pid <= 0)
		return 0;
	if (c->pid > 0) {
		ret = scx_child_stop(c, cfg->grace_ms);
		if (ret) {
			snprintf(detail, len, "pid %d or a descendant did not die after SIGKILL (D state?)",
				 c->pid);
			return ret;
		}
	}
	ret = scx_wait_disabled(cfg, cfg->settle_ms, &last);
	if (ret == -ETIMEDOUT)
		snprintf(detail, len, "sched_ext still %s (\"%s\") %u ms after the scheduler was stopped",
			 scx_state_name(last.state), last.ops, cfg->settle_ms);
	else if (ret == -ENOENT)
		ret = 0;	/* no sched_ext at all: nothing to wait for */
	return ret;
}
