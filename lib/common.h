/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: configuration and time helpers shared by lib/.
 *
 * lib/ never asserts and never prints TAP results: helpers return 0 or a
 * negative errno and leave a one-line explanation in a caller's buffer.
 * Only the test files decide PASS/FAIL/SKIP.
 */
#ifndef __SCX_ATTACH_COMMON_H
#define __SCX_ATTACH_COMMON_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define SCX_SYSFS_DEFAULT	"/sys/kernel/sched_ext"
#define SCX_KMSG_DEFAULT	"/dev/kmsg"
#define SCX_ERR_LEN		256

#define NSEC_PER_MSEC		1000000ULL
#define NSEC_PER_SEC		1000000000ULL

/*
 * Every window is configurable (SCX_ATTACH_* environment variables, or
 * run_tests.sh flags that set them): emulated machines need far wider
 * windows than bare metal.
 */
struct scx_cfg {
	unsigned int gate_ms;	/* must stay alive this long after spawn */
	unsigned int attach_ms;	/* budget of the scheduler's own CPU time to attach */
	unsigned int wall_ms;	/* wall-clock guard on the attach wait */
	unsigned int hold_ms;	/* must stay attached this long after the verdict */
	unsigned int grace_ms;	/* SIGTERM -> SIGKILL grace, and bounded reap */
	unsigned int settle_ms;	/* wait for state "disabled" around each test */
	unsigned int poll_ms;	/* fallback cadence when no event arrives */
	size_t log_cap;		/* bytes of scheduler output kept in the log file */
	bool uevent;		/* listen to kobject uevents (the fast path) */
	bool pidfd;		/* false: act as on kernels before pidfd_open() */
	bool load;		/* run the built-in load during the hold window */
	char sysfs[PATH_MAX];	/* sched_ext sysfs root (a fake one in self-tests) */
	char kmsg[PATH_MAX];	/* kernel log: /dev/kmsg or a file of kmsg records */
	char tmpdir[PATH_MAX];	/* parent of the private log directory */
};

/* Defaults, then the environment.  Returns -EINVAL with @err filled. */
int scx_cfg_init(struct scx_cfg *cfg, char *err, size_t errlen);

/*
 * Parse a window: "1500", "1500ms" or "2s".  Zero, negative, garbage and
 * values over a day are rejected with -EINVAL.
 */
int scx_parse_ms(const char *s, unsigned int *ms);

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

#define scx_min(a, b) ((a) < (b) ? (a) : (b))
#define scx_max(a, b) ((a) > (b) ? (a) : (b))

#endif /* __SCX_ATTACH_COMMON_H */
