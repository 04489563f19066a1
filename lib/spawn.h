/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: start a scheduler and stop it for sure.
 */
#ifndef __SCX_ATTACH_SPAWN_H
#define __SCX_ATTACH_SPAWN_H

#include <sys/types.h>

#include "config.h"
#include "log.h"

/*
 * In the scheduler's environment, inherited by what it starts: PID:NS, its
 * pid and the CLOCK_MONOTONIC ns of its spawn.  Its stop finds by it what
 * it left behind, and nothing else.
 */
#define SCX_SPAWN_ENV	"SCX_ATTACH_SPAWN"

struct scx_child {
	pid_t pid;		/* -1: never started */
	int pidfd;		/* -1: no pidfd_open(), liveness from waitid() */
	struct scx_log log;	/* its stdout and stderr */
	uint64_t t_spawn;	/* CLOCK_MONOTONIC ns */
	bool exited;		/* reaped; see code/status */
	int code;		/* CLD_EXITED, CLD_KILLED, CLD_DUMPED */
	int status;		/* exit status or signal number */
	int orphans;		/* descendants left behind and killed */
	char tag[48];		/* SCX_SPAWN_ENV's value; "": not started */
};

/* Nothing started, nothing open: what scx_child_release() accepts. */
void scx_child_init(struct scx_child *c, size_t log_cap);


/*
 * Start @bin with @argv (argv[0] included) in the caller's process group,
 * with PR_SET_PDEATHSIG(SIGKILL), a sanitized environment and its output
 * collected into a private log.  The caller becomes a child subreaper so
 * that a daemonizing scheduler cannot slip away.
 */
int scx_spawn(struct scx_child *c, const struct scx_cfg *cfg, const char *bin,
	      char *const argv[], char *err, size_t errlen);

/* Reap without blocking.  Returns 1 if the child has exited, else 0. */
int scx_child_poll(struct scx_child *c);

/* CPU time (user+system) the scheduler has consumed, 0 if unknown. */
uint64_t scx_child_cpu_ns(const struct scx_child *c);

/*
 * SIGTERM, @grace_ms, SIGKILL, then a bounded reap; then the same for any
 * descendant it left behind (with its SCX_SPAWN_ENV tag; one that cleared
 * its environment, or already exited, is left to the suite's sweeps).
 * -ETIMEDOUT if something would not die (D state); the caller reports it
 * rather than hang.
 */
int scx_child_stop(struct scx_child *c, unsigned int grace_ms);

/* Close everything and remove the log directory unless @keep. */
void scx_child_release(struct scx_child *c, bool keep);

#endif /* __SCX_ATTACH_SPAWN_H */
