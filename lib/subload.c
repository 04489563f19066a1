// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: a load inside one cgroup of a hierarchy, run by a process
 * of its own, and the proof of who ran it (lib/subload.h).
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fork.h"
#include "proc.h"
#include "subload.h"
#include "vref.h"

#ifndef SCHED_EXT
#define SCHED_EXT	7
#endif

/* The load process's own end of the stop pipe. */
#define STOP_FD		3

struct subload_shm {
	struct scx_subload_result r;
	unsigned int grace_ms;		/* for the load's stop, set before the stop */
};

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* "0::/a/b" -> "/a/b". */
static void own_cgroup(char *buf, size_t len)
{
	char line[512];
	const char *p;

	buf[0] = '\0';
	if (scx_read_small_at(AT_FDCWD, "/proc/self/cgroup", 0, line, sizeof(line)) <= 0)
		return;
	p = strstr(line, "0::");
	if (!p)
		return;
	p += 3;
	snprintf(buf, len, "%.*s", (int)strcspn(p, "\n"), p);
}

/* The value after @key at the start of a line of @text, or -1. */
static long long sched_field(const char *text, const char *key)
{
	const char *p = text;
	size_t n = strlen(key);

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, n) || (p[n] != ' ' && p[n] != ':'))
			continue;
		/* "key : value" in /proc/PID/sched, "key value" in events */
		for (p += n; *p == ' ' || *p == ':'; p++)
			;
		return *p >= '0' && *p <= '9' ? strtoll(p, NULL, 10) : -1;
	}
	return -1;
}

/* Without /proc/PID/sched: context switches from status, the policy from stat. */
static bool prove_plain(pid_t tid, long long *sw, long long *rt, int *policy)
{
	char path[64], text[4096], *p;
	long long v, n = 0;
	int i;

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
	if (scx_read_small_at(AT_FDCWD, path, 0, text, sizeof(text)) <= 0)
		return false;
	v = sched_field(text, "voluntary_ctxt_switches");
	n = sched_field(text, "nonvoluntary_ctxt_switches");
	*sw = v < 0 && n < 0 ? -1 : scx_max(v, 0) + scx_max(n, 0);
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	if (scx_read_small_at(AT_FDCWD, path, 0, text, sizeof(text)) <= 0)
		return false;
	/* After "(comm) ": state is field 3; utime 14, stime 15, policy 41. */
	p = strrchr(text, ')');
	*rt = 0;
	for (i = 3; p && i <= 41; i++) {
		p = strchr(p + 1, ' ');
		if (!p)
			break;
		if (i == 14 || i == 15)
			*rt += strtoll(p + 1, NULL, 10);
		if (i == 41)
			*policy = (int)strtol(p + 1, NULL, 10);
	}
	/* Clock ticks: run at all is what counts. */
	*rt = *rt ? *rt * 10 : 0;
	return true;
}

/* What the kernel says of each load thread, before they stop. */
static void prove(const struct scx_load *l, struct scx_subload_proof *pr)
{
	long long ext, sw, rt;
	char path[64], text[4096];
	struct scx_load_slot *sl;
	int i, policy = -1;
	pid_t tid;

	pr->ext_known = true;
	for (i = 0; (sl = scx_load_slot(l, i)); i++) {
		tid = atomic_load(&sl->tid);
		pr->threads++;
		if (!tid) {
			/* Not run even once since it was made. */
			pr->unstarted++;
			continue;
		}
		snprintf(path, sizeof(path), "/proc/self/task/%d/sched", tid);
		if (scx_read_small_at(AT_FDCWD, path, 0, text, sizeof(text)) > 0) {
			ext = sched_field(text, "ext.enabled");
			sw = sched_field(text, "nr_switches");
			/* "se.sum_exec_runtime : 4548.592264", in ms. */
			rt = sched_field(text, "se.sum_exec_runtime") * 1000;
			policy = (int)sched_field(text, "policy");
		} else if (prove_plain(tid, &sw, &rt, &policy)) {
			ext = -1;
		} else {
			pr->threads--;
			continue;
		}
		if (pr->threads - pr->unstarted == 1)
			pr->policy = policy;
		if (ext < 0)
			pr->ext_known = false;
		else if (ext == 1)
			pr->on_ext++;
		else if (!pr->off_ext_tid)
			pr->off_ext_tid = tid;
		if (sw > 0 && rt >= 0) {
			pr->ran++;
			pr->switches += sw;
			pr->runtime_us += rt;
		} else if (!pr->idle_tid) {
			pr->idle_tid = tid;
		}
	}
}

static void __attribute__((noreturn))
load_main(struct subload_shm *m, const char *cg, unsigned int ms, unsigned int max_gap_ms,
	  bool ext)
{
	struct scx_subload_result *r = &m->r;
	struct sched_param sp = { 0 };
	struct pollfd pfd = { .fd = STOP_FD, .events = POLLIN };
	struct scx_vref v = { 0 };
	struct scx_load l;
	char path[PATH_MAX + 16];
	int ret;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	ret = write_str(path, "0");
	if (ret) {
		r->err = ret;
		snprintf(r->detail, sizeof(r->detail), "cannot join %.200s: %s", path,
			 strerror(-ret));
		_exit(1);
	}
	own_cgroup(r->proof.cgroup, sizeof(r->proof.cgroup));
	/* A partial root leaves SCHED_NORMAL to the fair class: ask for sched_ext. */
	if (ext)
		sched_setscheduler(0, SCHED_EXT, &sp);
	scx_vref_start(&v);
	ret = scx_load_start(&l, ms, max_gap_ms);
	if (ret) {
		scx_vref_stop(&v, 1000);
		r->err = ret;
		snprintf(r->detail, sizeof(r->detail), "the load could not start in %.200s: %s",
			 cg, strerror(-ret));
		_exit(1);
	}
	/* Until the caller closes its end, or the load's own end. */
	while (poll(&pfd, 1, scx_ms_until(l.t_start + ms * NSEC_PER_MSEC)) < 0 && errno == EINTR)
		;
	prove(&l, &r->proof);
	ret = scx_load_stop(&l, m->grace_ms ?: 1000, &v, &r->load);
	scx_vref_stop(&v, 1000);
	r->load.machine_ns = scx_max(r->load.machine_ns, v.max_ns);
	if (ret && !r->load.starved) {
		r->err = ret;
		snprintf(r->detail, sizeof(r->detail),
			 "%d load thread(s) in %.160s still not run %.1f s after the stop, %.1f s of its gap vCPU stalls: the machine is too slow to judge",
			 r->load.left, cg, (double)r->load.wait_ns / NSEC_PER_SEC,
			 (double)r->load.open.machine_ns / NSEC_PER_SEC);
	}
	r->judged = true;
	_exit(0);
}

int scx_subload_start(struct scx_subload *s, const char *cg, unsigned int ms,
		      unsigned int max_gap_ms, bool ext, char *err, size_t errlen)
{
	pid_t parent = getpid();
	int p[2];

	memset(s, 0, sizeof(*s));
	s->pid = -1;
	s->stop = -1;
	snprintf(s->cgroup, sizeof(s->cgroup), "%s", cg);
	s->bound_ms = max_gap_ms;
	s->shm = mmap(NULL, sizeof(*s->shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		      -1, 0);
	if (s->shm == MAP_FAILED) {
		s->shm = NULL;
		snprintf(err, errlen, "no shared memory for the load: %s", strerror(errno));
		return -ENOMEM;
	}
	if (pipe2(p, O_CLOEXEC)) {
		snprintf(err, errlen, "no pipe for the load: %s", strerror(errno));
		scx_subload_stop(s, 0, &(struct scx_subload_result){ 0 });
		return -EMFILE;
	}
	s->pid = fork();
	if (!s->pid) {
		if (dup2(p[0], STOP_FD) < 0 || scx_fork_setup(parent, SIGKILL, STOP_FD + 1, false))
			_exit(1);
		load_main(s->shm, cg, ms, max_gap_ms, ext);
	}
	close(p[0]);
	s->stop = p[1];
	if (s->pid < 0) {
		snprintf(err, errlen, "cannot fork the load: %s", strerror(errno));
		scx_subload_stop(s, 0, &(struct scx_subload_result){ 0 });
		return -EAGAIN;
	}
	return 0;
}

void scx_subload_stop(struct scx_subload *s, unsigned int grace_ms, struct scx_subload_result *r)
{
	uint64_t dl;
	int pfd, status;

	memset(r, 0, sizeof(*r));
	if (s->pid > 0) {
		s->shm->grace_ms = grace_ms;
		close(s->stop);
		s->stop = -1;
		/* The load's own stop waits 3 x (grace + bound) at most. */
		dl = scx_now_ns() + (4ULL * grace_ms + 3ULL * s->bound_ms) * NSEC_PER_MSEC;
		pfd = sys_pidfd_open(s->pid, 0);
		if (pfd >= 0) {
			struct pollfd p = { .fd = pfd, .events = POLLIN };

			while (poll(&p, 1, scx_ms_until(dl)) < 0 && errno == EINTR)
				;
			close(pfd);
		}
		if (waitpid(s->pid, &status, WNOHANG) != s->pid) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &status, 0);
		}
		s->pid = -1;
	}
	if (s->stop >= 0)
		close(s->stop);
	s->stop = -1;
	if (s->shm) {
		*r = s->shm->r;
		munmap(s->shm, sizeof(*s->shm));
		s->shm = NULL;
	}
	if (!r->judged && !r->err) {
		r->err = -ETIMEDOUT;
		snprintf(r->detail, sizeof(r->detail),
			 "the load's process in %.200s did not report: killed", s->cgroup);
	}
}

int scx_bypass_read(int dfd, const char *dir, struct scx_bypass *b)
{
	char path[256], text[2048];
	ssize_t n;

	memset(b, 0, sizeof(*b));
	snprintf(path, sizeof(path), "%.200s/events", dir);
	n = scx_read_small_at(dfd, path, 0, text, sizeof(text));
	if (n < 0)
		return (int)n;
	b->activate = sched_field(text, "SCX_EV_BYPASS_ACTIVATE");
	b->dispatch = sched_field(text, "SCX_EV_BYPASS_DISPATCH");
	b->duration_ns = sched_field(text, "SCX_EV_BYPASS_DURATION");
	b->read = b->activate >= 0 && b->dispatch >= 0;
	return b->read ? 0 : -ENOENT;
}

int scx_subload_judge(const struct scx_subload_result *r, const char *cg,
		      const struct scx_bypass *before, const struct scx_bypass *after,
		      char *line, size_t len)
{
	const struct scx_subload_proof *pr = &r->proof;
	const struct scx_load_result *ld = &r->load;
	char bypass[160] = "its bypass counters not readable";
	char gaps[256], tid[48] = "none read";
	size_t n;

	if (r->err) {
		snprintf(line, len, "%s", r->detail);
		return r->err;
	}
	n = strlen(cg);
	/* The process's cgroup is @cg itself (a path ending in it). */
	if (!pr->cgroup[0] || strlen(pr->cgroup) > n ||
	    strcmp(cg + n - strlen(pr->cgroup), pr->cgroup)) {
		snprintf(line, len, "the load ran in cgroup \"%.100s\", not in %.100s", pr->cgroup,
			 cg);
		return 1;
	}
	if (before->read && after->read) {
		if (after->activate != before->activate || after->dispatch != before->dispatch) {
			snprintf(line, len,
				 "the kernel bypassed the scheduler while the load ran in %.100s (SCX_EV_BYPASS_ACTIVATE %lld -> %lld, SCX_EV_BYPASS_DISPATCH %lld -> %lld): its tasks ran on the kernel's fallback, not under it",
				 pr->cgroup, before->activate, after->activate, before->dispatch,
				 after->dispatch);
			return 1;
		}
		snprintf(bypass, sizeof(bypass), "no bypass (SCX_EV_BYPASS_ACTIVATE %lld, SCX_EV_BYPASS_DISPATCH %lld, unchanged)",
			 after->activate, after->dispatch);
	}
	if (ld->starved) {
		scx_load_starved_line(ld, gaps, sizeof(gaps));
		snprintf(line, len, "in %.100s: %s", pr->cgroup, gaps);
		return 1;
	}
	if (!pr->threads || pr->ran < pr->threads) {
		if (pr->unstarted)
			snprintf(tid, sizeof(tid), "%d never started", pr->unstarted);
		else if (pr->idle_tid > 0)
			snprintf(tid, sizeof(tid), "tid %d has no context switch", pr->idle_tid);
		snprintf(line, len, "%d of %d load threads in %.100s never ran (%s)",
			 pr->threads - pr->ran, pr->threads, pr->cgroup, tid);
		return 1;
	}
	if (pr->ext_known && pr->on_ext < pr->threads) {
		snprintf(line, len,
			 "%d of %d load threads in %.100s were not on sched_ext (ext.enabled 0 in /proc/PID/task/%d/sched, policy %d): the fair class ran them",
			 pr->threads - pr->on_ext, pr->threads, pr->cgroup, pr->off_ext_tid,
			 pr->policy);
		return 1;
	}
	scx_load_line(ld, gaps, sizeof(gaps));
	snprintf(line, len,
		 "in %.100s, %d threads %s, policy %d) ran: %llu switches, %.1f s of CPU; %s; %s",
		 pr->cgroup, pr->threads,
		 pr->ext_known ? "on sched_ext (ext.enabled 1" :
		 "(ext.enabled not shown: no /proc/PID/sched", pr->policy, pr->switches,
		 (double)pr->runtime_us / 1e6, gaps, bypass);
	return 0;
}
