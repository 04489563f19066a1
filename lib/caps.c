// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: the capabilities this process holds, and keeping them across
 * the execve() of a scheduler.  See caps.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/securebits.h>

#include "caps.h"

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT			47
#define PR_CAP_AMBIENT_IS_SET		1
#define PR_CAP_AMBIENT_RAISE		2
#endif

#define CAP_BIT(cap)	(1ULL << (cap))

/* The capabilities the suite and its parts may need, by name. */
static const struct {
	int cap;
	const char *name;
} cap_names[] = {
	{ CAP_SYS_ADMIN, "CAP_SYS_ADMIN" },
	{ CAP_BPF, "CAP_BPF" },
	{ CAP_PERFMON, "CAP_PERFMON" },
	{ CAP_DAC_OVERRIDE, "CAP_DAC_OVERRIDE" },
	{ CAP_SYSLOG, "CAP_SYSLOG" },
	{ CAP_SYS_NICE, "CAP_SYS_NICE" },
	{ CAP_IPC_LOCK, "CAP_IPC_LOCK" },
	{ CAP_KILL, "CAP_KILL" },
};

static int cap_data(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };

	return syscall(SYS_capget, &hdr, d) ? -errno : 0;
}

static uint64_t join(uint32_t lo, uint32_t hi)
{
	return lo | (uint64_t)hi << 32;
}

/*
 * The initial namespace's uid_map maps all 2^32 - 1 ids onto themselves; a
 * container's maps fewer, or elsewhere.
 */
static bool in_init_userns(void)
{
	unsigned long inside, outside, count;
	char buf[256];

	if (scx_read_small_at(AT_FDCWD, "/proc/self/uid_map", 0, buf, sizeof(buf)) <= 0)
		return true;	/* no /proc: nothing says otherwise */
	return sscanf(buf, "%lu %lu %lu", &inside, &outside, &count) == 3 && !inside &&
	       !outside && count == 4294967295UL;
}

int scx_caps_get(struct scx_caps *c)
{
	struct __user_cap_data_struct d[2];
	int ret, cap;

	memset(c, 0, sizeof(*c));
	c->euid = geteuid();
	c->init_ns = in_init_userns();
	ret = cap_data(d);
	if (ret)
		return ret;
	c->eff = join(d[0].effective, d[1].effective);
	c->prm = join(d[0].permitted, d[1].permitted);
	for (cap = 0; cap < 64; cap++)
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) == 1)
			c->amb |= CAP_BIT(cap);
	return 0;
}

bool scx_caps_has(const struct scx_caps *c, int cap)
{
	return c->init_ns && (c->eff & CAP_BIT(cap));
}

bool scx_caps_can_load(const struct scx_caps *c)
{
	return scx_caps_has(c, CAP_SYS_ADMIN) ||
	       (scx_caps_has(c, CAP_BPF) && scx_caps_has(c, CAP_PERFMON));
}

void scx_caps_names(uint64_t mask, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(cap_names) && off < len; i++)
		if (mask & CAP_BIT(cap_names[i].cap))
			off += snprintf(buf + off, len - off, "%s%s", off ? " " : "",
					cap_names[i].name);
	if (!off)
		snprintf(buf, len, "none of those");
}

int scx_caps_keep_on_exec(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	int ret, bits, cap;
	uint64_t eff;

	bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	if (!geteuid() && bits >= 0 && !(bits & SECBIT_NOROOT))
		return 0;
	ret = cap_data(d);
	if (ret)
		return ret;
	eff = join(d[0].effective, d[1].effective);
	if (!eff)
		return 0;
	/* The ambient set takes only what is permitted and inheritable. */
	d[0].inheritable |= d[0].effective;
	d[1].inheritable |= d[1].effective;
	if (syscall(SYS_capset, &hdr, d))
		return -errno;
	for (cap = 0; cap < 64; cap++)
		if ((eff & CAP_BIT(cap)) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) != 1 &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0))
			return -errno;
	return 0;
}
