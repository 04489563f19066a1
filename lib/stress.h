/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: hold a scheduler under a mixed load on every CPU, and catch
 * the tasks it starves.
 *
 * A scheduler can leave tasks waiting for seconds without tripping the
 * kernel's watchdog.  Every worker here stamps its progress into shared
 * memory; one that makes no progress for longer than a bound (the "max
 * gap") starved, whether or not the scheduler stays attached.
 *
 * The load: per CPU a CPU hog, fork/exec churn, a pipe ping-pong pair,
 * a worker that migrates itself with sched_setaffinity(), one that changes
 * its nice value, one that runs short-lived threads, one that moves itself
 * between two cgroups of a private cgroup2 sub-tree, and a probe pinned to
 * the CPU that sleeps and wakes.  Where stress-ng is installed, it runs
 * instead of the built-in hogs, pipes, migrations, nice changes and
 * threads, next to our probes, fork/exec churn and cgroup movers, which do
 * the progress reporting.
 *
 * A gap is judged from one wait for a CPU: time a worker spends blocked in
 * a lock (fork() and cgroup moves contend on cgroup_threadgroup_rwsem) or
 * at work (a child's exec) is not the scheduler's and is left out.
 *
 * An emulated machine stalls whole vCPUs now and then: a SCHED_FIFO
 * reference thread per CPU, which no sched_ext scheduler can hold back,
 * measures those stalls, and a worker's gap is judged minus the stalls of
 * the CPUs it waited on.  The raw gaps are reported as measured.
 *
 * All of it runs under one leader process, a child of the caller: nothing
 * else of the caller's is ever waited for, and whatever it starts dies with
 * it (process group, PR_SET_PDEATHSIG, the leader as subreaper, cgroup.kill).
 */
#ifndef __SCX_ATTACH_STRESS_H
#define __SCX_ATTACH_STRESS_H

#include <sys/types.h>

#include "cgroup.h"
#include "common.h"

#define SCX_STRESS_COMM		"scx_stress"	/* every worker's comm starts with this */
#define SCX_STRESS_MAX_CPUS	64	/* workers for at most this many CPUs */
#define SCX_STRESS_CGROUP	"/sys/fs/cgroup"

/* Default max gaps: bare metal, and an emulated (TCG) machine. */
#define SCX_STRESS_GAP_MS	2000
#define SCX_STRESS_GAP_EMU_MS	5000

enum scx_stress_kind {
	SCX_SK_HOG,		/* spins */
	SCX_SK_FORK,		/* fork, exec /bin/true, wait */
	SCX_SK_PIPE,		/* a pair bouncing a byte: wake-ups */
	SCX_SK_MIGRATE,		/* sched_setaffinity() to the next CPU */
	SCX_SK_NICE,		/* setpriority() through a few nice values */
	SCX_SK_THREAD,		/* a short-lived thread, joined */
	SCX_SK_CGROUP,		/* moves itself between two cgroups */
	SCX_SK_PROBE,		/* pinned to one CPU, sleeps 5 ms and wakes */
	SCX_SK_NR,
};

struct scx_stress_opts {
	unsigned int ms;		/* the leader ends it by itself after this, plus a margin */
	unsigned int max_gap_ms;	/* no progress for longer: starved */
	int cpus;			/* workers for this many CPUs; 0: all online */
	const char *stress_ng;		/* NULL: stress-ng from PATH; "": built-in only */
	const char *cgroup;		/* cgroup2 mount; NULL: SCX_STRESS_CGROUP */
};

/* One kind of worker. */
struct scx_stress_kstat {
	int workers;
	unsigned long long steps;
	uint64_t max_gap_ns;		/* longest gap between two steps, as measured */
	unsigned long long errors;	/* failed steps (fork, move, setaffinity) */
};

struct scx_stress_result {
	bool stress_ng;			/* stress-ng ran, next to our probes */
	char load[160];			/* what ran */
	char notes[256];		/* what was left out, and why */
	struct scx_stress_kstat kind[SCX_SK_NR];
	uint64_t machine_ns;		/* longest stall the reference threads saw; */
	bool machine;			/* false: no reference (no SCHED_FIFO) */
	/* The worst starvation over the bound, if any. */
	bool starved;
	int nr_starved;			/* workers that went over the bound */
	enum scx_stress_kind starved_kind;
	int starved_idx;		/* which worker of that kind */
	pid_t starved_pid;
	uint64_t starved_ns;		/* its gap, machine stalls taken out */
	uint64_t starved_raw_ns;	/* its gap as measured */
	uint64_t starved_at_ns;		/* when that gap began, after the start */
	bool starved_open;		/* it had still not run when judged */
	/* The load itself broke (a worker died, the leader failed). */
	int err;			/* -errno, 0 */
	char detail[256];
	int ng_status;			/* stress-ng's wait status; -1: not reaped by itself */
	char ng_tail[160];		/* stress-ng's last line of output */
	uint64_t elapsed_ns;
	unsigned int max_gap_ms;
	/*
	 * A leader that had not exited at the stop (under a starving
	 * scheduler it may not run): scx_stress_reap() waits for it once that
	 * scheduler is gone.  -1: none.
	 */
	pid_t leader;
	int leader_pidfd;
};

struct stress_shm;
struct stress_mon;

struct scx_stress {
	struct stress_shm *shm;		/* shared with the leader and workers */
	struct stress_mon *mon;		/* the caller's view: cursors, the worst gaps */
	pid_t leader;
	int pidfd;			/* the leader's; -1 before pidfd_open() (5.3) */
	int ng_out;			/* memfd holding stress-ng's output, -1 */
	struct scx_cgroup cg;		/* private sub-tree; path "" if none */
	uint64_t t_start;
	uint64_t bound_ns;
	struct scx_stress_result res;
};

/* The default max gap for a machine, emulated or not. */
unsigned int scx_stress_default_gap_ms(bool emulated);

/*
 * Start the load.  Returns 0, or -errno with @err filled; nothing is left
 * running on failure.  @s->res.load and .notes say what runs.  Call it from
 * a thread that lives until the stop: the leader stops the load when that
 * thread dies (PR_SET_PDEATHSIG).
 */
int scx_stress_start(struct scx_stress *s, const struct scx_stress_opts *o, char *err,
		     size_t errlen);

/* Readable when the leader died on its own (the load broke): poll it. */
int scx_stress_fd(const struct scx_stress *s);

/*
 * Look at the workers now, without blocking.  Returns 1 if a worker has
 * starved (@s->res says which), -errno if the load broke, else 0.
 */
int scx_stress_check(struct scx_stress *s);

/* When a gap now open could next go over the bound: check by then. */
uint64_t scx_stress_next_ns(const struct scx_stress *s);


/*
 * Stop everything within @grace_ms (SIGTERM to the leader, which kills and
 * reaps every worker; SIGKILL and cgroup.kill after that), remove the
 * cgroup sub-tree, judge the last gaps and fill @r.  0, or -ETIMEDOUT if
 * something would not die.  Safe after a failed start.
 */
int scx_stress_stop(struct scx_stress *s, unsigned int grace_ms, struct scx_stress_result *r);

/*
 * After the scheduler's stop: wait up to @ms for a leader scx_stress_stop()
 * left (it reaps its workers and exits once it runs), SIGKILL it after
 * that.  0, or -ETIMEDOUT if it would not die.  Nothing to do: 0.
 */
int scx_stress_reap(struct scx_stress_result *r, unsigned int ms);

const char *scx_stress_kind_name(enum scx_stress_kind k);

/* The SCHED_FIFO reference of @cpu while the load runs, NULL if none. */
const struct scx_vref_cpu *scx_stress_ref(const struct scx_stress *s, int cpu);

/* The longest gap any worker saw, as measured, an open one included. */
uint64_t scx_stress_max_gap_ns(const struct scx_stress_result *r);

/*
 * Line @i (from 0) of a report on @r, without "# " or newline: the load,
 * each kind's workers, steps and max gap, the machine stalls, the verdict.
 * Returns false past the last line.
 */
bool scx_stress_line(const struct scx_stress_result *r, int i, char *buf, size_t len);

#endif /* __SCX_ATTACH_STRESS_H */
