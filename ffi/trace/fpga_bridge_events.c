// SPDX-License-Identifier: GPL-2.0
/*
 * Creates the bridge core's trace event (fpga_bridge_events.h) in the
 * fpga_bridge module, with the rust_do_trace_*() function that
 * fpga_bridge/trace.rs calls.
 */
#define CREATE_TRACE_POINTS
#define CREATE_RUST_TRACE_POINTS
#include "fpga_bridge_events.h"
