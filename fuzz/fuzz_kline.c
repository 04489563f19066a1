// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the kernel log parsers (scx_kline_parse for one
 * record's text, scx_kmsg_reason and scx_kmsg_saw over the collected
 * sched_ext lines).  The first byte picks the reason buffer's size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/kmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct scx_kmsg k;
	char *msg, *reason;
	enum scx_kline kind;
	size_t len;
	bool err = false;

	if (!size)
		return 0;
	len = data[0] + 1;
	data++;
	size--;

	msg = malloc(size + 1);
	reason = malloc(len);
	if (!msg || !reason)
		abort();
	memcpy(msg, data, size);
	msg[size] = '\0';
	memset(reason, 'X', len);
	kind = scx_kline_parse(msg, reason, len, &err);
	if (kind > SCX_KLINE_DISABLED)
		abort();
	if (kind == SCX_KLINE_DISABLED && !memchr(reason, '\0', len))
		abort();
	scx_kline_parse(msg, NULL, 0, NULL);

	/* The same bytes as the collected lines of a run. */
	memset(&k, 0, sizeof(k));
	k.fd = -1;
	k.len = scx_min(size, sizeof(k.lines) - 1);
	memcpy(k.lines, data, k.len);
	k.lines[k.len] = '\0';
	memset(reason, 'X', len);
	if (scx_kmsg_reason(&k, reason, len, &err) && !memchr(reason, '\0', len))
		abort();
	scx_kmsg_saw(&k, SCX_KLINE_DISABLED);
	scx_kmsg_saw(&k, SCX_KLINE_ENABLED);
	free(reason);
	free(msg);
	return 0;
}
