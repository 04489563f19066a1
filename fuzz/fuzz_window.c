// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the window parser (scx_parse_ms), which every
 * SCX_ATTACH_*_MS variable and run_tests.sh flag goes through.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int ms = 0;
	char *s;
	int ret;

	s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	ret = scx_parse_ms(s, &ms);
	/* Accepted values are positive and at most a day. */
	if (ret == 0 && (ms == 0 || ms > 24U * 3600U * 1000U))
		abort();
	if (ret && ret != -EINVAL)
		abort();
	free(s);
	return 0;
}
