// SPDX-License-Identifier: GPL-2.0
/*
 * scx_attach: what sched_ext's sysfs files say.
 *
 * sched_ext (7.x) shows: state (disabled/enabling/enabled/disabling),
 * enable_seq (bumped once per successful enable), and root/ops while a
 * scheduler is loaded.  root/ops appears while still "enabling", so it
 * alone never means attached.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sysfs.h"

int scx_sysfs_open(struct scx_sysfs *s, const char *path)
{
	s->dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dfd < 0)
		return -errno;
	snprintf(s->path, sizeof(s->path), "%s", path);
	return 0;
}

void scx_sysfs_close(struct scx_sysfs *s)
{
	if (s->dfd >= 0)
		close(s->dfd);
	s->dfd = -1;
}

int scx_sysfs_attr(int dfd, const char *name, char *buf, size_t len)
{
	ssize_t n = scx_read_small_at(dfd, name, O_NOFOLLOW, buf, len);

	if (n < 0) {
		buf[0] = '\0';
		return n;
	}
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}

static const char *const state_names[] = {
	[SCX_STATE_UNKNOWN] = "unknown",
	[SCX_STATE_DISABLED] = "disabled",
	[SCX_STATE_ENABLING] = "enabling",
	[SCX_STATE_ENABLED] = "enabled",
	[SCX_STATE_DISABLING] = "disabling",
};

const char *scx_state_name(enum scx_state st)
{
	return st <= SCX_STATE_DISABLING ? state_names[st] : "unknown";
}

int scx_sysfs_read(const struct scx_sysfs *s, struct scx_snap *snap)
{
	char buf[64], *end;
	struct stat st;
	int i, ret;

	memset(snap, 0, sizeof(*snap));
	snap->enable_seq = -1;

	ret = scx_sysfs_attr(s->dfd, "state", buf, sizeof(buf));
	if (ret)
		return ret;
	for (i = SCX_STATE_DISABLED; i <= SCX_STATE_DISABLING; i++)
		if (!strcmp(buf, state_names[i]))
			snap->state = i;

	if (!scx_sysfs_attr(s->dfd, "enable_seq", buf, sizeof(buf))) {
		errno = 0;
		snap->enable_seq = strtoll(buf, &end, 10);
		if (errno || *end || end == buf)
			snap->enable_seq = -1;
	}

	snap->root = !fstatat(s->dfd, "root", &st, AT_SYMLINK_NOFOLLOW) && S_ISDIR(st.st_mode);
	if (snap->root)
		scx_sysfs_attr(s->dfd, "root/ops", snap->ops, sizeof(snap->ops));
	return 0;
}

bool scx_ops_match(const char *ops, const char *expect_ops)
{
	return !expect_ops || !*expect_ops || !strncmp(ops, expect_ops, strlen(expect_ops));
}

bool scx_snap_seq_advanced(const struct scx_snap *now, const struct scx_snap *before)
{
	return now->enable_seq >= 0 && before->enable_seq >= 0 &&
	       now->enable_seq > before->enable_seq;
}

bool scx_snap_attached(const struct scx_snap *now, const struct scx_snap *before,
		       const char *expect_ops)
{
	if (now->state != SCX_STATE_ENABLED || !now->root || !now->ops[0])
		return false;
	/* Kernels without enable_seq: the state and ops must do. */
	if (now->enable_seq >= 0 && before->enable_seq >= 0 &&
	    now->enable_seq <= before->enable_seq)
		return false;
	return scx_ops_match(now->ops, expect_ops);
}
