// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the kobject uevent parser (scx_uevent_parse,
 * scx_uevent_is_root).  The message is NUL-terminated at its length, as
 * the watcher's receive buffer is; every field must point into it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/uevent.h"

#define MSG_MAX	8192	/* the watcher's receive size */

static bool inside(const char *p, const char *buf, size_t len)
{
	return p >= buf && p <= buf + len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scx_uevent ev;
	char *buf;
	int ret;

	if (size > MSG_MAX)
		return 0;
	/* Exactly size + 1 bytes, so ASan sees any read past the end. */
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	ret = scx_uevent_parse(buf, size, &ev);
	if (ret == 0) {
		if (!ev.action || !ev.devpath || !inside(ev.action, buf, size) ||
		    !inside(ev.devpath, buf, size) || ev.devpath[0] != '/' || !ev.action[0])
			abort();
		if (ev.scxops && !inside(ev.scxops, buf, size))
			abort();
		if (scx_uevent_is_root(&ev) != !strcmp(ev.devpath, "/kernel/sched_ext/root"))
			abort();
	} else if (ret != -EINVAL) {
		abort();
	}
	free(buf);
	return 0;
}
