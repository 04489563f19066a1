// SPDX-License-Identifier: GPL-2.0
/*
 * A simulated sched_ext for the harness's own tests (SIMULATION ONLY).
 * See fake_kernel.h for what it replays and why.
 *
 * Protocol: a loader connects to fk->sock and sends one line,
 * "enable NAME ok|reject|eject=MS|restart=MS|splat=MS|glitch-hold=MS" or
 * one of the whole-sequence modes below.  The kernel answers "enabled",
 * "rejected" or, later, "ejected" (an error) or "restart" (the kernel
 * unregistered it and asks it to come back, as on CPU hotplug); closing
 * the connection unregisters.
 *
 * As if a whole attach fell between two looks of the harness: the files
 * end where they began but enable_seq, and only the log tells the rest.
 *   error-unseen      enabled, then disabled (scx_bpf_error): "ejected"
 *   error-unlogged    the same, its "disabled" lines never logged
 *   error-late        the same, its "disabled" lines logged 150 ms after
 *   restart-unseen    enabled, then unregistered from the main kernel: "restart"
 * And a line of the last scheduler's, logged late: "stale-ok", then as "ok".
 * And a sysfs read that fails: the state file is gone for GLITCH_MS.
 *   glitch            before any enable, then "glitched"
 *   glitch-hold=MS    MS after "enabled", which it stays
 * And the kernel's watchdog: stall=MS ejects it MS after "enabled" as
 * "runnable task stall", a task's wait of STALL_WAIT logged T_LATE_MS after.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fake_kernel.h"
#include "lib/common.h"

#define T_OPS_MS	160	/* enabling -> root/ops (measured) */
#define T_ENABLED_MS	210	/* root/ops -> enabled (measured) */
#define T_DISABLE_MS	20
#define T_SEQ_MS	5	/* "enabled" -> enable_seq bumped */
#define T_LATE_MS	150	/* error-late: the reply -> the "disabled" lines */
#define GLITCH_MS	1000	/* the state file is gone this long */
#define STALL_WAIT	"3.000s"	/* stall=MS: the wait the watchdog reports */
#define ERROR_MSG	"fake.bpf.c:42: fault: injected error after 0 ms"

static unsigned long long kseq;

/* Replace a file atomically so readers never see it half-written. */
static void put_file(const char *dir, const char *name, const char *val)
{
	char tmp[PATH_MAX + 16], dst[PATH_MAX + 16];
	int fd;

	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	snprintf(dst, sizeof(dst), "%s/%s", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, val, strlen(val)) < 0 || write(fd, "\n", 1) < 0)
		unlink(tmp);
	close(fd);
	rename(tmp, dst);
}

static void klog(struct fake_kernel *fk, int level, const char *fmt, const char *a,
		 const char *b)
{
	char msg[512], rec[600];
	struct timespec ts;
	int fd, n;

	snprintf(msg, sizeof(msg), fmt, a, b);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	n = snprintf(rec, sizeof(rec), "%d,%llu,%lld,-;%s\n", level, kseq++,
		     (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000, msg);
	fd = open(fk->kmsg, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, rec, n) < 0)
		n = 0;
	close(fd);
}

static void set_state(struct fake_kernel *fk, const char *st)
{
	put_file(fk->sys, "state", st);
}

static void root_add(struct fake_kernel *fk, const char *ops)
{
	char tmp[PATH_MAX + 16], dst[PATH_MAX + 16];

	snprintf(tmp, sizeof(tmp), "%s/.root.tmp", fk->sys);
	snprintf(dst, sizeof(dst), "%s/root", fk->sys);
	mkdir(tmp, 0755);
	put_file(tmp, "ops", ops);
	rename(tmp, dst);
}

static void root_del(struct fake_kernel *fk)
{
	char p[PATH_MAX + 16];

	snprintf(p, sizeof(p), "%s/root/ops", fk->sys);
	unlink(p);
	snprintf(p, sizeof(p), "%s/root", fk->sys);
	rmdir(p);
}

/* Sleep, but wake up for fk_stop(). */
static bool fk_sleep(struct fake_kernel *fk, int ms)
{
	struct pollfd p = { .fd = fk->wake[0], .events = POLLIN };

	return poll(&p, 1, ms) == 0;
}

static void disable(struct fake_kernel *fk, const char *name, const char *reason,
		    const char *msg)
{
	set_state(fk, "disabling");
	root_del(fk);
	fk_sleep(fk, T_DISABLE_MS);
	set_state(fk, "disabled");
	/* Errors are pr_err (3); unregistration is pr_info (6). */
	if (msg) {
		klog(fk, 3, "sched_ext: BPF scheduler \"%s\" disabled (%s)", name, reason);
		klog(fk, 3, "sched_ext: %s: %s", name, msg);
	} else {
		klog(fk, 6, "sched_ext: BPF scheduler \"%s\" disabled (%s)", name, reason);
	}
}

static void reply(int cfd, const char *msg);

/* A read of the state file fails (ENOENT) for a while, then works again. */
static void state_glitch(struct fake_kernel *fk)
{
	char from[PATH_MAX + 16], to[PATH_MAX + 16];

	snprintf(from, sizeof(from), "%s/state", fk->sys);
	snprintf(to, sizeof(to), "%s/state.hidden", fk->dir);
	if (rename(from, to))
		return;
	fk_sleep(fk, GLITCH_MS);
	rename(to, from);
}

static void seq_bump(struct fake_kernel *fk)
{
	char line[32];

	fk->seq++;
	snprintf(line, sizeof(line), "%lld", fk->seq);
	put_file(fk->sys, "enable_seq", line);
}

/* A whole attach and its end between two looks; false for another mode. */
static bool between_looks(struct fake_kernel *fk, int cfd, const char *name, const char *how)
{
	bool error = !strncmp(how, "error-", 6);

	if (strcmp(how, "error-unseen") && strcmp(how, "error-unlogged") &&
	    strcmp(how, "error-late") && strcmp(how, "restart-unseen"))
		return false;
	klog(fk, 6, "sched_ext: BPF scheduler \"%s\" enabled%s", name, "");
	seq_bump(fk);
	if (!strcmp(how, "restart-unseen")) {
		klog(fk, 6, "sched_ext: BPF scheduler \"%s\" disabled (%s)", name,
		     "unregistered from the main kernel");
		reply(cfd, "restart\n");
		return true;
	}
	if (!strcmp(how, "error-late")) {
		reply(cfd, "ejected\n");
		if (!fk_sleep(fk, T_LATE_MS))
			return true;
	}
	if (strcmp(how, "error-unlogged")) {
		klog(fk, 3, "sched_ext: BPF scheduler \"%s\" disabled (%s)", name, "scx_bpf_error");
		klog(fk, 3, "sched_ext: %s: %s", name, ERROR_MSG);
	}
	if (error && strcmp(how, "error-late"))
		reply(cfd, "ejected\n");
	return true;
}

/* The scheduler may be gone already (a verdict came first): never SIGPIPE the test. */
static void reply(int cfd, const char *msg)
{
	send(cfd, msg, strlen(msg), MSG_NOSIGNAL);
}

static void serve(struct fake_kernel *fk, int cfd)
{
	char line[256], name[64] = "", how[64] = "";
	struct pollfd p[2];
	int eject_ms = -1, n;
	bool restart, splat, glitch, stall;
	ssize_t len;

	len = read(cfd, line, sizeof(line) - 1);
	if (len <= 0)
		return;
	line[len] = '\0';
	if (sscanf(line, "enable %63s %63s", name, how) != 2)
		return;
	restart = sscanf(how, "restart=%d", &eject_ms) == 1;
	splat = sscanf(how, "splat=%d", &eject_ms) == 1;
	glitch = sscanf(how, "glitch-hold=%d", &eject_ms) == 1;
	stall = sscanf(how, "stall=%d", &eject_ms) == 1;
	if (!restart && !splat && !glitch && !stall && sscanf(how, "eject=%d", &eject_ms) != 1)
		eject_ms = -1;

	if (between_looks(fk, cfd, name, how))
		return;
	if (!strcmp(how, "stale-ok")) {
		/* The last scheduler's line, logged late (a stalled vCPU). */
		klog(fk, 6, "sched_ext: BPF scheduler \"%s\" disabled (%s)", "other",
		     "unregistered from user space");
		strcpy(how, "ok");
	}
	if (!strcmp(how, "glitch")) {
		state_glitch(fk);
		reply(cfd, "glitched\n");
		return;
	}

	if (!strcmp(how, "reject-unseen")) {
		/* As if the whole enabling window fell between two looks. */
		klog(fk, 3, "sched_ext: BPF scheduler \"%s\" disabled (%s)", name, "runtime error");
		klog(fk, 3, "sched_ext: %s: %s", name, "ops.init() failed (-22)");
		reply(cfd, "rejected\n");
		return;
	}
	set_state(fk, "enabling");
	if (!fk_sleep(fk, T_OPS_MS))
		return;
	root_add(fk, name);
	if (!fk_sleep(fk, T_ENABLED_MS))
		return;
	if (!strcmp(how, "reject")) {
		disable(fk, name, "runtime error", "ops.init() failed (-22)");
		reply(cfd, "rejected\n");
		return;
	}
	/* 7.3's order: enabled, the log line (and uevent), then enable_seq. */
	set_state(fk, "enabled");
	klog(fk, 6, "sched_ext: BPF scheduler \"%s\" enabled%s", name, "");
	fk_sleep(fk, T_SEQ_MS);
	seq_bump(fk);
	reply(cfd, "enabled\n");

	p[0] = (struct pollfd){ .fd = cfd, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = fk->wake[0], .events = POLLIN };
	n = poll(p, 2, eject_ms);
	if (n == 0 && glitch) {
		/* The files fail a reader for a while; it stays attached. */
		state_glitch(fk);
		n = poll(p, 2, -1);
	}
	if (n == 0 && splat) {
		/* The kernel went wrong elsewhere; the scheduler stays attached. */
		klog(fk, 4, "%s%s", "watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [spin:191]", "");
		klog(fk, 4, "%s%s", "Call Trace:", "");
		klog(fk, 4, "%s%s", " <TASK>", "");
		n = poll(p, 2, -1);
	}
	if (n == 0 && restart) {
		/* SCX_EXIT_UNREG_KERN: pr_info, no message line. */
		disable(fk, name, "unregistered from the main kernel", NULL);
		reply(cfd, "restart\n");
		return;
	}
	if (n == 0 && stall) {
		/*
		 * The watchdog's exit (SCX_EXIT_ERROR_STALL), its wait in wall
		 * time on the line after, here late: a reader may come between.
		 */
		set_state(fk, "disabling");
		root_del(fk);
		fk_sleep(fk, T_DISABLE_MS);
		set_state(fk, "disabled");
		klog(fk, 3, "sched_ext: BPF scheduler \"%s\" disabled (%s)", name, "runnable task stall");
		fk_sleep(fk, T_LATE_MS);
		klog(fk, 3, "sched_ext: %s: %s", name, "kworker/0:1[42] failed to run for " STALL_WAIT);
		reply(cfd, "ejected\n");
		return;
	}
	if (n == 0) {
		disable(fk, name, "runtime error", "fault: injected error");
		reply(cfd, "ejected\n");
		return;
	}
	/* The loader closed the link or died: the kernel unregisters it. */
	disable(fk, name, "unregistered from user space", NULL);
}

static void *fk_thread(void *arg)
{
	struct fake_kernel *fk = arg;
	struct pollfd p[2];
	int cfd;

	for (;;) {
		p[0] = (struct pollfd){ .fd = fk->lfd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = fk->wake[0], .events = POLLIN };
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents)
			break;
		cfd = accept4(fk->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (cfd < 0)
			continue;
		serve(fk, cfd);
		close(cfd);
	}
	return NULL;
}

int fk_start(struct fake_kernel *fk)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *tmp = getenv("TMPDIR");

	memset(fk, 0, sizeof(*fk));
	snprintf(fk->dir, sizeof(fk->dir), "%s/scx_sim.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(fk->dir))
		return -errno;
	snprintf(fk->sys, sizeof(fk->sys), "%.4000s/sched_ext", fk->dir);
	snprintf(fk->kmsg, sizeof(fk->kmsg), "%.4000s/kmsg", fk->dir);
	snprintf(fk->sock, sizeof(fk->sock), "%.4000s/link", fk->dir);
	if (strlen(fk->sock) >= sizeof(sa.sun_path) || mkdir(fk->sys, 0755))
		return -ENAMETOOLONG;
	put_file(fk->sys, "state", "disabled");
	put_file(fk->sys, "enable_seq", "0");
	put_file(fk->sys, "switch_all", "0");
	put_file(fk->dir, "kmsg", "");
	/* put_file() wrote a newline: a kmsg file starts empty. */
	truncate(fk->kmsg, 0);

	strcpy(sa.sun_path, fk->sock);
	fk->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fk->lfd < 0 || bind(fk->lfd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fk->lfd, 4) || pipe2(fk->wake, O_CLOEXEC))
		return -errno;
	if (pthread_create(&fk->th, NULL, fk_thread, fk))
		return -EAGAIN;
	fk->running = true;
	return 0;
}

static void rm_tree(const char *dir)
{
	const char *names[] = { "sched_ext/root/ops", "sched_ext/root", "sched_ext/state",
				"sched_ext/enable_seq", "sched_ext/switch_all", "sched_ext",
				"kmsg", "link", "daemon.pid", "state.hidden", "" };
	char p[PATH_MAX + 32];
	int i;

	for (i = 0; names[i][0]; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		if (unlink(p) && errno == EISDIR)
			rmdir(p);
		rmdir(p);
	}
	rmdir(dir);
}

void fk_stop(struct fake_kernel *fk)
{
	if (fk->running) {
		if (write(fk->wake[1], "x", 1) < 0)
			return;
		pthread_join(fk->th, NULL);
		fk->running = false;
	}
	close(fk->lfd);
	close(fk->wake[0]);
	close(fk->wake[1]);
	rm_tree(fk->dir);
}

int fk_set_busy(struct fake_kernel *fk, const char *ops)
{
	root_add(fk, ops);
	set_state(fk, "enabled");
	return 0;
}

pid_t fk_daemon_pid(const struct fake_kernel *fk)
{
	char p[PATH_MAX + 16];
	int pid = 0;
	FILE *f;

	snprintf(p, sizeof(p), "%s/daemon.pid", fk->dir);
	f = fopen(p, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%d", &pid) != 1)
		pid = 0;
	fclose(f);
	return pid;
}

int fk_state(struct fake_kernel *fk, char *buf, size_t len)
{
	char p[PATH_MAX + 16];
	ssize_t n;

	snprintf(p, sizeof(p), "%s/state", fk->sys);
	n = scx_read_small_at(AT_FDCWD, p, 0, buf, len);
	if (n < 0)
		return n;
	while (n && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return 0;
}
