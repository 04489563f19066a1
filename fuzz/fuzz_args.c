// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the args-file parser (scx_args_split, scx_args_read).
 *
 * The first input byte picks the buffer size scx_args_read gets, so the
 * "exactly full" and "one byte over" edges are reached; the rest is the
 * file's content, served from a memfd through /proc/self/fd/N, as a user's
 * --args-file would be.  Invariants are checked, not just crashes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/config.h"

#define WS " \t\n\r\v\f"

static char buf[SCX_ARGS_FILE_MAX];
static char *argv[SCX_ARGS_MAX + 1];

static void check_split(char *s, size_t len, int max)
{
	int n, i;

	n = scx_args_split(s, argv, max);
	if (n == -E2BIG)
		return;
	if (n < 0 || n > max)
		abort();
	for (i = 0; i < n; i++) {
		/* Each argument lies in the buffer, is non-empty, has no blank. */
		if (argv[i] < s || argv[i] >= s + len || !*argv[i] ||
		    strpbrk(argv[i], WS))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	char path[64], err[SCX_ERR_LEN];
	size_t len;
	int ret, max;

	if (!size)
		return 0;
	/* 1..256 bytes, or the real size when the first byte is 0. */
	len = data[0] ? data[0] : sizeof(buf);
	max = data[0] % (SCX_ARGS_MAX + 1);
	data++;
	size--;

	/* The splitter alone, on the raw bytes. */
	if (size < sizeof(buf)) {
		memcpy(buf, data, size);
		buf[size] = '\0';
		check_split(buf, size + 1, max);
	}

	if (fd < 0)
		fd = memfd_create("args", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 0) || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	memset(buf, 'X', sizeof(buf));
	err[0] = '\0';
	ret = scx_args_read(path, buf, len, err, sizeof(err));
	switch (ret) {
	case 0:
		/* NUL-terminated inside the buffer, not blank, no inner NUL. */
		if (!memchr(buf, '\0', len) || strlen(buf) != size ||
		    strspn(buf, WS) == size)
			abort();
		check_split(buf, len, SCX_ARGS_MAX);
		break;
	case -ENODATA:
	case -E2BIG:
	case -EINVAL:
		/* A refusal always says why. */
		if (!err[0])
			abort();
		break;
	default:
		abort();
	}
	return 0;
}
