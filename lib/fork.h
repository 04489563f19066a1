/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: what every process the suite forks does first.
 */
#ifndef __SCX_ATTACH_FORK_H
#define __SCX_ATTACH_FORK_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * In a child just forked from @parent: die by @deathsig when @parent does
 * (-ESRCH if it already has), take default signal handlers and an empty
 * mask (the harness's must not leak), and leave no fd from @fd_from on
 * open (marked close-on-exec instead when @cloexec; @fd_from < 0: leave
 * them).  0 or -errno; the caller _exit()s on failure.
 */
int scx_fork_setup(pid_t parent, int deathsig, int fd_from, bool cloexec);

#endif
