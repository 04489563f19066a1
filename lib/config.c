// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: windows, paths and arguments, from the environment and from
 * files.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

#define MS_PER_DAY	(24U * 3600U * 1000U)
#define SPACES		" \t\n\r\v\f"

int scx_parse_ms(const char *s, unsigned int *ms)
{
	unsigned long long v, mult = 1;
	char *end;

	if (!s)
		return -EINVAL;
	while (isspace((unsigned char)*s))
		s++;
	/* strtoull() would quietly accept "-5" as a huge number. */
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -EINVAL;
	if (!strcmp(end, "s"))
		mult = 1000;
	else if (*end && strcmp(end, "ms"))
		return -EINVAL;
	if (v == 0 || v > MS_PER_DAY / mult)
		return -EINVAL;
	*ms = (unsigned int)(v * mult);
	return 0;
}

static int env_ms(const char *name, unsigned int *ms, char *err, size_t errlen)
{
	const char *s = getenv(name);

	if (!s || !*s)
		return 0;
	if (scx_parse_ms(s, ms)) {
		snprintf(err, errlen,
			 "%s=\"%.40s\" is not a window: use a positive number of ms, e.g. 1500 or 2s",
			 name, s);
		return -EINVAL;
	}
	return 0;
}

int scx_parse_count(const char *s, unsigned int max, unsigned int *n)
{
	unsigned long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !v || v > max)
		return -EINVAL;
	*n = v;
	return 0;
}

static int env_count(const char *name, unsigned int max, unsigned int *n, char *err,
		     size_t errlen)
{
	const char *s = getenv(name);

	if (!s || !*s)
		return 0;
	if (scx_parse_count(s, max, n)) {
		snprintf(err, errlen, "%s=\"%.40s\": use a whole number from 1 to %u", name, s,
			 max);
		return -EINVAL;
	}
	return 0;
}

static int env_kb(const char *name, unsigned int *kb, char *err, size_t errlen)
{
	const char *s = getenv(name);
	unsigned long v;
	char *end;

	if (!s || !*s)
		return 0;
	errno = 0;
	v = isdigit((unsigned char)*s) ? strtoul(s, &end, 10) : 0;
	if (errno || !v || *end || v > 1024 * 1024) {
		snprintf(err, errlen, "%s=\"%.40s\": use KiB, 1 to 1048576", name, s);
		return -EINVAL;
	}
	*kb = v;
	return 0;
}

static int env_bool(const char *name, bool *v, char *err, size_t errlen)
{
	const char *s = getenv(name);

	if (!s || !*s)
		return 0;
	if (!strcmp(s, "1") || !strcmp(s, "y") || !strcmp(s, "yes")) {
		*v = true;
	} else if (!strcmp(s, "0") || !strcmp(s, "n") || !strcmp(s, "no")) {
		*v = false;
	} else {
		snprintf(err, errlen, "%s=\"%.40s\": use 1 or 0", name, s);
		return -EINVAL;
	}
	return 0;
}

static int env_path(const char *name, char *dst, const char *def, char *err, size_t errlen)
{
	const char *s = getenv(name);

	if (!s || !*s)
		s = def;
	if (strlen(s) >= PATH_MAX) {
		snprintf(err, errlen, "%s is longer than PATH_MAX", name);
		return -EINVAL;
	}
	strcpy(dst, s);
	return 0;
}

static void cfg_defaults(struct scx_cfg *cfg)
{
	cfg->gate_ms = 1000;
	cfg->attach_ms = 10000;
	cfg->hold_ms = 2000;
	cfg->grace_ms = 2000;
	cfg->settle_ms = 10000;
	cfg->poll_ms = 500;
	cfg->repeat = 1;
	cfg->splat_scx_errors = true;
	cfg->uevent = true;
	cfg->pidfd = true;
	strcpy(cfg->cpus, SCX_CPUS_DEFAULT);
	/*
	 * Under emulation (qemu TCG) a BPF scheduler's load took 2.5 s to
	 * 15 s, and everything else is slow alike: the one place that says
	 * how much wider the windows are there.
	 */
	if (cfg->emulated) {
		cfg->attach_ms = 60000;
		cfg->settle_ms = 30000;
		cfg->grace_ms = 5000;
		cfg->load = true;
	}
}

int scx_cfg_init(struct scx_cfg *cfg, char *err, size_t errlen)
{
	unsigned int cap_kb = 1024, stress_s = 0;
	const char *wall;
	bool wall_set;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	ret = env_bool("SCX_ATTACH_EMULATED", &cfg->emulated, err, errlen);
	if (ret)
		return ret;
	cfg_defaults(cfg);

	wall = getenv("SCX_ATTACH_WALL_MS");
	wall_set = wall && *wall;
	ret = ret ?: env_ms("SCX_ATTACH_GATE_MS", &cfg->gate_ms, err, errlen);
	ret = ret ?: env_ms("SCX_ATTACH_TIMEOUT_MS", &cfg->attach_ms, err, errlen);
	ret = ret ?: env_ms("SCX_ATTACH_WALL_MS", &cfg->wall_ms, err, errlen);
	ret = ret ?: env_ms("SCX_ATTACH_HOLD_MS", &cfg->hold_ms, err, errlen);
	ret = ret ?: env_ms("SCX_ATTACH_GRACE_MS", &cfg->grace_ms, err, errlen);
	ret = ret ?: env_ms("SCX_ATTACH_SETTLE_MS", &cfg->settle_ms, err, errlen);
	ret = ret ?: env_ms("SCX_ATTACH_POLL_MS", &cfg->poll_ms, err, errlen);
	ret = ret ?: env_count("SCX_ATTACH_STRESS_S", SCX_STRESS_MAX_S, &stress_s, err, errlen);
	ret = ret ?: env_count("SCX_ATTACH_REPEAT", SCX_REPEAT_MAX, &cfg->repeat, err, errlen);
	ret = ret ?: env_bool("SCX_ATTACH_HOTPLUG", &cfg->hotplug, err, errlen);
	ret = ret ?: env_count("SCX_ATTACH_TEST_TIMEOUT_S", SCX_TEST_TIMEOUT_MAX_S,
			       &cfg->test_timeout_s, err, errlen);
	ret = ret ?: env_kb("SCX_ATTACH_LOG_CAP_KB", &cap_kb, err, errlen);
	ret = ret ?: env_bool("SCX_ATTACH_UEVENT", &cfg->uevent, err, errlen);
	ret = ret ?: env_bool("SCX_ATTACH_LOAD", &cfg->load, err, errlen);
	ret = ret ?: env_bool("SCX_ATTACH_PIDFD", &cfg->pidfd, err, errlen);
	ret = ret ?: env_path("SCX_ATTACH_SYSFS", cfg->sysfs, SCX_SYSFS_DEFAULT, err, errlen);
	ret = ret ?: env_path("SCX_ATTACH_KMSG", cfg->kmsg, SCX_KMSG_DEFAULT, err, errlen);
	ret = ret ?: env_path("TMPDIR", cfg->tmpdir, "/tmp", err, errlen);
	if (ret)
		return ret;

	/*
	 * The wall guard only catches schedulers that hang without burning
	 * CPU; by default it is generous so a slow machine is not judged.
	 */
	if (!wall_set)
		cfg->wall_ms = cfg->attach_ms > MS_PER_DAY / 3 ? MS_PER_DAY : cfg->attach_ms * 3;
	if (cfg->wall_ms < cfg->gate_ms) {
		snprintf(err, errlen, "SCX_ATTACH_WALL_MS (%u) is shorter than the gate (%u ms)",
			 cfg->wall_ms, cfg->gate_ms);
		return -EINVAL;
	}
	cfg->log_cap = (size_t)cap_kb * 1024;
	cfg->stress_ms = stress_s * 1000;
	return 0;
}

void scx_cfg_apply(struct scx_cfg *cfg, const struct scx_cfg_want *w)
{
	if (w->gate_ms)
		cfg->gate_ms = w->gate_ms;
	if (w->attach_ms) {
		cfg->attach_ms = w->attach_ms;
		cfg->wall_ms = scx_max(cfg->wall_ms, 3 * w->attach_ms);
	}
	if (w->wall_ms)
		cfg->wall_ms = w->wall_ms;
	cfg->hold_ms = scx_max(cfg->hold_ms, w->hold_ms);
	/* A test judged by the load's threads keeps them: the run's stress would replace them. */
	if (w->stress_ms || w->keep_load)
		cfg->stress_ms = w->stress_ms;
	if (w->repeat)
		cfg->repeat = w->repeat;
	if (w->hotplug >= 0)
		cfg->hotplug = w->hotplug;
	cfg->load |= w->load;
	cfg->wall_ms = scx_max(cfg->wall_ms, cfg->gate_ms);
}

static unsigned int clamp_ms(unsigned long long ms)
{
	return ms > UINT_MAX ? UINT_MAX : (unsigned int)ms;
}

unsigned int scx_cfg_cycle_ms(const struct scx_cfg *cfg)
{
	unsigned long long ms;

	/* Busy wait, attach, the ending's reason, hold, stop, last words, settle. */
	ms = (unsigned long long)cfg->settle_ms + cfg->wall_ms +
	     scx_max(cfg->grace_ms, SCX_REASON_WAIT_MS) + scx_max(cfg->hold_ms, cfg->stress_ms) +
	     cfg->grace_ms + scx_max(cfg->grace_ms, SCX_KILL_WAIT_MS) +
	     scx_max(cfg->grace_ms, SCX_LAST_WORDS_MS) + cfg->settle_ms;
	/* CPU hotplug: up to two restarts, each within the attach window. */
	if (cfg->hotplug)
		ms += 2ULL * cfg->wall_ms;
	return clamp_ms(ms);
}

unsigned int scx_cfg_worst_ms(const struct scx_cfg *cfg)
{
	/* And one run again, after a watchdog ejection the vCPU stalls explain. */
	return clamp_ms((unsigned long long)scx_cfg_cycle_ms(cfg) * (cfg->repeat + 1ULL));
}

unsigned int scx_cfg_least_ms(const struct scx_cfg *cfg)
{
	/* The verdict comes at max(gate, attach); the hold (or stress) follows. */
	return clamp_ms(((unsigned long long)cfg->gate_ms + scx_max(cfg->hold_ms, cfg->stress_ms)) *
			cfg->repeat);
}

unsigned int scx_test_bound_s(unsigned long long worst_ms)
{
	unsigned long long ms = worst_ms + worst_ms / 10 + SCX_TEST_MARGIN_MS;

	return ms / 1000 >= INT_MAX ? INT_MAX : (unsigned int)((ms + 999) / 1000);
}

void scx_budget_add(struct scx_budget *b, unsigned long long worst_ms,
		    unsigned long long least_ms)
{
	b->tests++;
	b->worst_ms += worst_ms;
	b->least_ms += least_ms;
	b->bound_s = scx_max(b->bound_s, scx_test_bound_s(worst_ms));
}

/* Seconds, rounded up. */
static unsigned long long secs(unsigned long long ms)
{
	return (ms + 999) / 1000;
}

int scx_budget_check(const struct scx_budget *b, unsigned int runner_s, char *msg, size_t len)
{
	unsigned long long least = secs(b->least_ms);

	msg[0] = '\0';
	if (!runner_s || least * 2 < runner_s)
		return 0;
	if (least < runner_s) {
		snprintf(msg, len,
			 "time: may not fit: the %u selected tests hold for at least %llu s of the runner's %u s timeout, and each attach and stop comes on top",
			 b->tests, least, runner_s);
		return -ETIME;
	}
	snprintf(msg, len,
		 "time: cannot fit: the %u selected tests hold for at least %llu s, over the runner's %u s timeout, which will stop the run as TIMEOUT (at worst they take %llu s)",
		 b->tests, least, runner_s, secs(b->worst_ms));
	return -ETIME;
}

int scx_args_split(char *buf, char **argv, int max)
{
	char *save = NULL, *tok;
	int n = 0;

	for (tok = strtok_r(buf, SPACES, &save); tok; tok = strtok_r(NULL, SPACES, &save)) {
		if (n == max)
			return -E2BIG;
		argv[n++] = tok;
	}
	return n;
}

int scx_args_subst(char *dst, size_t len, const char *args, const char *mark, const char *value)
{
	size_t off = 0, mlen = strlen(mark), vlen = strlen(value);
	const char *p;

	for (p = args; *p; ) {
		if (mlen && !strncmp(p, mark, mlen)) {
			if (off + vlen >= len)
				return -E2BIG;
			memcpy(dst + off, value, vlen);
			off += vlen;
			p += mlen;
			continue;
		}
		if (off + 1 >= len)
			return -E2BIG;
		dst[off++] = *p++;
	}
	dst[off] = '\0';
	return 0;
}

int scx_args_read(const char *path, char *buf, size_t len, char *err, size_t errlen)
{
	size_t off = 0;
	struct stat st;
	ssize_t n;
	int fd;

	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0) {
		n = -errno;
		snprintf(err, errlen, "args file %s: cannot open: %s", path, strerror(-n));
		return n;
	}
	/* A FIFO or device here would block or never end. */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "args file %s is not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	while ((n = read(fd, buf + off, len - 1 - off)) > 0) {
		off += n;
		if (off == len - 1)
			break;
	}
	if (n < 0) {
		snprintf(err, errlen, "args file %s: cannot read: %s", path, strerror(errno));
		close(fd);
		return -EIO;
	}
	if (off == len - 1 && read(fd, &(char){0}, 1) > 0) {
		snprintf(err, errlen, "args file %s is longer than %zu bytes: not an args file?",
			 path, len - 1);
		close(fd);
		return -E2BIG;
	}
	close(fd);
	buf[off] = '\0';
	if (strspn(buf, SPACES) == off) {
		snprintf(err, errlen,
			 "args file %s is blank: remove it for no arguments, or fill it in", path);
		return -ENODATA;
	}
	if (memchr(buf, '\0', off)) {
		snprintf(err, errlen, "args file %s holds NUL bytes: not a text file", path);
		return -EINVAL;
	}
	return 0;
}
