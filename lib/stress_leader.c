// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: the stress leader: start the workers, reap them, kill them.
 *
 * The leader is the caller's child and a child subreaper: every worker and
 * whatever a worker forks ends up its child, so it alone reaps them and the
 * caller never waits for anything but the leader.  Every process stays in
 * the caller's process group, and each child has PR_SET_PDEATHSIG(SIGKILL).
 * The leader's is SIGTERM: when the caller dies it kills the whole tree as
 * on a stop (stress-ng only asks its stressors to stop when it dies, and
 * they may not).  When the harness kills the group, all of it dies.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fork.h"
#include "proc.h"
#include "stress_shm.h"

#define ORPHAN_SCAN_NS		(50 * NSEC_PER_MSEC)	/* look for reparented ones */
#define NG_SLOT			(-1)
#define REF_SLOT(cpu)		(-2 - (cpu))

static const char *const comm_suffix[SCX_SK_NR] = {
	"hog", "fork", "pipe", "migr", "nice", "thrd", "cgrp", "prob",
};

/* The leader's children: workers by slot, references, stress-ng. */
struct leader {
	struct stress_shm *m;
	pid_t pid[STRESS_SLOTS + SCX_STRESS_MAX_CPUS + 1];
	int what[STRESS_SLOTS + SCX_STRESS_MAX_CPUS + 1];	/* slot, REF_SLOT(), NG_SLOT */
	int n;
	pid_t self;
	bool rt;		/* SCHED_FIFO: the references inherit it */
};

static int write_one(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -1;
	if (write(fd, s, strlen(s)) < 0)
		ret = -1;
	close(fd);
	return ret;
}

/* Every child: dies with the leader, default signals, in the cgroup if any. */
static void child_init(const struct stress_shm *m, pid_t leader, const char *comm, bool move)
{
	if (scx_fork_setup(leader, SIGKILL, -1, false))
		_exit(1);
	prctl(PR_SET_NAME, comm);
	if (move && m->cg_procs[0][0] && write_one(m->cg_procs[0], "0"))
		_exit(1);
}

static pid_t leader_fork(struct leader *l, int what)
{
	pid_t pid = fork();

	if (pid > 0) {
		l->pid[l->n] = pid;
		l->what[l->n++] = what;
		if (what >= 0)
			atomic_store(&l->m->slot[what].pid, pid);
	}
	return pid;
}

/* The first failure is the one reported. */
static void fail(struct stress_shm *m, int err, const char *fmt, ...)
{
	int expected = 0;
	va_list ap;

	if (!atomic_compare_exchange_strong(&m->err, &expected, err))
		return;
	va_start(ap, fmt);
	vsnprintf(m->err_msg, sizeof(m->err_msg), fmt, ap);
	va_end(ap);
}

/* A slot, ready before the monitor sees it: its gap starts now. */
static struct stress_slot *new_slot(struct stress_shm *m, enum scx_stress_kind kind, int idx)
{
	int i = atomic_load(&m->nr_slots);
	struct stress_slot *sl = &m->slot[i];

	sl->kind = kind;
	sl->idx = idx;
	scx_gap_restart(&sl->gap);
	atomic_store_explicit(&m->nr_slots, i + 1, memory_order_release);
	return sl;
}

static void start_worker(struct leader *l, enum scx_stress_kind kind, int idx)
{
	int pipes[4] = { -1, -1, -1, -1 }, side, sides = kind == SCX_SK_PIPE ? 2 : 1;
	struct stress_shm *m = l->m;
	struct stress_slot *sl;
	char comm[16];
	pid_t pid;

	/* A pipe pair: a2b in 0-1, b2a in 2-3. */
	if (kind == SCX_SK_PIPE && (pipe2(pipes, O_CLOEXEC) || pipe2(pipes + 2, O_CLOEXEC))) {
		fail(m, -errno, "pipe: %s", strerror(errno));
		sides = 0;
	}
	snprintf(comm, sizeof(comm), SCX_STRESS_COMM "_%s", comm_suffix[kind]);
	for (side = 0; side < sides; side++) {
		sl = new_slot(m, kind, idx | (side ? STRESS_PIPE_B : 0));
		pid = leader_fork(l, sl - m->slot);
		if (pid < 0) {
			fail(m, -errno, "fork: %s", strerror(errno));
			break;
		}
		if (!pid) {
			child_init(m, l->self, comm, true);
			stress_work(m, sl, m->cpu[idx], pipes);
		}
	}
	for (side = 0; side < 4; side++)
		if (pipes[side] >= 0)
			close(pipes[side]);
}

static void start_ng(struct leader *l, int ng_out)
{
	struct stress_shm *m = l->m;
	pid_t pid;

	pid = leader_fork(l, NG_SLOT);
	if (pid < 0) {
		fail(m, -errno, "fork stress-ng: %s", strerror(errno));
		return;
	}
	if (pid) {
		atomic_store(&m->ng_pid, pid);
		return;
	}
	child_init(m, l->self, "stress-ng", true);
	if (dup2(ng_out, 1) < 0 || dup2(ng_out, 2) < 0)
		_exit(126);
	execv(m->ng_bin, m->ng_argv);
	_exit(127);
}

static void start_all(struct leader *l, int ng_out)
{
	struct sched_param fifo = { .sched_priority = 1 };
	struct stress_shm *m = l->m;
	int c, k;

	/* SCHED_FIFO from birth (inherited): no scheduler can hold them back. */
	for (c = 0; c < m->nr_cpus; c++) {
		if (m->cpu[c] >= SCX_STRESS_MAX_CPUS)
			continue;
		if (!leader_fork(l, REF_SLOT(m->cpu[c]))) {
			child_init(m, l->self, SCX_STRESS_COMM "_ref", false);
			stress_ref(&m->ref[m->cpu[c]], m->cpu[c]);
		}
	}
	/* The workers are the scheduler's to run: SCHED_NORMAL from birth. */
	if (l->rt)
		sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &fifo);
	/* CPU by CPU, so that a load cut short by a failure is still spread. */
	for (c = 0; c < m->nr_cpus && !atomic_load(&m->err); c++)
		for (k = 0; k < SCX_SK_NR; k++)
			if (m->kinds[k])
				start_worker(l, k, c);
	if (m->ng_bin[0] && !atomic_load(&m->err))
		start_ng(l, ng_out);
}

static int find_child(const struct leader *l, pid_t pid)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (l->pid[i] == pid)
			return i;
	return -1;
}

/* A child of ours ended: say so if it was not meant to. */
static void reaped(struct leader *l, const siginfo_t *si, bool stopping)
{
	struct stress_shm *m = l->m;
	int i = find_child(l, si->si_pid), what, status;
	const struct stress_slot *sl;
	const char *how;

	if (i < 0)
		return;		/* a worker's child, reparented to us */
	what = l->what[i];
	l->pid[i] = 0;
	status = si->si_code == CLD_EXITED ? W_EXITCODE(si->si_status, 0) : si->si_status;
	how = si->si_code == CLD_EXITED ? "exited with status" : "was killed by signal";
	if (stopping)
		return;		/* ours, by SIGKILL */
	if (what == NG_SLOT) {
		atomic_store(&m->ng_status, status);
		if (scx_now_ns() < m->ng_until)
			fail(m, -ECHILD, "stress-ng (pid %d) %s %d before its time", si->si_pid,
			     how, si->si_status);
	} else if (what < NG_SLOT) {
		if (si->si_code != CLD_EXITED || si->si_status != STRESS_REF_NO_FIFO)
			fail(m, -ECHILD, "the reference thread of CPU %d (pid %d) %s %d",
			     REF_SLOT(0) - what, si->si_pid, how, si->si_status);
	} else {
		sl = &m->slot[what];
		fail(m, -ECHILD, "worker %s#%d (pid %d) %s %d", scx_stress_kind_name(sl->kind),
		     sl->idx & ~STRESS_PIPE_B, si->si_pid, how, si->si_status);
	}
}

/* Reap whatever has ended.  Returns false once we have no child left. */
static bool reap_some(struct leader *l, bool stopping)
{
	siginfo_t si;

	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG))
			return errno != ECHILD;
		if (!si.si_pid)
			return true;
		reaped(l, &si, stopping);
	}
}

static void wait_signal(int sfd, uint64_t deadline, struct signalfd_siginfo *info)
{
	struct pollfd pfd = { .fd = sfd, .events = POLLIN };
	struct timespec ts = scx_ts_until(deadline, ~0ULL);

	memset(info, 0, sizeof(*info));
	if (ppoll(&pfd, 1, &ts, NULL) > 0 && read(sfd, info, sizeof(*info)) < 0)
		info->ssi_signo = 0;
}

/* Children of ours not reaped yet. */
static int left(const struct leader *l)
{
	int i, n = 0;

	for (i = 0; i < l->n; i++)
		n += l->pid[i] > 0;
	return n;
}

/*
 * SIGKILL all of it and reap it; 0, or -ETIMEDOUT if something stayed past
 * the deadline.  Past it we stay, their subreaper, until the last is reaped
 * or the caller kills us: a scheduler that holds them back lets them die
 * only once it is stopped, and if we left first they would fall, unreaped,
 * to the test.
 */
static int stop_all(struct leader *l, int sfd)
{
	uint64_t deadline = scx_now_ns() + atomic_load(&l->m->stop_ms) * NSEC_PER_MSEC;
	struct signalfd_siginfo info;
	pid_t pids[SCX_PROC_MAX];
	bool late = false;
	int i, n;

	/* Before 5.14 there is no cgroup.kill: the pids below still die. */
	if (l->m->cg_kill[0])
		write_one(l->m->cg_kill, "1");
	for (i = 0; i < l->n; i++)
		if (l->pid[i] > 0)
			kill(l->pid[i], SIGKILL);
	while (reap_some(l, true)) {
		/* Workers' children that came to us when their parent died. */
		n = scx_proc_children(l->self, pids, SCX_PROC_MAX, true);
		for (i = 0; i < n; i++)
			kill(pids[i], SIGKILL);
		if (!late && scx_now_ns() >= deadline) {
			atomic_store(&l->m->left, n + left(l));
			late = true;
		}
		wait_signal(sfd, late ? scx_now_ns() + ORPHAN_SCAN_NS :
			    scx_min(deadline, scx_now_ns() + ORPHAN_SCAN_NS), &info);
	}
	return late ? -ETIMEDOUT : 0;
}

/*
 * 0-2 on /dev/null, stress-ng's output on 3: returns that fd, -1 without
 * one, -2 on failure.  The caller closes the rest.
 */
static int leader_fds(int ng_out)
{
	int null;

	if (ng_out >= 0) {
		ng_out = fcntl(ng_out, F_DUPFD, 4);
		if (ng_out < 0 || dup2(ng_out, 3) < 0)
			return -2;
	}
	null = open("/dev/null", O_RDWR);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		return -2;
	return ng_out >= 0 ? 3 : -1;
}

void stress_leader(struct stress_shm *m, int ng_out, pid_t parent)
{
	struct sched_param fifo = { .sched_priority = 1 };
	struct leader *l = calloc(1, sizeof(*l));
	struct signalfd_siginfo info;
	sigset_t set;
	int sfd;

	/* Only what the load needs stays open. */
	ng_out = leader_fds(ng_out);
	if (!l || ng_out < -1 || scx_fork_setup(parent, SIGTERM, ng_out == 3 ? 4 : 3, false))
		_exit(1);
	/*
	 * SCHED_FIFO where allowed, before it takes a name a faulty scheduler
	 * may pick on: it must be able to kill what that scheduler holds back.
	 */
	l->rt = !sched_setscheduler(0, SCHED_FIFO, &fifo);
	l->m = m;
	l->self = getpid();
	prctl(PR_SET_NAME, SCX_STRESS_COMM);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_SETMASK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		_exit(1);

	start_all(l, ng_out);
	for (;;) {
		reap_some(l, false);
		if (scx_now_ns() >= m->deadline)
			break;
		wait_signal(sfd, m->deadline, &info);
		if (info.ssi_signo == SIGTERM)
			break;
	}
	_exit(stop_all(l, sfd) ? 1 : 0);
}
