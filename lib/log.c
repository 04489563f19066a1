// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: the scheduler's output, kept in a private capped log file and
 * in a ring of its newest bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define DRAIN_ROUNDS	16	/* reads per drain: a flood must not starve the watcher */

void scx_log_init(struct scx_log *l, size_t cap)
{
	memset(l, 0, sizeof(*l));
	l->out_fd = l->log_fd = l->dir_fd = -1;
	l->cap = cap;
}

int scx_log_open(struct scx_log *l, char *err, size_t errlen)
{
	int ret;

	l->dir_fd = open(l->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (l->dir_fd < 0)
		goto fail;
	/* O_EXCL|O_NOFOLLOW: a planted file or symlink is refused, never followed. */
	l->log_fd = openat(l->dir_fd, SCX_LOG_NAME,
			   O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (l->log_fd < 0)
		goto fail;
	if (snprintf(l->path, sizeof(l->path), "%.*s/" SCX_LOG_NAME,
		     (int)(sizeof(l->path) - sizeof(SCX_LOG_NAME) - 1), l->dir) < 0)
		l->path[0] = '\0';
	return 0;
fail:
	ret = -errno;
	snprintf(err, errlen, "cannot create the log in %s: %s", l->dir, strerror(-ret));
	return ret;
}

int scx_log_create(struct scx_log *l, const char *tmpdir, char *err, size_t errlen)
{
	int n;

	n = snprintf(l->dir, sizeof(l->dir), "%s/scx_attach.XXXXXX", tmpdir);
	if (n < 0 || (size_t)n >= sizeof(l->dir)) {
		snprintf(err, errlen, "log directory: TMPDIR is too long");
		l->dir[0] = '\0';
		return -ENAMETOOLONG;
	}
	if (!mkdtemp(l->dir)) {	/* mode 0700 */
		n = -errno;
		snprintf(err, errlen, "cannot create a private log directory under %s: %s",
			 tmpdir, strerror(-n));
		l->dir[0] = '\0';
		return n;
	}
	return scx_log_open(l, err, errlen);
}

static void tail_add(struct scx_log *l, const char *p, size_t n)
{
	size_t k;

	if (n > SCX_TAIL_LEN) {
		p += n - SCX_TAIL_LEN;
		n = SCX_TAIL_LEN;
	}
	while (n) {
		k = scx_min(n, SCX_TAIL_LEN - l->tail_pos);
		memcpy(l->tail + l->tail_pos, p, k);
		l->tail_pos += k;
		if (l->tail_pos == SCX_TAIL_LEN) {
			l->tail_pos = 0;
			l->tail_full = true;
		}
		p += k;
		n -= k;
	}
}

int scx_log_drain(struct scx_log *l)
{
	char buf[65536];
	size_t room;
	ssize_t n;
	int rounds;

	if (l->out_fd < 0)
		return 1;
	for (rounds = 0; rounds < DRAIN_ROUNDS; rounds++) {
		n = read(l->out_fd, buf, sizeof(buf));
		if (n == 0) {
			close(l->out_fd);
			l->out_fd = -1;
			return 1;
		}
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -errno;
		tail_add(l, buf, n);
		room = l->cap > l->logged ? l->cap - l->logged : 0;
		if ((size_t)n > room)
			l->dropped += n - room;
		if (room && l->log_fd >= 0 && write(l->log_fd, buf, scx_min((size_t)n, room)) > 0)
			l->logged += scx_min((size_t)n, room);
	}
	return 0;
}

void scx_log_finish(struct scx_log *l, unsigned int ms)
{
	uint64_t deadline = scx_now_ns() + ms * NSEC_PER_MSEC;

	while (l->out_fd >= 0 && scx_now_ns() < deadline) {
		struct pollfd pfd = { .fd = l->out_fd, .events = POLLIN };

		poll(&pfd, 1, scx_ms_until(deadline));
		if (scx_log_drain(l))
			break;
	}
}

size_t scx_log_tail(const struct scx_log *l, char *buf, size_t len)
{
	size_t have = l->tail_full ? SCX_TAIL_LEN : l->tail_pos;
	size_t n = scx_min(have, len - 1), start, k;

	start = (l->tail_pos + SCX_TAIL_LEN - n) % SCX_TAIL_LEN;
	k = scx_min(n, SCX_TAIL_LEN - start);
	memcpy(buf, l->tail + start, k);
	memcpy(buf + k, l->tail, n - k);
	buf[n] = '\0';
	return n;
}

void scx_log_release(struct scx_log *l, bool keep)
{
	char note[128], tail[SCX_TAIL_LEN + 1];
	size_t len;
	int n;

	if (l->log_fd >= 0 && l->dropped) {
		/* The file keeps the head; the tail ring keeps the end. */
		n = snprintf(note, sizeof(note),
			     "\n[scx_attach: log capped at %zu bytes, %zu bytes dropped; the tail follows]\n",
			     l->logged, l->dropped);
		len = scx_log_tail(l, tail, sizeof(tail));
		/* Best effort: the report has been printed already. */
		if (write(l->log_fd, note, n) == n)
			(void)!write(l->log_fd, tail, len);
	}
	if (l->out_fd >= 0)
		close(l->out_fd);
	if (l->log_fd >= 0)
		close(l->log_fd);
	if (l->dir_fd >= 0) {
		if (!keep)
			unlinkat(l->dir_fd, SCX_LOG_NAME, 0);
		close(l->dir_fd);
	}
	if (l->dir[0] && !keep)
		rmdir(l->dir);
	l->out_fd = l->log_fd = l->dir_fd = -1;
	l->dir[0] = '\0';
}
