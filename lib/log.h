/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: the scheduler's output, kept in a private capped log file and
 * in a ring of its newest bytes.
 */
#ifndef __SCX_ATTACH_LOG_H
#define __SCX_ATTACH_LOG_H

#include "common.h"

#define SCX_TAIL_LEN		8192	/* scheduler output kept in memory */
#define SCX_LOG_NAME		"scheduler.log"	/* in the private directory */

struct scx_log {
	int out_fd;		/* read end of the scheduler's stdout+stderr */
	int log_fd;
	int dir_fd;		/* private 0700 directory holding the log */
	char dir[PATH_MAX];
	char path[PATH_MAX];
	size_t cap;
	size_t logged;		/* bytes written to the log file */
	size_t dropped;		/* bytes over the cap, not in the file */
	char tail[SCX_TAIL_LEN];	/* ring of the newest output */
	size_t tail_pos;
	bool tail_full;
};

/* No files, no fds: safe to release. */
void scx_log_init(struct scx_log *l, size_t cap);

/*
 * Make a private directory (mkdtemp, 0700) under @tmpdir and the log in
 * it.  -errno with @err filled.
 */
int scx_log_create(struct scx_log *l, const char *tmpdir, char *err, size_t errlen);

/*
 * Create the log in the existing directory @l->dir: O_EXCL|O_NOFOLLOW, so
 * a file or symlink planted there is refused, never followed; the
 * directory itself is opened O_NOFOLLOW too.  -errno with @err filled.
 * Exposed so that tests can plant things.
 */
int scx_log_open(struct scx_log *l, char *err, size_t errlen);

/* Move pending output into the log.  Returns 1 at EOF, 0, or -errno. */
int scx_log_drain(struct scx_log *l);

/* Read until every writer is gone, at most @ms. */
void scx_log_finish(struct scx_log *l, unsigned int ms);

/* Copy the newest output, oldest first, into @buf.  Returns its length. */
size_t scx_log_tail(const struct scx_log *l, char *buf, size_t len);

/* Close everything and remove the log directory unless @keep. */
void scx_log_release(struct scx_log *l, bool keep);

#endif /* __SCX_ATTACH_LOG_H */
