// SPDX-License-Identifier: GPL-2.0
/*
 * Creates the manager core's trace events (fpga_mgr_events.h) in the fpga_mgr
 * module, with the rust_do_trace_*() functions that fpga_mgr/trace.rs calls.
 */
#define CREATE_TRACE_POINTS
#define CREATE_RUST_TRACE_POINTS
#include "fpga_mgr_events.h"
