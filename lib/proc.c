// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: processes as /proc and the pidfd syscalls show them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"

#define OWNER_TAG_LEN	48

static char owner_tag[OWNER_TAG_LEN];

/* 0 if /proc shows our pid namespace, -EXDEV if not, -errno. */
static int proc_ours(void)
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

/* /proc, if its pids are ours; NULL with -errno in @err if not. */
static DIR *proc_open(int *err)
{
	DIR *d;

	*err = proc_ours();
	if (*err)
		return NULL;
	d = opendir("/proc");
	if (!d)
		*err = -errno;
	return d;
}

/* The pid a /proc entry names, 0 for any other entry. */
static pid_t proc_pid(const struct dirent *de)
{
	return de->d_name[0] >= '1' && de->d_name[0] <= '9' ? atoi(de->d_name) : 0;
}

static ssize_t read_small(const char *path, char *buf, size_t len)
{
	return scx_read_small_at(AT_FDCWD, path, 0, buf, len);
}

const char *scx_proc_stat(pid_t pid, char *buf, size_t len)
{
	char path[64], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (read_small(path, buf, len) <= 0)
		return NULL;
	/* comm may hold spaces and parens: the fields start after the last ')'. */
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p + 2 : NULL;
}

unsigned long long scx_proc_start_time(pid_t pid)
{
	unsigned long long t = 0;
	const char *p;
	char buf[1024];

	p = scx_proc_stat(pid, buf, sizeof(buf));
	/* state is field 3; 18 more, then the start time (field 22). */
	if (!p || sscanf(p, "%*c %*s %*s %*s %*s %*s %*s %*s %*s %*s"
			 " %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu", &t) != 1)
		return 0;
	return t;
}

int scx_proc_children(pid_t parent, pid_t *pids, int max, bool live)
{
	const char *p;
	char buf[512], state;
	int n, ppid, threads;
	struct dirent *de;
	pid_t pid;
	DIR *d;

	d = proc_open(&n);
	if (!d)
		return n;
	while (n < max && (de = readdir(d))) {
		pid = proc_pid(de);
		if (!pid)
			continue;
		p = scx_proc_stat(pid, buf, sizeof(buf));
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
			pids[n++] = pid;
	}
	closedir(d);
	return n;
}

/* The number after @key in fdinfo text @buf, 0 without one. */
static unsigned int fdinfo_id(const char *buf, const char *key)
{
	const char *p = strstr(buf, key);

	return p ? strtoul(p + strlen(key), NULL, 10) : 0;
}

int scx_proc_struct_ops_link(pid_t pid, unsigned int *link_id, unsigned int *map_id)
{
	char path[64], buf[512];
	struct dirent *de;
	int ret = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo", pid);
	d = opendir(path);
	if (!d)
		return -errno;
	while (!ret && (de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%.16s", pid, de->d_name);
		/* A BPF link's fdinfo: "link_type:\tstruct_ops", "link_id:", "map_id:". */
		if (read_small(path, buf, sizeof(buf)) <= 0 ||
		    !strstr(buf, "link_type:\tstruct_ops\n"))
			continue;
		ret = 1;
		*link_id = fdinfo_id(buf, "link_id:");
		*map_id = fdinfo_id(buf, "map_id:");
	}
	closedir(d);
	return ret;
}

int scx_proc_fd_count(void)
{
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir("/proc/self/fd");
	if (!d)
		return -errno;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	/* Not the one opendir() itself holds. */
	return n - 1;
}

bool scx_pid_once(pid_t *seen, int *n, pid_t pid)
{
	int i;

	for (i = 0; i < *n; i++)
		if (seen[i] == pid)
			return false;
	if (*n < SCX_PROC_MAX)
		seen[(*n)++] = pid;
	return true;
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

void scx_owner_set(pid_t pid)
{
	snprintf(owner_tag, sizeof(owner_tag), "%d:%llu", pid, scx_proc_start_time(pid));
}

const char *scx_owner_tag(void)
{
	if (!owner_tag[0])
		scx_owner_set(getpid());
	return owner_tag;
}

/* The value of @name in @pid's environment, in @env; NULL without (kernel threads too). */
static const char *env_get(const char *pid, const char *name, char *env, size_t len)
{
	const char *p, *end;
	size_t nlen = strlen(name);
	char path[300];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%s/environ", pid);
	n = read_small(path, env, len);
	if (n <= 0)
		return NULL;
	for (p = env, end = env + n; p < end; p += strlen(p) + 1)
		if (!strncmp(p, name, nlen) && p[nlen] == '=')
			return p + nlen + 1;
	return NULL;
}

/* The owner tag in @pid's environment, if any; false for kernel threads. */
static bool owner_of(const char *pid, pid_t *owner, unsigned long long *start)
{
	static char env[65536];
	const char *v = env_get(pid, SCX_OWNER_ENV, env, sizeof(env));

	return v && sscanf(v, "%d:%llu", owner, start) == 2;
}

bool scx_proc_env_is(pid_t pid, const char *name, const char *value)
{
	char id[16], *env;
	const char *v;
	bool ret;

	env = malloc(65536);
	if (!env)
		return false;
	snprintf(id, sizeof(id), "%d", pid);
	v = env_get(id, name, env, 65536);
	ret = v && !strcmp(v, value);
	free(env);
	return ret;
}

int scx_stray_sweep(void)
{
	unsigned long long start;
	int ret, killed = 0;
	struct dirent *de;
	pid_t owner, pid;
	DIR *d;

	d = proc_open(&ret);
	if (!d)
		return ret;
	while ((de = readdir(d))) {
		pid = proc_pid(de);
		if (!pid || pid == getpid())
			continue;
		if (!owner_of(de->d_name, &owner, &start))
			continue;
		/* Its owner lives (same pid, same start), or is unknown: keep it. */
		if (!start || scx_proc_start_time(owner) == start)
			continue;
		killed += !kill(pid, SIGKILL);
	}
	closedir(d);
	return killed;
}
