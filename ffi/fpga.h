/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C API that fpga-rs implements, as bindgen sees it: the kernel's own
 * FPGA headers, unchanged. Types the kernel's `kernel::bindings` already has
 * (struct device, mutex, module, ...) are not regenerated: Kbuild passes
 * --no-recursive-allowlist and ffi/bindings.rs imports them.
 */
#include <linux/fpga/fpga-mgr.h>
#include <linux/fpga/fpga-bridge.h>
#include <linux/fpga/fpga-region.h>
#include <linux/idr.h>
#include <linux/of_platform.h>

#include "fpga-rs.h"

/*
 * The cores' trace events (ffi/trace/): the __tracepoint_fpga_* static keys and
 * rust_do_trace_fpga_*() functions that ffi/trace.rs calls; declared only with
 * CONFIG_TRACEPOINTS.
 */
#include "trace/fpga_mgr_events.h"
#include "trace/fpga_bridge_events.h"
#include "trace/fpga_region_events.h"

/*
 * bindgen cannot evaluate BIT(); as in rust/bindings/bindings_helper.h,
 * constants go through typed helpers whose prefix Kbuild strips.
 */
const u32 RUST_CONST_HELPER_FPGA_MGR_PARTIAL_RECONFIG = FPGA_MGR_PARTIAL_RECONFIG;
const u32 RUST_CONST_HELPER_FPGA_MGR_EXTERNAL_CONFIG = FPGA_MGR_EXTERNAL_CONFIG;
const u32 RUST_CONST_HELPER_FPGA_MGR_ENCRYPTED_BITSTREAM = FPGA_MGR_ENCRYPTED_BITSTREAM;
const u32 RUST_CONST_HELPER_FPGA_MGR_BITSTREAM_LSB_FIRST = FPGA_MGR_BITSTREAM_LSB_FIRST;
const u32 RUST_CONST_HELPER_FPGA_MGR_COMPRESSED_BITSTREAM = FPGA_MGR_COMPRESSED_BITSTREAM;
const u64 RUST_CONST_HELPER_FPGA_MGR_STATUS_OPERATION_ERR = FPGA_MGR_STATUS_OPERATION_ERR;
const u64 RUST_CONST_HELPER_FPGA_MGR_STATUS_CRC_ERR = FPGA_MGR_STATUS_CRC_ERR;
const u64 RUST_CONST_HELPER_FPGA_MGR_STATUS_INCOMPATIBLE_IMAGE_ERR = FPGA_MGR_STATUS_INCOMPATIBLE_IMAGE_ERR;
const u64 RUST_CONST_HELPER_FPGA_MGR_STATUS_IP_PROTOCOL_ERR = FPGA_MGR_STATUS_IP_PROTOCOL_ERR;
const u64 RUST_CONST_HELPER_FPGA_MGR_STATUS_FIFO_OVERFLOW_ERR = FPGA_MGR_STATUS_FIFO_OVERFLOW_ERR;

/* The flags DEFINE_IDA() initialises an IDA with, for the core's IDAs. */
const gfp_t RUST_CONST_HELPER_FPGA_IDA_INIT_FLAGS = IDA_INIT_FLAGS;
