// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: start a scheduler and stop it for sure.
 *
 * The scheduler stays in the caller's process group so that the harness's
 * timeout (which SIGKILLs the test's group) takes it along, and it gets
 * PR_SET_PDEATHSIG(SIGKILL) for the case where it leaves the group.  The
 * caller is made a child subreaper so that a scheduler which forks and
 * exits leaves its descendants with us, where scx_child_stop() finds them
 * by the spawn tag in their environment: our other children (a second
 * scheduler, the hotplug helper, the stress load) are not its to stop.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "fork.h"
#include "proc.h"
#include "spawn.h"

#define EXEC_WAIT_MS	5000	/* fork -> execve, or its error */
#define ORPHAN_ROUNDS	8	/* a chain of daemonizing forks, bounded */
#define PIDLESS_MS	10	/* reap cadence without a pidfd */

/* Where the child stopped short of execve(), with errno, on its CLOEXEC pipe. */
enum { EXEC_SETUP, EXEC_CAPS, EXEC_EXEC };

void scx_child_init(struct scx_child *c, size_t log_cap)
{
	memset(c, 0, sizeof(*c));
	c->pid = -1;
	c->pidfd = -1;
	scx_log_init(&c->log, log_cap);
}

/* Can @bin be executed?  -errno with @err filled otherwise. */
static int bin_check(const char *bin, char *err, size_t errlen)
{
	struct stat st;
	int ret;

	if (stat(bin, &st)) {
		ret = -errno;
		snprintf(err, errlen, "scheduler %s: %s", bin, strerror(-ret));
		return ret;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "scheduler %s is a directory, not a program", bin);
		return -EISDIR;
	}
	if (!S_ISREG(st.st_mode) || access(bin, X_OK)) {
		snprintf(err, errlen, "scheduler %s is not an executable file (chmod +x?)", bin);
		return -EACCES;
	}
	return 0;
}

/* What a scheduler needs from our environment, and nothing else. */
static const char *const keep_env[] = {
	"PATH", "HOME", "LANG", "LC_ALL", "TZ", "TERM", "LD_LIBRARY_PATH",
};

#define RUST_LOG_EXTRA	"scx_utils::libbpf_logger=warn"

static void free_env(char **env)
{
	char **p;

	for (p = env; p && *p; p++)
		free(*p);
	free(env);
}

/* SCX_SPAWN_ENV=PID:NS, PID filled in by the child: room for both. */
#define SPAWN_TAG_ROOM	48

static char **build_env(char **tag_slot)
{
	size_t n = 0, i;
	const char *v;
	char **env;
	char *s;

	env = calloc(ARRAY_SIZE(keep_env) + 4, sizeof(*env));
	if (!env)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(keep_env); i++) {
		v = getenv(keep_env[i]);
		if (!v)
			continue;
		if (asprintf(&s, "%s=%s", keep_env[i], v) < 0)
			goto fail;
		env[n++] = s;
	}
	/* Rust schedulers: keep libbpf's chatter out of the log by default. */
	v = getenv("RUST_LOG");
	if (asprintf(&s, "RUST_LOG=%s," RUST_LOG_EXTRA, v && *v ? v : "info") < 0)
		goto fail;
	env[n++] = s;
	/* Whose it is: daemons inherit it, so a later suite finds strays. */
	if (asprintf(&s, SCX_OWNER_ENV "=%s", scx_owner_tag()) < 0)
		goto fail;
	env[n++] = s;
	/* Which spawn: its descendants inherit it, so that its stop finds them. */
	s = calloc(1, sizeof(SCX_SPAWN_ENV "=") + SPAWN_TAG_ROOM);
	if (!s)
		goto fail;
	env[n++] = s;
	*tag_slot = s;
	return env;
fail:
	free_env(env);
	return NULL;
}

/* The tag of the spawn of @pid at @t_spawn, as its environment holds it. */
static void spawn_tag(char *buf, size_t len, pid_t pid, uint64_t t_spawn)
{
	snprintf(buf, len, "%d:%llu", pid, (unsigned long long)t_spawn);
}

static void __attribute__((__noreturn__))
child_exec(const char *bin, char *const argv[], char **env, int out_fd, int err_fd, pid_t parent,
	   char *tag_slot, uint64_t t_spawn)
{
	int fd, msg[2] = { EXEC_SETUP };
	ssize_t n;

	memcpy(tag_slot, SCX_SPAWN_ENV "=", sizeof(SCX_SPAWN_ENV));
	spawn_tag(tag_slot + sizeof(SCX_SPAWN_ENV), SPAWN_TAG_ROOM, getpid(), t_spawn);
	/*
	 * Die with the test, even if the scheduler leaves our process group.
	 * Only 0-2 reach the scheduler: fds our caller inherited without
	 * O_CLOEXEC (a runner's log or status pipe) would let it write there
	 * or hold the runner's pipes open.  CLOEXEC, not close: err_fd must
	 * survive a failed execve.
	 */
	if (scx_fork_setup(parent, SIGKILL, 3, true))
		_exit(127);
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
		goto fail;
	if (fd > 2)
		close(fd);
	/* Not root: only the ambient set survives execve(). */
	msg[0] = EXEC_CAPS;
	if (scx_caps_keep_on_exec())
		goto fail;
	msg[0] = EXEC_EXEC;
	execve(bin, argv, env);
fail:
	msg[1] = errno;
	/* Nothing is left to report a failed report to. */
	n = write(err_fd, msg, sizeof(msg));
	(void)n;
	_exit(127);
}

/*
 * Wait for execve() to succeed (EOF on the CLOEXEC pipe) or report errno,
 * and where the child stopped in @stage.
 */
static int wait_exec(int fd, int *stage)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int msg[2] = { EXEC_EXEC, 0 };

	*stage = EXEC_EXEC;
	if (poll(&pfd, 1, EXEC_WAIT_MS) <= 0)
		return -ETIMEDOUT;
	if (read(fd, msg, sizeof(msg)) != sizeof(msg))
		return 0;
	*stage = msg[0];
	return -msg[1];
}

int scx_spawn(struct scx_child *c, const struct scx_cfg *cfg, const char *bin,
	      char *const argv[], char *err, size_t errlen)
{
	int out[2] = { -1, -1 }, ex[2] = { -1, -1 };
	pid_t parent = getpid();
	char **env = NULL, *tag_slot = NULL;
	int ret, stage;

	scx_child_init(c, cfg->log_cap);
	ret = bin_check(bin, err, errlen);
	if (ret)
		return ret;
	ret = scx_log_create(&c->log, cfg->tmpdir, err, errlen);
	if (ret)
		return ret;
	env = build_env(&tag_slot);
	if (!env || pipe2(out, O_CLOEXEC) || pipe2(ex, O_CLOEXEC)) {
		ret = -errno ?: -ENOMEM;
		snprintf(err, errlen, "cannot set up the scheduler's pipes: %s", strerror(-ret));
		goto out;
	}
	/* Descendants of a daemonizing scheduler must come back to us. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1)) {
		ret = -errno;
		snprintf(err, errlen, "PR_SET_CHILD_SUBREAPER: %s", strerror(-ret));
		goto out;
	}

	c->t_spawn = scx_now_ns();
	c->pid = fork();
	if (c->pid < 0) {
		ret = -errno;
		snprintf(err, errlen, "fork: %s", strerror(-ret));
		goto out;
	}
	if (c->pid == 0)
		child_exec(bin, argv, env, out[1], ex[1], parent, tag_slot, c->t_spawn);
	spawn_tag(c->tag, sizeof(c->tag), c->pid, c->t_spawn);

	close(out[1]);
	close(ex[1]);
	out[1] = ex[1] = -1;
	c->log.out_fd = out[0];
	out[0] = -1;
	fcntl(c->log.out_fd, F_SETFL, O_NONBLOCK);

	/*
	 * Without pidfd (before 5.3), liveness falls back to waitid(WNOHANG)
	 * on our own child, which unlike /proc cannot be fooled by pid reuse.
	 */
	c->pidfd = cfg->pidfd ? sys_pidfd_open(c->pid, 0) : -1;
	if (cfg->pidfd && c->pidfd < 0 && errno != ENOSYS) {
		ret = -errno;
		snprintf(err, errlen, "pidfd_open: %s", strerror(-ret));
		goto out;
	}

	ret = wait_exec(ex[0], &stage);
	if (ret && stage == EXEC_CAPS)
		snprintf(err, errlen, "cannot keep the capabilities for %s across execve() (ambient set): %s",
			 bin, strerror(-ret));
	else if (ret)
		snprintf(err, errlen, "cannot execute %s: %s", bin, strerror(-ret));
out:
	if (ret && c->pid > 0)
		scx_child_stop(c, 0);
	close(out[0]);
	close(out[1]);
	close(ex[0]);
	close(ex[1]);
	free_env(env);
	return ret;
}

static int reap(pid_t pid, siginfo_t *si)
{
	memset(si, 0, sizeof(*si));
	if (waitid(P_PID, pid, si, WEXITED | WNOHANG))
		return errno == ECHILD ? 1 : 0;
	return si->si_pid == pid;
}

static void set_exited(struct scx_child *c, const siginfo_t *si)
{
	c->exited = true;
	c->code = si->si_code;
	c->status = si->si_status;
}

int scx_child_poll(struct scx_child *c)
{
	siginfo_t si;

	if (c->exited || c->pid <= 0)
		return 1;
	if (!reap(c->pid, &si))
		return 0;
	set_exited(c, &si);
	return 1;
}

uint64_t scx_child_cpu_ns(const struct scx_child *c)
{
	struct timespec ts;
	clockid_t clk;

	if (c->exited || clock_getcpuclockid(c->pid, &clk) || clock_gettime(clk, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/*
 * Signal @pid and wait up to @ms for it to exit, reaping it.  The pidfd
 * makes the wait evented; without one, fall back to a short cadence.
 */
static int signal_and_reap(pid_t pid, int pidfd, int sig, unsigned int ms, siginfo_t *si)
{
	uint64_t deadline = scx_now_ns() + ms * NSEC_PER_MSEC;
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

	if (reap(pid, si))
		return 0;
	if (pidfd >= 0 ? sys_pidfd_send_signal(pidfd, sig, NULL, 0) : kill(pid, sig))
		if (errno == ESRCH)
			return reap(pid, si) ? 0 : -ESRCH;
	for (;;) {
		if (reap(pid, si))
			return 0;
		if (scx_now_ns() >= deadline)
			return -ETIMEDOUT;
		if (pidfd >= 0)
			poll(&pfd, 1, scx_ms_until(deadline));
		else
			poll(NULL, 0, scx_min(PIDLESS_MS, scx_ms_until(deadline)));
	}
}

static int stop_pid(pid_t pid, int pidfd, unsigned int grace_ms, siginfo_t *si)
{
	if (grace_ms && !signal_and_reap(pid, pidfd, SIGTERM, grace_ms, si))
		return 0;
	return signal_and_reap(pid, pidfd, SIGKILL, scx_max(grace_ms, SCX_KILL_WAIT_MS), si);
}

/*
 * What the scheduler left behind: children of ours (adopted as subreaper)
 * with its spawn tag.  Others are not its: a second scheduler, the hotplug
 * helper, the stress load.
 */
static int stop_orphans(struct scx_child *c, unsigned int grace_ms)
{
	int round, i, n, found, pidfd, ret = 0;
	pid_t pids[SCX_PROC_MAX];
	siginfo_t si;

	if (!c->tag[0])
		return 0;
	for (round = 0; round < ORPHAN_ROUNDS; round++) {
		n = scx_proc_children(getpid(), pids, SCX_PROC_MAX, true);
		/* -EXDEV: /proc cannot tell us; the pidfd kill above still held. */
		if (n < 0)
			return n != -EXDEV ? n : ret;
		for (i = found = 0; i < n; i++) {
			if (pids[i] == c->pid || !scx_proc_env_is(pids[i], SCX_SPAWN_ENV, c->tag))
				continue;
			found++;
			pidfd = sys_pidfd_open(pids[i], 0);
			if (stop_pid(pids[i], pidfd, grace_ms, &si) == -ETIMEDOUT)
				ret = -ETIMEDOUT;
			else
				c->orphans++;
			if (pidfd >= 0)
				close(pidfd);
		}
		if (!found)
			break;
	}
	return ret;
}

int scx_child_stop(struct scx_child *c, unsigned int grace_ms)
{
	siginfo_t si;
	int ret = 0, r;

	if (c->pid <= 0)
		return 0;
	if (!scx_child_poll(c)) {
		ret = stop_pid(c->pid, c->pidfd, grace_ms, &si);
		if (!ret)
			set_exited(c, &si);
	}
	r = stop_orphans(c, grace_ms);
	ret = ret ?: r;
	/* Last words: read until every writer is gone, bounded. */
	scx_log_finish(&c->log, scx_max(grace_ms, SCX_LAST_WORDS_MS));
	return ret;
}

void scx_child_release(struct scx_child *c, bool keep)
{
	if (c->pidfd >= 0)
		close(c->pidfd);
	c->pidfd = -1;
	scx_log_release(&c->log, keep);
}
