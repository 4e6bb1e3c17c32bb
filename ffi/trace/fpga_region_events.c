// SPDX-License-Identifier: GPL-2.0
/*
 * Creates the region core's trace events (fpga_region_events.h) in the
 * fpga_region module, with the rust_do_trace_*() functions that
 * fpga_region/trace.rs calls.
 */
#define CREATE_TRACE_POINTS
#define CREATE_RUST_TRACE_POINTS
#include "fpga_region_events.h"
