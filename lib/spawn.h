/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: start a scheduler, keep its output, stop it for sure.
 */
#ifndef __SCX_ATTACH_SPAWN_H
#define __SCX_ATTACH_SPAWN_H

#include <sys/types.h>

#include "common.h"

#define SCX_ARGS_MAX		256	/* arguments from an args file */
#define SCX_ARGS_FILE_MAX	65536	/* bytes; more is not an args file */
#define SCX_TAIL_LEN		8192	/* scheduler output kept in memory */
#define SCX_LOG_NAME		"scheduler.log"	/* in the private directory */

struct scx_child {
	pid_t pid;
	int pidfd;		/* -1: no pidfd_open(), liveness from waitid() */
	int out_fd;		/* read end of the scheduler's stdout+stderr */
	int log_fd;
	int dir_fd;		/* private 0700 directory holding the log */
	char dir[PATH_MAX];
	char log_path[PATH_MAX];
	uint64_t t_spawn;	/* CLOCK_MONOTONIC ns */
	size_t log_cap;
	size_t logged;		/* bytes written to the log file */
	size_t dropped;		/* bytes over the cap, not in the file */
	char tail[SCX_TAIL_LEN];	/* ring of the newest output */
	size_t tail_pos;
	bool tail_full;
	bool exited;		/* reaped; see code/status */
	int code;		/* CLD_EXITED, CLD_KILLED, CLD_DUMPED */
	int status;		/* exit status or signal number */
	int orphans;		/* descendants left behind and killed */
};

/*
 * Split @buf in place on whitespace into at most @max arguments.
 * Returns the count, or -E2BIG.
 */
int scx_args_split(char *buf, char **argv, int max);

/*
 * Read an args file into @buf (NUL-terminated).  A missing file means no
 * arguments (returns 0 and an empty buffer, as the seed did); unreadable,
 * blank or oversized files are errors with @err filled.
 */
int scx_args_read(const char *path, char *buf, size_t len, char *err, size_t errlen);

/*
 * The path of @prog in the directory of the running binary, where the
 * kselftest install puts the fixtures and helpers.  0 or -errno.
 */
int scx_sibling_path(char *buf, size_t len, const char *prog);

/* Check that @bin can be executed; -errno with @err filled otherwise. */
int scx_bin_check(const char *bin, char *err, size_t errlen);

/*
 * Start @bin with @argv (argv[0] included) in the caller's process group,
 * with PR_SET_PDEATHSIG(SIGKILL), a sanitized environment and its output
 * collected into a private log.  The caller becomes a child subreaper so
 * that a daemonizing scheduler cannot slip away.
 */
int scx_spawn(struct scx_child *c, const struct scx_cfg *cfg, const char *bin,
	      char *const argv[], char *err, size_t errlen);

/*
 * Create the log in the private directory @c->dir (made by mkdtemp):
 * O_EXCL|O_NOFOLLOW, so a file or symlink planted there is refused, never
 * followed; the directory itself is opened O_NOFOLLOW too.  Fills
 * @c->dir_fd, @c->log_fd and @c->log_path; -errno with @err filled.
 * scx_spawn() calls it; it is exposed so that tests can plant things.
 */
int scx_log_open(struct scx_child *c, char *err, size_t errlen);

/* Move pending output into the log.  Returns 1 at EOF, 0, or -errno. */
int scx_child_drain(struct scx_child *c);

/* Reap without blocking.  Returns 1 if the child has exited, else 0. */
int scx_child_poll(struct scx_child *c);

/* CPU time (user+system) the scheduler has consumed, 0 if unknown. */
uint64_t scx_child_cpu_ns(const struct scx_child *c);

/*
 * SIGTERM, @grace_ms, SIGKILL, then a bounded reap; then the same for any
 * descendant it left behind.  -ETIMEDOUT if something would not die (D
 * state); the caller reports it rather than hang.
 */
int scx_child_stop(struct scx_child *c, unsigned int grace_ms);

/* 0 if /proc shows our pid namespace, -EXDEV if not, -errno. */
int scx_proc_ours(void);

/*
 * Read /proc/@pid/stat into @buf; return the fields after comm (from the
 * state on), or NULL if the process is gone.
 */
const char *scx_proc_stat(pid_t pid, char *buf, size_t len);

/*
 * Children of @parent per /proc, zombies too unless @live (a zombie leader
 * whose other threads still run counts as live).  -EXDEV when /proc is not
 * of our pid namespace (its pids would name others).
 */
int scx_proc_children(pid_t parent, pid_t *pids, int max, bool live);

/*
 * SIGKILL and reap every child of ours, and the daemons that then come
 * back to us as subreaper, for at most @ms.  Returns how many were killed.
 */
int scx_kill_children(unsigned int ms);

/* Remember @pid in @seen (64 slots, @n used); true the first time. */
bool scx_pid_once(pid_t *seen, int *n, pid_t pid);

/* Copy the newest output, oldest first, into @buf.  Returns its length. */
size_t scx_child_tail(const struct scx_child *c, char *buf, size_t len);

/* Close everything and remove the log directory unless @keep. */
void scx_child_release(struct scx_child *c, bool keep);

#endif /* __SCX_ATTACH_SPAWN_H */
