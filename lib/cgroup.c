// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: a private cgroup2 sub-tree, and nothing left of it after.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cgroup.h"
#include "proc.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC	0x63677270
#endif

static int write_str(const char *path, const char *s)
{
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* Does the space-separated list in @path hold @word? */
static bool has_word(const char *path, const char *word)
{
	char buf[512], *tok, *save;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		if (!strcmp(tok, word))
			return true;
	return false;
}

int scx_cgroup_file(const struct scx_cgroup *cg, const char *sub, const char *file, char *buf,
		    size_t len)
{
	int n;

	if (sub && *sub)
		n = snprintf(buf, len, "%s/%s/%s", cg->path, sub, file);
	else
		n = snprintf(buf, len, "%s/%s", cg->path, file);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* The cpu controller in the tree; at the root too if the kernel has it there. */
static void enable_cpu(struct scx_cgroup *cg)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/cgroup.controllers", cg->root);
	if (!has_word(path, "cpu"))
		return;
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", cg->root);
	if (!has_word(path, "cpu"))
		cg->cpu_at_root = !write_str(path, "+cpu");
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", cg->path);
	cg->cpu = !write_str(path, "+cpu");
}

int scx_cgroup_create(struct scx_cgroup *cg, const char *root, const char *const subs[],
		      char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct statfs sf;
	int i, ret;

	memset(cg, 0, sizeof(*cg));
	if (statfs(root, &sf) || sf.f_type != CGROUP2_SUPER_MAGIC) {
		snprintf(err, errlen, "%s is not a cgroup2 mount", root);
		return -ENOTSUP;
	}
	snprintf(cg->root, sizeof(cg->root), "%s", root);
	scx_cgroup_sweep(root, 1000);
	ret = snprintf(cg->path, sizeof(cg->path), "%s/" SCX_CGROUP_PREFIX "%d-%llu.XXXXXX", root,
		       getpid(), scx_proc_start_time(getpid()));
	if (ret < 0 || (size_t)ret >= sizeof(cg->path) || !mkdtemp(cg->path)) {
		ret = ret >= 0 && (size_t)ret < sizeof(cg->path) ? -errno : -ENAMETOOLONG;
		if (ret == -EACCES || ret == -EPERM)
			snprintf(err, errlen, "cannot make a cgroup under %s: %s (writing there needs uid 0 or CAP_DAC_OVERRIDE)",
				 root, strerror(-ret));
		else
			snprintf(err, errlen, "cannot make a cgroup under %s: %s", root,
				 strerror(-ret));
		cg->path[0] = '\0';
		return ret;
	}
	enable_cpu(cg);
	for (i = 0; subs[i] && i < SCX_CGROUP_SUBS; i++) {
		ret = scx_cgroup_file(cg, NULL, subs[i], path, sizeof(path));
		if (ret || mkdir(path, 0755)) {
			ret = ret ?: -errno;
			snprintf(err, errlen, "cannot make cgroup %s: %s", path, strerror(-ret));
			scx_cgroup_remove(cg, 1000);
			return ret;
		}
	}
	return 0;
}

int scx_cgroup_kill(const struct scx_cgroup *cg)
{
	char path[PATH_MAX];
	int ret;

	if (!cg->path[0])
		return -ENOENT;
	ret = scx_cgroup_file(cg, NULL, "cgroup.kill", path, sizeof(path));
	return ret ?: write_str(path, "1");
}

/* 1 if the tree holds processes, 0 if not, -errno.  Reads @fd from the start. */
static int populated(int fd)
{
	char buf[256], *p;
	ssize_t n;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	p = strstr(buf, "populated ");
	return p ? p[10] == '1' : -EINVAL;
}

/* rmdir @name under @dfd and every cgroup below it, deepest first. */
static int rmdir_tree(int dfd, const char *name)
{
	struct dirent *de;
	int fd, ret = 0;
	DIR *d;

	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d)))
		if (de->d_type == DT_DIR && strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			ret = rmdir_tree(dirfd(d), de->d_name) ?: ret;
	closedir(d);
	if (unlinkat(dfd, name, AT_REMOVEDIR) && errno != ENOENT)
		ret = -errno;
	return ret;
}

/* Wait until nothing runs in the tree, killing it once; -ETIMEDOUT. */
static int drain(const struct scx_cgroup *cg, unsigned int ms)
{
	uint64_t deadline = scx_now_ns() + ms * NSEC_PER_MSEC;
	struct pollfd pfd = { .events = POLLPRI };
	char path[PATH_MAX];
	bool killed = false;
	int ret;

	if (scx_cgroup_file(cg, NULL, "cgroup.events", path, sizeof(path)))
		return -ENAMETOOLONG;
	pfd.fd = open(path, O_RDONLY | O_CLOEXEC);
	if (pfd.fd < 0)
		return errno == ENOENT ? 0 : -errno;
	for (;;) {
		ret = populated(pfd.fd);
		if (ret <= 0)
			break;
		if (!killed)
			killed = !scx_cgroup_kill(cg);
		if (scx_now_ns() >= deadline) {
			ret = -ETIMEDOUT;
			break;
		}
		/* kernfs notifies a change of "populated" with POLLPRI. */
		poll(&pfd, 1, scx_ms_until(deadline));
	}
	close(pfd.fd);
	return ret;
}

int scx_cgroup_remove(struct scx_cgroup *cg, unsigned int ms)
{
	char path[PATH_MAX + 32], *base;
	int ret, dfd;

	if (!cg->path[0])
		return 0;
	ret = drain(cg, ms);
	base = strrchr(cg->path, '/');
	dfd = open(cg->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!base || dfd < 0)
		return ret ?: -errno;
	ret = rmdir_tree(dfd, base + 1) ?: ret;
	close(dfd);
	if (ret)
		return ret == -ETIMEDOUT || ret == -ENOTEMPTY ? -EBUSY : ret;
	if (cg->cpu_at_root) {
		/* Fails while others use it below the root: theirs then. */
		snprintf(path, sizeof(path), "%s/cgroup.subtree_control", cg->root);
		write_str(path, "-cpu");
	}
	cg->path[0] = '\0';
	return 0;
}

/* Start time 0: the owner could not read its own; trust the pid alone. */
static bool owner_alive(pid_t pid, unsigned long long start)
{
	if (pid == getpid())
		return true;
	if (start)
		return scx_proc_start_time(pid) == start;
	return !kill(pid, 0) || errno == EPERM;
}

int scx_cgroup_sweep(const char *root, unsigned int ms)
{
	unsigned long long start;
	struct scx_cgroup old;
	struct dirent *de;
	int n = 0, pid;
	DIR *d;

	d = opendir(root);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || strncmp(de->d_name, SCX_CGROUP_PREFIX,
						    strlen(SCX_CGROUP_PREFIX)))
			continue;
		if (sscanf(de->d_name + strlen(SCX_CGROUP_PREFIX), "%d-%llu.", &pid, &start) != 2)
			continue;
		if (owner_alive(pid, start))
			continue;
		memset(&old, 0, sizeof(old));
		snprintf(old.root, sizeof(old.root), "%s", root);
		snprintf(old.path, sizeof(old.path), "%s/%s", root, de->d_name);
		if (!scx_cgroup_remove(&old, ms))
			n++;
	}
	closedir(d);
	return n;
}
