/* SPDX-License-Identifier: GPL-2.0 */
/*
 * scx_attach: the hold window, watch.c's last phase.
 */
#ifndef __SCX_ATTACH_HOLD_H
#define __SCX_ATTACH_HOLD_H

#include "watcher.h"

/*
 * The scheduler attached: it must stay so for the hold window, under the
 * load, the stress load and CPU hotplug the config asks for.  Fills the
 * verdict in w->r.  -errno if the test bed failed (r->detail says how).
 */
int scx_w_hold(struct watcher *w);

#endif /* __SCX_ATTACH_HOLD_H */
