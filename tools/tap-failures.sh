#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What a kselftest harness TAP says about each test that failed: its lines
# from "#  RUN" to its "not ok", so that the expectation that broke is
# shown where only the summary would be.
#
#   tools/tap-failures.sh FILE [MAX_LINES]     (default 40)
awk '/^#  RUN /{ n = 0 } { blk[n++] = $0 }
     /^not ok /{ for (i = 0; i < n; i++) print blk[i]; n = 0 }' "$1" | head -n "${2:-40}"
