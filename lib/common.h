/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: time, size and small-file helpers shared by lib/.
 *
 * lib/ never asserts and never prints TAP results: helpers return 0 or a
 * negative errno and leave a one-line explanation in a caller's buffer.
 * Only the test files decide PASS/FAIL/SKIP.
 */
#ifndef __SCX_ATTACH_COMMON_H
#define __SCX_ATTACH_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SCX_ERR_LEN		256
#define SCX_OPS_LEN		128	/* a sched_ext ops name, NUL included */
#define SCX_PROC_MAX		64	/* processes one sweep or scan handles */

#define NSEC_PER_MSEC		1000000ULL
#define NSEC_PER_SEC		1000000000ULL

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif

static inline uint64_t scx_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/* poll() timeout in ms until @deadline, rounded up, never negative. */
static inline int scx_ms_until(uint64_t deadline)
{
	uint64_t now = scx_now_ns();

	if (deadline <= now)
		return 0;
	return (int)((deadline - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
}

/* A relative timespec for ppoll(): until @deadline, at most @cap_ns. */
static inline struct timespec scx_ts_until(uint64_t deadline, uint64_t cap_ns)
{
	uint64_t now = scx_now_ns(), wait = deadline > now ? deadline - now : 0;

	if (wait > cap_ns)
		wait = cap_ns;
	return (struct timespec){ .tv_sec = wait / NSEC_PER_SEC, .tv_nsec = wait % NSEC_PER_SEC };
}

/* Read a small file below @dfd (AT_FDCWD: a path), NUL-terminated: length or -errno. */
static inline ssize_t scx_read_small_at(int dfd, const char *name, int flags, char *buf,
					size_t len)
{
	ssize_t n;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | flags);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

#define scx_min(a, b) ((a) < (b) ? (a) : (b))
/* @s past its prefix @pfx, or NULL when it does not start with it. */
static inline const char *scx_after(const char *s, const char *pfx)
{
	size_t n = strlen(pfx);

	return strncmp(s, pfx, n) ? NULL : s + n;
}

#define scx_max(a, b) ((a) > (b) ? (a) : (b))

#endif /* __SCX_ATTACH_COMMON_H */
