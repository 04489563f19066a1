// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: the stress workers.  Each one loops on its kind of step and
 * stamps its progress after every step; nothing here ever returns: the
 * leader kills the workers.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "stress_shm.h"

#define SPIN_STEP		20000	/* a hog's loop iterations between steps */
#define PROBE_PERIOD_NS		(5 * NSEC_PER_MSEC)
#define CGROUP_PERIOD_NS	(100 * NSEC_PER_MSEC)

/* The nice values a nice worker goes through; -5 needs CAP_SYS_NICE. */
static const int nice_steps[] = { 0, 5, 0, -5 };

static void spin(unsigned long n)
{
	/* volatile: the loop is the work, it must not be optimized away. */
	volatile unsigned long i;

	for (i = 0; i < n; i++)
		;
}

/* One step of progress: the gap since the last one, kept if over the bound. */
static void stamp(const struct stress_shm *m, struct stress_slot *sl)
{
	scx_gap_step(&sl->gap, m->bound_ns);
	atomic_fetch_add_explicit(&sl->steps, 1, memory_order_relaxed);
}

/* After time not spent waiting for a CPU (work, a lock): the gap starts now. */
static void restart(struct stress_slot *sl)
{
	scx_gap_restart(&sl->gap);
}

static void failed_step(struct stress_slot *sl)
{
	atomic_fetch_add_explicit(&sl->errors, 1, memory_order_relaxed);
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static struct timespec abs_ts(uint64_t ns)
{
	return (struct timespec){ .tv_sec = ns / NSEC_PER_SEC, .tv_nsec = ns % NSEC_PER_SEC };
}

static void __noreturn run_hog(const struct stress_shm *m, struct stress_slot *sl)
{
	for (;;) {
		spin(SPIN_STEP);
		stamp(m, sl);
	}
}

/*
 * Each step judges one wait: the child's first run after fork() returned.
 * fork() itself can block on cgroup_threadgroup_rwsem behind cgroup moves
 * (for seconds, next to stress-ng's fork churn), and exec and exit are
 * work: that is no scheduler's gap, and not judged.
 */
static void __noreturn run_fork(const struct stress_shm *m, struct stress_slot *sl)
{
	pid_t self = getpid(), pid;

	int in_fork;

	for (;;) {
		atomic_store(&sl->forked_ns, 0);
		atomic_store(&sl->off, STRESS_OFF_FORK);
		pid = fork();
		if (!pid) {
			if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != self)
				_exit(1);
			/* Ran before its parent was back from fork(): no wait at all. */
			if (!atomic_load(&sl->forked_ns))
				restart(sl);
			stamp(m, sl);
			atomic_store(&sl->off, STRESS_OFF_WORK);
			if (m->true_bin[0])
				execl(m->true_bin, "true", (char *)NULL);
			_exit(0);
		}
		restart(sl);
		atomic_store(&sl->forked_ns, scx_now_ns());
		/* Judge the wait for the child's first run, unless it is over. */
		in_fork = STRESS_OFF_FORK;
		atomic_compare_exchange_strong(&sl->off, &in_fork, 0);
		if (pid < 0)
			failed_step(sl);
		else
			while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
				;
		restart(sl);
	}
}

/* One side of a ping-pong pair: @first writes first. */
static void __noreturn run_pipe(const struct stress_shm *m, struct stress_slot *sl, int rfd,
				int wfd, bool first)
{
	char c = 0;

	if (first && write(wfd, &c, 1) != 1)
		_exit(1);
	for (;;) {
		/* The partner is gone (EOF or error): the leader will say. */
		if (read(rfd, &c, 1) != 1 || write(wfd, &c, 1) != 1)
			_exit(1);
		stamp(m, sl);
	}
}

static void __noreturn run_migrate(const struct stress_shm *m, struct stress_slot *sl)
{
	int i;

	for (i = 0;; i++) {
		/* EINVAL: that CPU went offline; another is next. */
		if (pin(m->cpu[i % m->nr_cpus]) && errno != EINVAL)
			failed_step(sl);
		spin(SPIN_STEP / 4);
		stamp(m, sl);
	}
}

static void __noreturn run_nice(const struct stress_shm *m, struct stress_slot *sl)
{
	int i, v;

	for (i = 0;; i++) {
		v = nice_steps[i % ARRAY_SIZE(nice_steps)];
		if (setpriority(PRIO_PROCESS, 0, v) && errno != EACCES && errno != EPERM)
			failed_step(sl);
		spin(SPIN_STEP / 2);
		stamp(m, sl);
	}
}

struct short_arg {
	const struct stress_shm *m;
	struct stress_slot *sl;
};

/* A new thread's first run is a step; its parent's wake-up after join is the next. */
static void *short_thread(void *arg)
{
	struct short_arg *a = arg;

	stamp(a->m, a->sl);
	spin(SPIN_STEP / 4);
	return NULL;
}

static void __noreturn run_thread(const struct stress_shm *m, struct stress_slot *sl)
{
	struct short_arg a = { .m = m, .sl = sl };
	pthread_t th;

	for (;;) {
		if (pthread_create(&th, NULL, short_thread, &a))
			failed_step(sl);
		else
			pthread_join(th, NULL);
		stamp(m, sl);
	}
}

/* Sleep for the rest of @period after @next (a period from now if late): the wake-up is the load. */
static void tick(uint64_t *next, uint64_t period)
{
	uint64_t now = scx_now_ns();
	struct timespec ts;

	*next = *next + period > now ? *next + period : now + period;
	ts = abs_ts(*next);
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

/*
 * Each move takes cgroup_threadgroup_rwsem for writing, which stalls every
 * fork on the machine for an RCU grace period or more: a few moves a
 * second on each CPU exercise the scheduler's cgroup callbacks without
 * turning the load into a test of that lock.  The time blocked in the move
 * is the lock's, not the scheduler's: it is not judged.
 */
static void __noreturn run_cgroup(const struct stress_shm *m, struct stress_slot *sl)
{
	uint64_t next = scx_now_ns();
	int fd[2], i;

	fd[0] = open(m->cg_procs[1], O_WRONLY | O_CLOEXEC);
	fd[1] = open(m->cg_procs[2], O_WRONLY | O_CLOEXEC);
	if (fd[0] < 0 || fd[1] < 0)
		_exit(1);
	for (i = 0;; i++) {
		tick(&next, CGROUP_PERIOD_NS);
		spin(SPIN_STEP / 4);
		stamp(m, sl);
		atomic_store(&sl->off, STRESS_OFF_LOCK);
		/* "0": the writing process itself. */
		if (write(fd[i & 1], "0", 1) != 1)
			failed_step(sl);
		restart(sl);
		atomic_store(&sl->off, 0);
	}
}

static void __noreturn run_probe(const struct stress_shm *m, struct stress_slot *sl, int cpu)
{
	uint64_t next = scx_now_ns();

	/* Unpinned if that CPU went away: it still has to run somewhere. */
	pin(cpu);
	for (;;) {
		tick(&next, PROBE_PERIOD_NS);
		spin(SPIN_STEP / 20);
		stamp(m, sl);
	}
}

/*
 * A CPU's reference: SCHED_FIFO, which sched_ext never schedules, so its
 * lateness is the machine's (a vCPU the host did not run), not the
 * scheduler's.
 */
void stress_ref(struct scx_vref_cpu *r, int cpu)
{
	struct sched_param sp = { .sched_priority = 1 };
	uint64_t next;

	if (pin(cpu) || sched_setscheduler(0, SCHED_FIFO, &sp))
		_exit(STRESS_REF_NO_FIFO);
	next = scx_now_ns();
	atomic_store(&r->last_ns, next);
	for (;;) {
		tick(&next, SCX_VREF_PERIOD_NS);
		scx_vref_note(r, next, scx_now_ns());
	}
}

void stress_work(const struct stress_shm *m, struct stress_slot *sl, int cpu, const int pipes[4])
{
	switch (sl->kind) {
	case SCX_SK_HOG:
		run_hog(m, sl);
	case SCX_SK_FORK:
		run_fork(m, sl);
	case SCX_SK_PIPE:
		/* a2b and b2a: side A writes first, on a2b. */
		if (sl->idx & STRESS_PIPE_B) {
			close(pipes[1]);
			close(pipes[2]);
			run_pipe(m, sl, pipes[0], pipes[3], false);
		}
		close(pipes[0]);
		close(pipes[3]);
		run_pipe(m, sl, pipes[2], pipes[1], true);
	case SCX_SK_MIGRATE:
		run_migrate(m, sl);
	case SCX_SK_NICE:
		run_nice(m, sl);
	case SCX_SK_THREAD:
		run_thread(m, sl);
	case SCX_SK_CGROUP:
		run_cgroup(m, sl);
	case SCX_SK_PROBE:
		run_probe(m, sl, cpu);
	case SCX_SK_NR:
		break;
	}
	_exit(1);
}
