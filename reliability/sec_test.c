// SPDX-License-Identifier: GPL-2.0
/*
 * sec_test - the harness runs as root: it must not be a way to clobber
 * files, and what it hands the scheduler must be only what it needs.
 *
 * Runs lib/ on the host, no sched_ext and no root needed: the scheduler is
 * probe_sched (or coreutils' yes), which reports what it was given.
 *   - a symlink or file planted where the log goes is refused, not followed;
 *   - the log directory is private (0700, ours) and the log 0600;
 *   - the child's environment is the documented short list plus RUST_LOG
 *     and the owner tag (lib/suite.h);
 *   - the child gets fds 0-2 only, /dev/null as stdin, PR_SET_PDEATHSIG,
 *     no blocked or ignored signals, and the caller's process group;
 *   - a flood of output is capped in the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/config.h"
#include "lib/proc.h"
#include "lib/reaper.h"
#include "lib/spawn.h"

#include "kselftest_harness.h"

static char probe_path[PATH_MAX];

FIXTURE(sec) {
	char dir[PATH_MAX];	/* private scratch: TMPDIR for lib/ */
	struct scx_cfg cfg;
	struct scx_child c;
	char out[SCX_TAIL_LEN + 1];
	bool spawned;
};

FIXTURE_SETUP(sec)
{
	const char *tmp = getenv("TMPDIR");
	char err[SCX_ERR_LEN];

	snprintf(self->dir, sizeof(self->dir), "%s/scx_sec.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, scx_cfg_init(&self->cfg, err, sizeof(err))) TH_LOG("%s", err);
	strcpy(self->cfg.tmpdir, self->dir);
	self->cfg.log_cap = 64 * 1024;
	self->spawned = false;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

FIXTURE_TEARDOWN(sec)
{
	if (self->spawned) {
		scx_child_stop(&self->c, 0);
		scx_child_release(&self->c, false);
	}
	/* Our own scratch dir, made by mkdtemp above; symlinks are not followed. */
	if (nftw(self->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS))
		TH_LOG("cannot remove %s", self->dir);
}

/* Run probe_sched (or @bin) to its end; its output lands in self->out. */
static int run_probe(FIXTURE_DATA(sec) *self, const char *bin)
{
	char *argv[] = { (char *)(bin ?: probe_path), NULL };
	char err[SCX_ERR_LEN];
	uint64_t deadline;
	int ret;

	ret = scx_spawn(&self->c, &self->cfg, argv[0], argv, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "# spawn: %s\n", err);
		return ret;
	}
	self->spawned = true;
	deadline = scx_now_ns() + 5 * NSEC_PER_SEC;
	while (!scx_child_poll(&self->c) && scx_now_ns() < deadline) {
		scx_log_drain(&self->c.log);
		usleep(10000);
	}
	ret = scx_child_stop(&self->c, 0);
	scx_log_tail(&self->c.log, self->out, sizeof(self->out));
	return ret;
}

/* The value of "key: " in the probe's output, or NULL. */
static const char *probe_val(const char *out, const char *key, char *buf, size_t len)
{
	const char *p = out;
	size_t k = strlen(key);

	for (; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (!strncmp(p, key, k)) {
			snprintf(buf, len, "%.*s", (int)strcspn(p + k, "\n"), p + k);
			return buf;
		}
	}
	return NULL;
}

static int count_lines(const char *out, const char *prefix)
{
	const char *p;
	int n = 0;

	for (p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		n += !strncmp(p, prefix, strlen(prefix));
	return n;
}

static int write_victim(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0)
		return -1;
	if (write(fd, "precious\n", 9) != 9) {
		close(fd);
		return -1;
	}
	return close(fd);
}

static bool victim_intact(const char *path)
{
	char buf[32] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n == 9 && !strcmp(buf, "precious\n");
}

/* A fresh child whose log would go into @dir, as scx_spawn() leaves it. */
static void child_in(struct scx_child *c, const char *dir)
{
	scx_child_init(c, 0);
	snprintf(c->log.dir, sizeof(c->log.dir), "%s", dir);
}

/* A symlink planted where the log would go: refused, target untouched. */
TEST_F(sec, log_refuses_planted_symlink)
{
	char logdir[PATH_MAX], link[PATH_MAX + 32], victim[PATH_MAX];
	char err[SCX_ERR_LEN] = "";
	struct scx_child c;

	snprintf(logdir, sizeof(logdir), "%.4000s/log", self->dir);
	snprintf(victim, sizeof(victim), "%.4000s/victim", self->dir);
	snprintf(link, sizeof(link), "%s/" SCX_LOG_NAME, logdir);
	ASSERT_EQ(0, mkdir(logdir, 0700));
	ASSERT_EQ(0, write_victim(victim));
	ASSERT_EQ(0, symlink(victim, link));

	child_in(&c, logdir);
	EXPECT_EQ(-EEXIST, scx_log_open(&c.log, err, sizeof(err)));
	EXPECT_EQ(-1, c.log.log_fd);
	EXPECT_NE(NULL, strstr(err, "cannot create the log")) TH_LOG("%s", err);
	EXPECT_TRUE(victim_intact(victim));
	scx_child_release(&c, true);

	/* A dangling one must not create its target either. */
	ASSERT_EQ(0, unlink(link));
	ASSERT_EQ(0, unlink(victim));
	ASSERT_EQ(0, symlink(victim, link));
	child_in(&c, logdir);
	EXPECT_EQ(-EEXIST, scx_log_open(&c.log, err, sizeof(err)));
	EXPECT_EQ(-1, access(victim, F_OK));
	scx_child_release(&c, true);
}

/* A file planted there is not reused (O_EXCL), and not truncated. */
TEST_F(sec, log_refuses_planted_file)
{
	char logdir[PATH_MAX], log[PATH_MAX + 32];
	char err[SCX_ERR_LEN] = "";
	struct scx_child c;

	snprintf(logdir, sizeof(logdir), "%.4000s/log", self->dir);
	snprintf(log, sizeof(log), "%s/" SCX_LOG_NAME, logdir);
	ASSERT_EQ(0, mkdir(logdir, 0700));
	ASSERT_EQ(0, write_victim(log));
	child_in(&c, logdir);
	EXPECT_EQ(-EEXIST, scx_log_open(&c.log, err, sizeof(err)));
	EXPECT_TRUE(victim_intact(log));
	scx_child_release(&c, true);
}

/* The log directory itself swapped for a symlink: refused. */
TEST_F(sec, log_dir_symlink_refused)
{
	char logdir[PATH_MAX], real[PATH_MAX], log[PATH_MAX + 32];
	char err[SCX_ERR_LEN] = "";
	struct scx_child c;

	snprintf(real, sizeof(real), "%.4000s/real", self->dir);
	snprintf(logdir, sizeof(logdir), "%.4000s/log", self->dir);
	snprintf(log, sizeof(log), "%s/" SCX_LOG_NAME, real);
	ASSERT_EQ(0, mkdir(real, 0700));
	ASSERT_EQ(0, symlink(real, logdir));
	child_in(&c, logdir);
	EXPECT_GT(0, scx_log_open(&c.log, err, sizeof(err)));
	EXPECT_EQ(-1, c.log.log_fd);
	EXPECT_EQ(-1, access(log, F_OK));
	scx_child_release(&c, true);
}

TEST_F(sec, log_dir_private)
{
	struct stat st;

	ASSERT_EQ(0, run_probe(self, NULL));
	/* mkdtemp under TMPDIR, a random name, mode 0700, ours. */
	EXPECT_EQ(0, strncmp(self->c.log.dir, self->dir, strlen(self->dir)));
	EXPECT_NE(NULL, strstr(self->c.log.dir, "/scx_attach."));
	ASSERT_EQ(0, lstat(self->c.log.dir, &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	EXPECT_EQ(0700, st.st_mode & 07777);
	EXPECT_EQ(geteuid(), st.st_uid);
	ASSERT_EQ(0, lstat(self->c.log.path, &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(1, st.st_nlink);
}

TEST_F(sec, child_env_sanitized)
{
	const char *keep[] = { "PATH", "HOME", "LANG", "LC_ALL", "TZ", "TERM", "LD_LIBRARY_PATH" };
	const char *drop[] = { "LD_PRELOAD", "LD_AUDIT", "BASH_ENV", "ENV", "IFS", "PYTHONPATH",
			       "SECRET_TOKEN", "SCX_ATTACH_TIMEOUT_MS", "MALLOC_CHECK_", "TMPDIR",
			       "SSH_AUTH_SOCK", "LIBBPF_LOG_LEVEL" };
	char want[PATH_MAX];
	size_t i;
	int n;

	/* Harmless values: the probe never loads what they name. */
	for (i = 0; i < ARRAY_SIZE(drop); i++)
		setenv(drop[i], strcmp(drop[i], "LD_PRELOAD") ? "leak" : "", 1);
	for (i = 0; i < ARRAY_SIZE(keep); i++)
		if (!getenv(keep[i]))
			setenv(keep[i], keep[i][0] == 'L' && keep[i][1] == 'D' ? "/nonexistent" :
					"C", 1);
	setenv("RUST_LOG", "debug", 1);
	ASSERT_EQ(0, run_probe(self, NULL));

	for (i = 0; i < ARRAY_SIZE(drop); i++) {
		snprintf(want, sizeof(want), "env: %s=", drop[i]);
		EXPECT_EQ(0, count_lines(self->out, want)) TH_LOG("%s reached the scheduler", drop[i]);
		unsetenv(drop[i]);
	}
	for (i = 0; i < ARRAY_SIZE(keep); i++) {
		snprintf(want, sizeof(want), "env: %s=%s\n", keep[i], getenv(keep[i]));
		EXPECT_EQ(1, count_lines(self->out, want)) TH_LOG("no %s", want);
	}
	EXPECT_EQ(1, count_lines(self->out, "env: RUST_LOG=debug,scx_utils::libbpf_logger=warn\n"));
	/* Whose it is, for a later suite's sweep of strays: this process. */
	snprintf(want, sizeof(want), "env: " SCX_OWNER_ENV "=%d:", getpid());
	EXPECT_EQ(1, count_lines(self->out, want)) TH_LOG("no %s", want);
	/* Which spawn it came from, for stopping only its own: the child itself. */
	snprintf(want, sizeof(want), "env: " SCX_SPAWN_ENV "=%d:", self->c.pid);
	EXPECT_EQ(1, count_lines(self->out, want)) TH_LOG("no %s", want);
	/* Nothing else: the short list, RUST_LOG, the owner and the spawn. */
	n = count_lines(self->out, "env: ");
	EXPECT_EQ((int)ARRAY_SIZE(keep) + 3, n) TH_LOG("%s", self->out);
	unsetenv("RUST_LOG");
}

TEST_F(sec, child_rust_log_default)
{
	unsetenv("RUST_LOG");
	ASSERT_EQ(0, run_probe(self, NULL));
	EXPECT_EQ(1, count_lines(self->out, "env: RUST_LOG=info,scx_utils::libbpf_logger=warn\n"));
}

/* fds 0-2 only, even those the caller inherited without O_CLOEXEC. */
TEST_F(sec, child_gets_no_stray_fds)
{
	char buf[256];
	int fd;

	fd = open("/dev/null", O_RDONLY);	/* deliberately without O_CLOEXEC */
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, run_probe(self, NULL));
	close(fd);
	EXPECT_EQ(3, count_lines(self->out, "fd: ")) TH_LOG("%s", self->out);
	EXPECT_STREQ("/dev/null", probe_val(self->out, "fd: 0 ", buf, sizeof(buf)) ?: "");
	EXPECT_EQ(0, strncmp(probe_val(self->out, "fd: 1 ", buf, sizeof(buf)) ?: "", "pipe:", 5));
	EXPECT_EQ(0, strncmp(probe_val(self->out, "fd: 2 ", buf, sizeof(buf)) ?: "", "pipe:", 5));
}

TEST_F(sec, child_signals_and_group)
{
	unsigned long long ign;
	char buf[256], want[32];
	sigset_t set;

	/* What a harness may have set must not reach the scheduler. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	ASSERT_EQ(0, run_probe(self, NULL));
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGHUP, SIG_DFL);

	EXPECT_STREQ("9", probe_val(self->out, "pdeathsig: ", buf, sizeof(buf)) ?: "");
	EXPECT_STREQ("0000000000000000", probe_val(self->out, "SigBlk:\t", buf, sizeof(buf)) ?: "");
	/*
	 * Signals 32 and 33 are glibc's own (thread cancel, setxid): libc
	 * refuses to reset them and installs its handlers when it needs them,
	 * so an ignored one inherited from far up (make does this) is no leak.
	 */
	ign = strtoull(probe_val(self->out, "SigIgn:\t", buf, sizeof(buf)) ?: "ff", NULL, 16);
	EXPECT_EQ(0, ign & ~(3ULL << 31)) TH_LOG("ignored signals: %llx", ign);
	snprintf(want, sizeof(want), "%d", (int)getpgrp());
	EXPECT_STREQ(want, probe_val(self->out, "pgid: ", buf, sizeof(buf)) ?: "");
	EXPECT_NE(NULL, strstr(self->out, "end\n"));
}

/* An endless writer: the file stays at the cap plus the tail note. */
TEST_F(sec, flood_is_capped)
{
	char *argv[] = { "yes", "flood flood flood flood flood flood flood flood", NULL };
	char err[SCX_ERR_LEN];
	struct stat st;
	uint64_t deadline;
	char path[PATH_MAX];

	if (access("/usr/bin/yes", X_OK))
		SKIP(return, "no /usr/bin/yes");
	ASSERT_EQ(0, scx_spawn(&self->c, &self->cfg, "/usr/bin/yes", argv, err, sizeof(err)))
		TH_LOG("%s", err);
	self->spawned = true;
	deadline = scx_now_ns() + 500 * NSEC_PER_MSEC;
	while (scx_now_ns() < deadline)
		scx_log_drain(&self->c.log);
	EXPECT_EQ(0, scx_child_stop(&self->c, 500));
	EXPECT_EQ(self->cfg.log_cap, self->c.log.logged);
	EXPECT_LT(0, self->c.log.dropped);
	snprintf(path, sizeof(path), "%s", self->c.log.path);
	scx_child_release(&self->c, true);
	self->spawned = false;
	ASSERT_EQ(0, stat(path, &st));
	/* cap + the "[log capped ...]" note + the tail ring. */
	EXPECT_GE(self->cfg.log_cap + 256 + SCX_TAIL_LEN, (size_t)st.st_size);
	EXPECT_LT(self->cfg.log_cap, (size_t)st.st_size);
}

int main(int argc, char **argv)
{
	if (scx_sibling_path(probe_path, sizeof(probe_path), "probe_sched") ||
	    access(probe_path, X_OK))
		ksft_exit_fail_msg("%s missing: build it with make\n", probe_path);
	return test_harness_run(argc, argv);
}
