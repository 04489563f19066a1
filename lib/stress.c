// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: the caller's side of the stress hold: plan the load, start
 * the leader, judge the workers' gaps, stop it all.
 */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "stress_shm.h"

#define LEADER_MARGIN_MS	30000	/* the leader ends it by itself this long after */
#define CHECK_MIN_NS		(20 * NSEC_PER_MSEC)
#define STOP_KILL_MS		1000
#define LEADER_SLACK_MS		500	/* the leader's own stop, then its exit */

unsigned int scx_stress_default_gap_ms(bool emulated)
{
	return emulated ? SCX_STRESS_GAP_EMU_MS : SCX_STRESS_GAP_MS;
}

/* The leader ended while we did not ask: the load is gone. */
static int leader_gone(struct scx_stress *s)
{
	siginfo_t si = { 0 };

	if (s->leader <= 0 || waitid(P_PID, s->leader, &si, WEXITED | WNOHANG) || !si.si_pid)
		return 0;
	s->leader = -1;
	snprintf(s->res.detail, sizeof(s->res.detail), "the stress leader %s %d",
		 si.si_code == CLD_EXITED ? "exited with status" : "was killed by signal",
		 si.si_status);
	return -ECHILD;
}

/* What the leader or a worker said broke, once. */
static int load_error(struct scx_stress *s)
{
	int err = atomic_load(&s->shm->err);

	if (err && !s->res.err) {
		s->res.err = err;
		snprintf(s->res.detail, sizeof(s->res.detail), "%s", s->shm->err_msg);
	}
	return s->res.err;
}

int scx_stress_check(struct scx_stress *s)
{
	int err;

	if (!s->shm)
		return -EINVAL;
	stress_judge(s, scx_now_ns());
	if (!load_error(s)) {
		err = leader_gone(s);
		s->res.err = s->res.err ?: err;
	}
	return s->res.err ?: s->res.starved;
}

uint64_t scx_stress_next_ns(const struct scx_stress *s)
{
	uint64_t now = scx_now_ns(), next = now + s->bound_ns, t;
	int i, nr;

	if (!s->shm)
		return next;
	nr = atomic_load(&s->shm->nr_slots);
	for (i = 0; i < nr && i < STRESS_SLOTS; i++) {
		t = atomic_load_explicit(&s->shm->slot[i].gap.last_ns, memory_order_relaxed);
		next = scx_min(next, t + s->bound_ns + NSEC_PER_MSEC);
	}
	return scx_max(next, now + CHECK_MIN_NS);
}

int scx_stress_fd(const struct scx_stress *s)
{
	return s->pidfd;
}

/* stress-ng: @want, else from PATH; @want "" means never. */
static int find_ng(const char *want, char *path, size_t len)
{
	const char *env = getenv("PATH");
	char dirs[4096], *dir, *save;

	path[0] = '\0';
	if (want) {
		if (!*want || access(want, X_OK))
			return -ENOENT;
		snprintf(path, len, "%s", want);
		return 0;
	}
	snprintf(dirs, sizeof(dirs), "%s", env && *env ? env : "/usr/bin:/bin");
	for (dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save))
		if ((size_t)snprintf(path, len, "%s/stress-ng", dir) < len && !access(path, X_OK))
			return 0;
	path[0] = '\0';
	return -ENOENT;
}

/* stress-ng's argv, in the shared mapping: a mix for @n CPUs, @secs long. */
static void ng_argv(struct stress_shm *m, int n, unsigned int secs)
{
	static const char *const per_cpu[] = {
		"--cpu", "--fork", "--pipe", "--switch", "--nice", "--pthread", "--yield",
	};
	char *p = m->ng_argbuf, *end = p + sizeof(m->ng_argbuf);
	int argc = 0;
	size_t i;

#define NG_ARG(...)							\
	do {								\
		m->ng_argv[argc++] = p;					\
		p += snprintf(p, end - p, __VA_ARGS__) + 1;		\
	} while (0)
	NG_ARG("stress-ng");
	NG_ARG("--timeout");
	NG_ARG("%us", secs);
	for (i = 0; i < ARRAY_SIZE(per_cpu); i++) {
		NG_ARG("%s", per_cpu[i]);
		NG_ARG("%d", n);
	}
	NG_ARG("--pthread-max");
	NG_ARG("8");
	/* Its 16 processes would otherwise only spin: let them wake up too. */
	NG_ARG("--affinity");
	NG_ARG("1");
	NG_ARG("--affinity-sleep");
	NG_ARG("1000000");
	NG_ARG("--skip-silent");
#undef NG_ARG
	m->ng_argv[argc] = NULL;
}

static void append(char *buf, size_t len, const char *fmt, const char *what)
{
	size_t used = strlen(buf);

	snprintf(buf + used, len - used, fmt, used ? "; " : "", what);
}

/* The CPUs we may run on, at most @want (0: all). */
static int plan_cpus(struct stress_shm *m, int want)
{
	cpu_set_t set;
	int c;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -errno;
	for (c = 0; c < CPU_SETSIZE && m->nr_cpus < SCX_STRESS_MAX_CPUS; c++)
		if (CPU_ISSET(c, &set) && (want <= 0 || m->nr_cpus < want))
			m->cpu[m->nr_cpus++] = c;
	return m->nr_cpus ? 0 : -ENODEV;
}

static void plan_cgroup(struct scx_stress *s, const char *root)
{
	static const char *const subs[] = { "w", "a", "b", NULL };
	struct stress_shm *m = s->shm;
	char why[SCX_ERR_LEN];
	int i;

	if (scx_cgroup_create(&s->cg, root, subs, why, sizeof(why))) {
		m->kinds[SCX_SK_CGROUP] = false;
		append(s->res.notes, sizeof(s->res.notes), "%scgroup moves left out: %s", why);
		return;
	}
	for (i = 0; i < 3; i++)
		scx_cgroup_file(&s->cg, subs[i], "cgroup.procs", m->cg_procs[i],
				sizeof(m->cg_procs[i]));
	scx_cgroup_file(&s->cg, NULL, "cgroup.kill", m->cg_kill, sizeof(m->cg_kill));
	if (!s->cg.cpu)
		append(s->res.notes, sizeof(s->res.notes), "%s%s",
		       "no cpu controller: moves do not reach the scheduler's cgroup callbacks");
}

static int plan(struct scx_stress *s, const struct scx_stress_opts *o)
{
	static const char *const trues[] = { "/bin/true", "/usr/bin/true" };
	struct stress_shm *m = s->shm;
	size_t i;
	int k, ret;

	m->t_start = s->t_start;
	m->bound_ns = s->bound_ns;
	m->deadline = s->t_start + (uint64_t)(o->ms + LEADER_MARGIN_MS) * NSEC_PER_MSEC;
	m->ng_until = s->t_start + (uint64_t)o->ms * NSEC_PER_MSEC;
	/* Until the caller's stop says otherwise (the leader's own deadline). */
	atomic_store(&m->stop_ms, STOP_KILL_MS);
	atomic_store(&m->ng_status, -1);
	ret = plan_cpus(m, o->cpus);
	if (ret)
		return ret;
	for (i = 0; i < ARRAY_SIZE(trues) && !m->true_bin[0]; i++)
		if (!access(trues[i], X_OK))
			snprintf(m->true_bin, sizeof(m->true_bin), "%s", trues[i]);
	if (!m->true_bin[0])
		append(s->res.notes, sizeof(s->res.notes), "%s%s", "no /bin/true: fork churn without exec");

	s->res.stress_ng = !find_ng(o->stress_ng, m->ng_bin, sizeof(m->ng_bin));
	if (!s->res.stress_ng && o->stress_ng && *o->stress_ng)
		append(s->res.notes, sizeof(s->res.notes), "%sno stress-ng at %s: built-in load",
		       o->stress_ng);
	for (k = 0; k < SCX_SK_NR; k++)
		m->kinds[k] = !s->res.stress_ng || k == SCX_SK_FORK || k == SCX_SK_CGROUP ||
			      k == SCX_SK_PROBE;
	plan_cgroup(s, o->cgroup ?: SCX_STRESS_CGROUP);
	if (s->res.stress_ng) {
		ng_argv(m, m->nr_cpus, (o->ms + 999) / 1000 + 1);
		s->ng_out = memfd_create("scx_stress_ng", MFD_CLOEXEC);
		if (s->ng_out < 0)
			return -errno;
	}
	i = snprintf(s->res.load, sizeof(s->res.load), "%.80s%s on %d CPUs:",
		     s->res.stress_ng ? m->ng_bin : "built-in load",
		     s->res.stress_ng ? " and our workers" : "", m->nr_cpus);
	for (k = 0; k < SCX_SK_NR; k++)
		if (m->kinds[k] && i < sizeof(s->res.load))
			i += snprintf(s->res.load + i, sizeof(s->res.load) - i, " %s",
				      scx_stress_kind_name(k));
	return 0;
}

static void release(struct scx_stress *s)
{
	if (s->shm)
		munmap(s->shm, sizeof(*s->shm));
	s->shm = NULL;
	free(s->mon);
	s->mon = NULL;
	if (s->pidfd >= 0)
		close(s->pidfd);
	s->pidfd = -1;
	if (s->ng_out >= 0)
		close(s->ng_out);
	s->ng_out = -1;
}

int scx_stress_start(struct scx_stress *s, const struct scx_stress_opts *o, char *err,
		     size_t errlen)
{
	struct scx_stress_result r;
	pid_t parent = getpid();
	int ret;

	memset(s, 0, sizeof(*s));
	s->pidfd = s->ng_out = -1;
	s->leader = s->res.leader = s->res.leader_pidfd = -1;
	s->t_start = scx_now_ns();
	s->res.max_gap_ms = o->max_gap_ms;
	s->bound_ns = (uint64_t)o->max_gap_ms * NSEC_PER_MSEC;
	s->shm = mmap(NULL, sizeof(*s->shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		      -1, 0);
	s->mon = calloc(1, sizeof(*s->mon));
	if (s->shm == MAP_FAILED || !s->mon) {
		ret = -ENOMEM;
		s->shm = s->shm == MAP_FAILED ? NULL : s->shm;
		snprintf(err, errlen, "no memory for the stress monitor");
		goto fail;
	}
	ret = plan(s, o);
	if (ret) {
		snprintf(err, errlen, "cannot plan the stress load: %s", strerror(-ret));
		goto fail;
	}
	s->leader = fork();
	if (s->leader < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot fork the stress leader: %s", strerror(-ret));
		goto fail;
	}
	if (!s->leader)
		stress_leader(s->shm, s->ng_out, parent);
	s->pidfd = sys_pidfd_open(s->leader, 0);
	return 0;
fail:
	scx_stress_stop(s, 0, &r);
	return ret;
}

/*
 * SIGTERM: the leader SIGKILLs everything and reaps it within @grace_ms.
 * Past that, SIGKILL the leader and all in the cgroup.
 */
/* SIGKILL the leader's children, and the stress cgroup where there is one. */
static void kill_tree(struct scx_stress *s)
{
	pid_t pids[SCX_PROC_MAX];
	int i, n;

	scx_cgroup_kill(&s->cg);
	n = scx_proc_children(s->leader, pids, SCX_PROC_MAX, true);
	for (i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
}

static int stop_leader(struct scx_stress *s, unsigned int grace_ms)
{
	struct pollfd pfd = { .fd = s->pidfd, .events = POLLIN };
	uint64_t deadline = scx_now_ns() + (grace_ms + LEADER_SLACK_MS) * NSEC_PER_MSEC;
	int sig = SIGTERM;
	siginfo_t si;

	if (s->leader <= 0)
		return 0;
	atomic_store(&s->shm->stop_ms, grace_ms);
	kill(s->leader, sig);
	for (;;) {
		memset(&si, 0, sizeof(si));
		if (!waitid(P_PID, s->leader, &si, WEXITED | WNOHANG) && si.si_pid) {
			s->leader = -1;
			/* Killed by the SIGTERM itself: before it had started anything. */
			if (sig == SIGTERM && (si.si_code == CLD_EXITED ? !si.si_status :
					       si.si_status == SIGTERM))
				return 0;
			return -ETIMEDOUT;
		}
		if (scx_now_ns() >= deadline) {
			if (sig == SIGKILL)
				return -ETIMEDOUT;
			/*
			 * It did not finish: kill all in the tree but the
			 * leader, which is their subreaper: if it died first,
			 * they would come to us unreaped.
			 */
			sig = SIGKILL;
			kill_tree(s);
			deadline = scx_now_ns() + STOP_KILL_MS * NSEC_PER_MSEC;
		}
		/* Without a pidfd (before 5.3): a short cadence. */
		poll(&pfd, pfd.fd >= 0, pfd.fd >= 0 ? scx_ms_until(deadline) : 10);
	}
}

int scx_stress_reap(struct scx_stress_result *r, unsigned int ms)
{
	struct pollfd pfd = { .fd = r->leader_pidfd, .events = POLLIN };
	uint64_t deadline = scx_now_ns() + ms * NSEC_PER_MSEC;
	int sig = 0, ret = 0;
	siginfo_t si;

	/* A zeroed result holds no leader. */
	if (r->leader <= 0)
		return 0;
	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, r->leader, &si, WEXITED | WNOHANG) || si.si_pid)
			break;
		if (scx_now_ns() >= deadline) {
			if (sig) {
				ret = -ETIMEDOUT;
				break;
			}
			sig = SIGKILL;
			kill(r->leader, sig);
			deadline = scx_now_ns() + STOP_KILL_MS * NSEC_PER_MSEC;
		}
		/* Without a pidfd (before 5.3): a short cadence. */
		poll(&pfd, pfd.fd >= 0, pfd.fd >= 0 ? scx_ms_until(deadline) : 10);
	}
	if (r->leader_pidfd >= 0)
		close(r->leader_pidfd);
	r->leader_pidfd = -1;
	r->leader = -1;
	return ret;
}

int scx_stress_stop(struct scx_stress *s, unsigned int grace_ms, struct scx_stress_result *r)
{
	uint64_t t_stop = scx_now_ns();
	int ret = 0, rc;

	if (s->shm && s->mon) {
		ret = stop_leader(s, grace_ms);
		if (ret)
			snprintf(s->res.detail, sizeof(s->res.detail),
				 "%d stress process(es) had not exited %u ms after SIGKILL (0: the leader itself): the scheduler does not run them, or they are in D state",
				 atomic_load(&s->shm->left), grace_ms);
		if (ret && s->leader > 0) {
			/* It is reaped once the scheduler is gone. */
			s->res.leader = s->leader;
			s->res.leader_pidfd = s->pidfd;
			s->pidfd = -1;
		}
		load_error(s);
		/* Open gaps end where the stop began: the workers are dead since. */
		stress_judge(s, t_stop);
		stress_collect(s, s->ng_out);
	}
	rc = scx_cgroup_remove(&s->cg, scx_max(grace_ms, STOP_KILL_MS));
	if (rc && !ret) {
		ret = rc;
		snprintf(s->res.detail, sizeof(s->res.detail),
			 "the stress cgroup %.160s would not empty: %s", s->cg.path,
			 strerror(-rc));
	}
	s->res.elapsed_ns = t_stop - s->t_start;
	release(s);
	*r = s->res;
	return ret;
}

