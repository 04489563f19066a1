// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: start a scheduler, keep its output, stop it for sure.
 *
 * The scheduler stays in the caller's process group so that the harness's
 * timeout (which SIGKILLs the test's group) takes it along, and it gets
 * PR_SET_PDEATHSIG(SIGKILL) for the case where it leaves the group.  The
 * caller is made a child subreaper so that a scheduler which forks and
 * exits leaves its descendants with us, where scx_child_stop() finds them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn.h"
#include "suite.h"

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif
#ifndef __NR_close_range
#define __NR_close_range 436
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC	(1U << 2)
#endif

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))
#define EXEC_WAIT_MS	5000	/* fork -> execve, or its error */
#define ORPHAN_ROUNDS	8	/* a chain of daemonizing forks, bounded */
#define FD_SCAN_MAX	65536	/* without close_range(): fds we mark CLOEXEC */

static inline int sys_pidfd_open(pid_t pid, unsigned int flags)
{
	return syscall(__NR_pidfd_open, pid, flags);
}

static inline int sys_pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags)
{
	return syscall(__NR_pidfd_send_signal, pidfd, sig, info, flags);
}

int scx_args_split(char *buf, char **argv, int max)
{
	char *save = NULL, *tok;
	int n = 0;

	for (tok = strtok_r(buf, " \t\n\r\v\f", &save); tok;
	     tok = strtok_r(NULL, " \t\n\r\v\f", &save)) {
		if (n == max)
			return -E2BIG;
		argv[n++] = tok;
	}
	return n;
}

int scx_args_read(const char *path, char *buf, size_t len, char *err, size_t errlen)
{
	size_t off = 0;
	struct stat st;
	ssize_t n;
	int fd;

	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0) {
		snprintf(err, errlen, "args file %s: cannot open: %s", path, strerror(errno));
		return -errno;
	}
	/* A FIFO or device here would block or never end. */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "args file %s is not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	while ((n = read(fd, buf + off, len - 1 - off)) > 0) {
		off += n;
		if (off == len - 1)
			break;
	}
	if (n < 0) {
		snprintf(err, errlen, "args file %s: cannot read: %s", path, strerror(errno));
		close(fd);
		return -EIO;
	}
	if (off == len - 1 && read(fd, &(char){0}, 1) > 0) {
		snprintf(err, errlen, "args file %s is longer than %zu bytes: not an args file?",
			 path, len - 1);
		close(fd);
		return -E2BIG;
	}
	close(fd);
	buf[off] = '\0';
	if (strspn(buf, " \t\n\r\v\f") == off) {
		snprintf(err, errlen,
			 "args file %s is blank: remove it for no arguments, or fill it in", path);
		return -ENODATA;
	}
	if (memchr(buf, '\0', off)) {
		snprintf(err, errlen, "args file %s holds NUL bytes: not a text file", path);
		return -EINVAL;
	}
	return 0;
}

int scx_sibling_path(char *buf, size_t len, const char *prog)
{
	char self[PATH_MAX], *slash;
	ssize_t n;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return -errno;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	if (snprintf(buf, len, "%s/%s", self, prog) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

int scx_bin_check(const char *bin, char *err, size_t errlen)
{
	struct stat st;

	if (stat(bin, &st)) {
		snprintf(err, errlen, "scheduler %s: %s", bin, strerror(errno));
		return -errno;
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

static char **build_env(void)
{
	size_t n = 0, i;
	const char *v;
	char **env;
	char *s;

	env = calloc(ARRAY_LEN(keep_env) + 3, sizeof(*env));
	if (!env)
		return NULL;
	for (i = 0; i < ARRAY_LEN(keep_env); i++) {
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
	return env;
fail:
	while (n)
		free(env[--n]);
	free(env);
	return NULL;
}

static void free_env(char **env)
{
	char **p;

	for (p = env; p && *p; p++)
		free(*p);
	free(env);
}

int scx_log_open(struct scx_child *c, char *err, size_t errlen)
{
	int ret;

	c->dir_fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (c->dir_fd < 0)
		goto fail;
	/* O_EXCL|O_NOFOLLOW: a planted file or symlink is refused, never followed. */
	c->log_fd = openat(c->dir_fd, SCX_LOG_NAME,
			   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (c->log_fd < 0)
		goto fail;
	if (snprintf(c->log_path, sizeof(c->log_path), "%.*s/" SCX_LOG_NAME,
		     (int)(sizeof(c->log_path) - sizeof(SCX_LOG_NAME) - 1), c->dir) < 0)
		c->log_path[0] = '\0';
	return 0;
fail:
	ret = -errno;
	snprintf(err, errlen, "cannot create the log in %s: %s", c->dir, strerror(-ret));
	return ret;
}

static int make_log(struct scx_child *c, const struct scx_cfg *cfg, char *err, size_t errlen)
{
	int n;

	n = snprintf(c->dir, sizeof(c->dir), "%s/scx_attach.XXXXXX", cfg->tmpdir);
	if (n < 0 || (size_t)n >= sizeof(c->dir)) {
		snprintf(err, errlen, "log directory: TMPDIR is too long");
		return -ENAMETOOLONG;
	}
	if (!mkdtemp(c->dir)) {	/* mode 0700 */
		snprintf(err, errlen, "cannot create a private log directory under %s: %s",
			 cfg->tmpdir, strerror(errno));
		c->dir[0] = '\0';
		return -errno;
	}
	return scx_log_open(c, err, errlen);
}

static void __attribute__((__noreturn__))
child_exec(const char *bin, char *const argv[], char **env, int out_fd, int err_fd, pid_t parent)
{
	sigset_t none;
	int fd, sig;

	/* Die with the test, even if the scheduler leaves our process group. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(127);
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
		goto fail;
	/* The harness's handlers and mask must not leak into the scheduler. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	/*
	 * Only 0-2 reach the scheduler: fds our caller inherited without
	 * O_CLOEXEC (a runner's log or status pipe) would let it write there
	 * or hold the runner's pipes open.  CLOEXEC, not close: err_fd must
	 * survive a failed execve.
	 */
	if (syscall(__NR_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC))
		for (fd = 3; fd < FD_SCAN_MAX && fd < sysconf(_SC_OPEN_MAX); fd++)
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	execve(bin, argv, env);
fail:
	sig = errno;
	if (write(err_fd, &sig, sizeof(sig)) < 0)
		_exit(127);
	_exit(127);
}

/* Wait for execve() to succeed (EOF on the CLOEXEC pipe) or report errno. */
static int wait_exec(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int e = 0;

	if (poll(&pfd, 1, EXEC_WAIT_MS) <= 0)
		return -ETIMEDOUT;
	if (read(fd, &e, sizeof(e)) == sizeof(e))
		return -e;
	return 0;
}

int scx_spawn(struct scx_child *c, const struct scx_cfg *cfg, const char *bin,
	      char *const argv[], char *err, size_t errlen)
{
	int out[2] = { -1, -1 }, ex[2] = { -1, -1 };
	pid_t parent = getpid();
	char **env = NULL;
	int ret;

	memset(c, 0, sizeof(*c));
	c->pid = -1;
	c->pidfd = c->out_fd = c->log_fd = c->dir_fd = -1;
	c->log_cap = cfg->log_cap;

	ret = scx_bin_check(bin, err, errlen);
	if (ret)
		return ret;
	ret = make_log(c, cfg, err, errlen);
	if (ret)
		return ret;
	env = build_env();
	if (!env || pipe2(out, O_CLOEXEC) || pipe2(ex, O_CLOEXEC)) {
		ret = -errno ?: -ENOMEM;
		snprintf(err, errlen, "cannot set up the scheduler's pipes: %s", strerror(-ret));
		goto out;
	}
	/* Descendants of a daemonizing scheduler must come back to us. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1)) {
		ret = -errno;
		snprintf(err, errlen, "PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
		goto out;
	}

	c->t_spawn = scx_now_ns();
	c->pid = fork();
	if (c->pid < 0) {
		ret = -errno;
		snprintf(err, errlen, "fork: %s", strerror(errno));
		goto out;
	}
	if (c->pid == 0)
		child_exec(bin, argv, env, out[1], ex[1], parent);

	close(out[1]);
	close(ex[1]);
	out[1] = ex[1] = -1;
	c->out_fd = out[0];
	out[0] = -1;
	fcntl(c->out_fd, F_SETFL, O_NONBLOCK);

	/*
	 * Without pidfd (before 5.3), liveness falls back to waitid(WNOHANG)
	 * on our own child, which unlike /proc cannot be fooled by pid reuse.
	 */
	c->pidfd = cfg->pidfd ? sys_pidfd_open(c->pid, 0) : -1;
	if (cfg->pidfd && c->pidfd < 0 && errno != ENOSYS) {
		ret = -errno;
		snprintf(err, errlen, "pidfd_open: %s", strerror(errno));
		goto out;
	}

	ret = wait_exec(ex[0]);
	if (ret) {
		snprintf(err, errlen, "cannot execute %s: %s", bin, strerror(-ret));
		goto out;
	}
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

static void tail_add(struct scx_child *c, const char *p, size_t n)
{
	size_t k;

	if (n > SCX_TAIL_LEN) {
		p += n - SCX_TAIL_LEN;
		n = SCX_TAIL_LEN;
	}
	while (n) {
		k = scx_min(n, SCX_TAIL_LEN - c->tail_pos);
		memcpy(c->tail + c->tail_pos, p, k);
		c->tail_pos += k;
		if (c->tail_pos == SCX_TAIL_LEN) {
			c->tail_pos = 0;
			c->tail_full = true;
		}
		p += k;
		n -= k;
	}
}

int scx_child_drain(struct scx_child *c)
{
	char buf[65536];
	size_t room;
	ssize_t n;
	int rounds;

	if (c->out_fd < 0)
		return 1;
	/* Bounded: a flooding scheduler must not starve the watcher. */
	for (rounds = 0; rounds < 16; rounds++) {
		n = read(c->out_fd, buf, sizeof(buf));
		if (n == 0) {
			close(c->out_fd);
			c->out_fd = -1;
			return 1;
		}
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
		tail_add(c, buf, n);
		room = c->log_cap > c->logged ? c->log_cap - c->logged : 0;
		if ((size_t)n > room)
			c->dropped += n - room;
		if (room && c->log_fd >= 0 &&
		    write(c->log_fd, buf, scx_min((size_t)n, room)) > 0)
			c->logged += scx_min((size_t)n, room);
	}
	return 0;
}

static int reap(pid_t pid, siginfo_t *si)
{
	memset(si, 0, sizeof(*si));
	if (waitid(P_PID, pid, si, WEXITED | WNOHANG))
		return errno == ECHILD ? 1 : 0;
	return si->si_pid == pid;
}

int scx_child_poll(struct scx_child *c)
{
	siginfo_t si;

	if (c->exited || c->pid <= 0)
		return 1;
	if (!reap(c->pid, &si))
		return 0;
	c->exited = true;
	c->code = si.si_code;
	c->status = si.si_status;
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
 * makes the wait evented; without one, fall back to a 10 ms cadence.
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
			poll(NULL, 0, scx_min(10, scx_ms_until(deadline)));
	}
}

static int stop_pid(pid_t pid, int pidfd, unsigned int grace_ms, siginfo_t *si)
{
	if (grace_ms && !signal_and_reap(pid, pidfd, SIGTERM, grace_ms, si))
		return 0;
	return signal_and_reap(pid, pidfd, SIGKILL, scx_max(grace_ms, 1000U), si);
}

int scx_proc_ours(void)
{
	char buf[32];
	ssize_t len;

	/*
	 * /proc numbers pids in its own namespace: if that is not ours (a pid
	 * namespace with the host's /proc), they would name other processes.
	 */
	len = readlink("/proc/self", buf, sizeof(buf) - 1);
	if (len <= 0)
		return -errno ?: -ENOENT;
	buf[len] = '\0';
	return atoi(buf) == getpid() ? 0 : -EXDEV;
}

const char *scx_proc_stat(pid_t pid, char *buf, size_t len)
{
	char path[64], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	/* comm may hold spaces and parens: the fields start after the last ')'. */
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p + 2 : NULL;
}

int scx_proc_children(pid_t parent, pid_t *pids, int max, bool live)
{
	const char *p;
	char buf[512], state;
	int n = 0, ppid, threads;
	struct dirent *de;
	DIR *d;

	n = scx_proc_ours();
	if (n)
		return n;
	d = opendir("/proc");
	if (!d)
		return -errno;
	while (n < max && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		p = scx_proc_stat(atoi(de->d_name), buf, sizeof(buf));
		if (!p || sscanf(p, "%c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u"
				 " %*u %*u %*d %*d %*d %*d %d", &state, &ppid, &threads) != 3 ||
		    ppid != parent)
			continue;
		/*
		 * A leader shows Z once its main thread exits, while other
		 * threads (a test's guard) still live and hold its children:
		 * those come to us only when the last thread is gone.
		 */
		if (!live || state != 'Z' || threads > 1)
			pids[n++] = atoi(de->d_name);
	}
	closedir(d);
	return n;
}

/* Children of ours other than the scheduler: what a daemonizing one left. */
static int find_orphans(pid_t *pids, int max)
{
	return scx_proc_children(getpid(), pids, max, false);
}

/* Remember @pid in @seen (at most 64); true if it is new. */
bool scx_pid_once(pid_t *seen, int *n, pid_t pid)
{
	int i;

	for (i = 0; i < *n; i++)
		if (seen[i] == pid)
			return false;
	if (*n < 64)
		seen[(*n)++] = pid;
	return true;
}

int scx_kill_children(unsigned int ms)
{
	uint64_t deadline = scx_now_ns() + ms * NSEC_PER_MSEC;
	pid_t pids[64], seen[64];
	int i, n, killed = 0;
	siginfo_t si;

	for (;;) {
		n = scx_proc_children(getpid(), pids, 64, true);
		if (n <= 0)
			break;
		/* A dying one is killed again each round, and counted once. */
		for (i = 0; i < n; i++)
			if (!kill(pids[i], SIGKILL))
				scx_pid_once(seen, &killed, pids[i]);
		/* Reap; a killed parent's daemons come to us (subreaper) next round. */
		do {
			memset(&si, 0, sizeof(si));
		} while (!waitid(P_ALL, 0, &si, WEXITED | WNOHANG) && si.si_pid);
		if (scx_now_ns() >= deadline)
			return -ETIMEDOUT;
		poll(NULL, 0, 10);
	}
	do {
		memset(&si, 0, sizeof(si));
	} while (!waitid(P_ALL, 0, &si, WEXITED | WNOHANG) && si.si_pid);
	return n < 0 ? n : killed;
}

static int stop_orphans(struct scx_child *c, unsigned int grace_ms)
{
	pid_t pids[64];
	int round, i, n, pidfd, ret = 0;
	siginfo_t si;

	for (round = 0; round < ORPHAN_ROUNDS; round++) {
		n = find_orphans(pids, 64);
		/* -EXDEV: /proc cannot tell us; the pidfd kill above still held. */
		if (n <= 0)
			return n < 0 && n != -EXDEV ? n : ret;
		for (i = 0; i < n; i++) {
			pidfd = sys_pidfd_open(pids[i], 0);
			if (stop_pid(pids[i], pidfd, grace_ms, &si) == -ETIMEDOUT)
				ret = -ETIMEDOUT;
			else
				c->orphans++;
			if (pidfd >= 0)
				close(pidfd);
		}
	}
	return ret;
}

int scx_child_stop(struct scx_child *c, unsigned int grace_ms)
{
	uint64_t deadline;
	siginfo_t si;
	int ret = 0;

	if (c->pid > 0 && !scx_child_poll(c)) {
		ret = stop_pid(c->pid, c->pidfd, grace_ms, &si);
		if (!ret) {
			c->exited = true;
			c->code = si.si_code;
			c->status = si.si_status;
		}
	}
	if (c->pid > 0) {
		int r = stop_orphans(c, grace_ms);

		ret = ret ?: r;
	}
	/* Last words: read until every writer is gone, bounded. */
	deadline = scx_now_ns() + scx_max(grace_ms, 100U) * NSEC_PER_MSEC;
	while (c->out_fd >= 0 && scx_now_ns() < deadline) {
		struct pollfd pfd = { .fd = c->out_fd, .events = POLLIN };

		poll(&pfd, 1, scx_ms_until(deadline));
		if (scx_child_drain(c))
			break;
	}
	return ret;
}

size_t scx_child_tail(const struct scx_child *c, char *buf, size_t len)
{
	size_t have = c->tail_full ? SCX_TAIL_LEN : c->tail_pos;
	size_t n = scx_min(have, len - 1), start, k;

	start = (c->tail_pos + SCX_TAIL_LEN - n) % SCX_TAIL_LEN;
	k = scx_min(n, SCX_TAIL_LEN - start);
	memcpy(buf, c->tail + start, k);
	memcpy(buf + k, c->tail, n - k);
	buf[n] = '\0';
	return n;
}

void scx_child_release(struct scx_child *c, bool keep)
{
	char note[128], tail[SCX_TAIL_LEN + 1];
	size_t len;
	int n;

	if (c->log_fd >= 0 && c->dropped) {
		/* The file keeps the head; the tail ring keeps the end. */
		n = snprintf(note, sizeof(note),
			     "\n[scx_attach: log capped at %zu bytes, %zu bytes dropped; the tail follows]\n",
			     c->logged, c->dropped);
		len = scx_child_tail(c, tail, sizeof(tail));
		if (write(c->log_fd, note, n) < 0 || write(c->log_fd, tail, len) < 0)
			c->dropped += len;
	}
	if (c->pidfd >= 0)
		close(c->pidfd);
	if (c->out_fd >= 0)
		close(c->out_fd);
	if (c->log_fd >= 0)
		close(c->log_fd);
	if (c->dir_fd >= 0) {
		if (!keep)
			unlinkat(c->dir_fd, SCX_LOG_NAME, 0);
		close(c->dir_fd);
	}
	if (c->dir[0] && !keep)
		rmdir(c->dir);
	c->pidfd = c->out_fd = c->log_fd = c->dir_fd = -1;
}
