/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: what the stress leader, its workers and the caller's monitor
 * share, in one MAP_SHARED mapping made before the leader is forked.
 * Internal to stress.c (the monitor) and stress_load.c (leader, workers).
 */
#ifndef __SCX_ATTACH_STRESS_SHM_H
#define __SCX_ATTACH_STRESS_SHM_H

#include <stdatomic.h>
#include <sys/types.h>

#include "gap.h"
#include "stress.h"
#include "vref.h"

#ifndef __noreturn
#define __noreturn		__attribute__((__noreturn__))
#endif

#define STRESS_SLOTS		(SCX_STRESS_MAX_CPUS * (SCX_SK_NR + 1))	/* a pipe is two */
#define STRESS_NG_ARGS		40
#define STRESS_REF_NO_FIFO	3	/* a reference's exit status: no SCHED_FIFO */
#define STRESS_PIPE_B		0x10000	/* in a slot's idx: the pair's second side */
#define STRESS_OFF_FORK		1	/* a slot's off: in fork() */
#define STRESS_OFF_WORK		2	/* its fork's child at work (exec, exit) */
#define STRESS_OFF_LOCK		3	/* in a cgroup move */

struct stress_slot {
	_Atomic uint64_t steps;
	_Atomic unsigned long long errors;
	_Atomic pid_t pid;
	_Atomic uint64_t forked_ns;	/* fork/exec: when fork() returned, 0 before */
	_Atomic int off;		/* STRESS_OFF_*: not waiting for a CPU, not judged */
	struct scx_gap gap;		/* its steps (or its fork) */
	int kind, idx;
} __attribute__((aligned(64)));

struct stress_shm {
	/* Written by the caller before the fork, read-only after. */
	uint64_t t_start;
	uint64_t deadline;		/* the leader ends it by itself */
	uint64_t ng_until;		/* stress-ng ending before this is a failure */
	uint64_t bound_ns;
	int nr_cpus;
	int cpu[SCX_STRESS_MAX_CPUS];	/* the CPUs we may run on */
	bool kinds[SCX_SK_NR];		/* which kinds run */
	char true_bin[PATH_MAX];	/* what fork/exec execs; "": fork only */
	char cg_procs[3][PATH_MAX];	/* cgroup.procs of w, a, b; "": no cgroup */
	char cg_kill[PATH_MAX];
	char ng_bin[PATH_MAX];		/* "": no stress-ng */
	char ng_argbuf[1024];
	char *ng_argv[STRESS_NG_ARGS];	/* into ng_argbuf; the mapping's address is shared */

	/* Written by the leader and the workers. */
	_Atomic int nr_slots;
	_Atomic int err;		/* -errno: the load broke */
	char err_msg[192];
	_Atomic unsigned int stop_ms;	/* the caller's: kill and reap all within this */
	_Atomic int left;		/* processes that had not died by then */
	_Atomic pid_t ng_pid;
	_Atomic int ng_status;		/* its wait status; -1 until reaped */
	struct scx_vref_cpu ref[SCX_STRESS_MAX_CPUS];	/* SCHED_FIFO references, by CPU */
	struct stress_slot slot[STRESS_SLOTS];
};

/* The caller's view of each slot: spans judged so far, and whether it starved. */
struct stress_mon {
	unsigned int cursor[STRESS_SLOTS];
	bool starved[STRESS_SLOTS];
};

/* Judge every gap over the bound, closed or still open at @upto (stress_judge.c). */
void stress_judge(struct scx_stress *s, uint64_t upto);
/* Fill @s->res with what the workers, references and stress-ng (@ng_out) did. */
void stress_collect(struct scx_stress *s, int ng_out);

/* A worker's loop, in the leader's child: never returns. */
void __noreturn stress_work(const struct stress_shm *m, struct stress_slot *sl, int cpu,
			    const int pipes[4]);

/* The SCHED_FIFO reference of @cpu: never returns; exits STRESS_REF_NO_FIFO without. */
void __noreturn stress_ref(struct scx_vref_cpu *r, int cpu);

/*
 * The leader, in the child the caller forked: start every worker, then wait
 * for SIGTERM or the deadline, kill and reap them all.  Never returns.
 */
void __noreturn stress_leader(struct stress_shm *m, int ng_out, pid_t parent);

#endif /* __SCX_ATTACH_STRESS_SHM_H */
