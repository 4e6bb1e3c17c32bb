/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bridge core's trace event (fpga:fpga_bridge_enable): each enable or
 * disable of a bridge through its driver's enable_set op.
 *
 * Created by fpga_bridge_events.c in the fpga_bridge module only, called from
 * fpga_bridge/trace.rs; fpga_mgr_events.h says why each core has its own
 * header and how TRACE_INCLUDE_PATH is found.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM fpga
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE fpga_bridge_events

#if !defined(_FPGA_RS_BRIDGE_EVENTS_H) || defined(TRACE_HEADER_MULTI_READ)
#define _FPGA_RS_BRIDGE_EVENTS_H

#include <linux/device.h>
#include <linux/tracepoint.h>

/*
 * fpga_bridge_enable - a bridge was enabled or disabled
 * (fpga_bridge_enable(), fpga_bridge_disable(), the bridge lists, the freeze
 * of a region's claimed bridges).
 * @dev:    the bridge's device (brN)
 * @enable: 1 to let transactions through, 0 to stop them
 * @errno:  0, the driver's negative errno, or -ENODEV once the bridge is
 *          unregistered
 */
TRACE_EVENT(fpga_bridge_enable,
	TP_PROTO(const struct device *dev, bool enable, int errno),
	TP_ARGS(dev, enable, errno),
	TP_STRUCT__entry(
		__string(dev, dev_name(dev))
		__field(bool, enable)
		__field(int, errno)
	),
	TP_fast_assign(
		__assign_str(dev);
		__entry->enable = enable;
		__entry->errno = errno;
	),
	TP_printk("dev=%s enable=%d errno=%d", __get_str(dev), __entry->enable, __entry->errno)
);

#endif /* _FPGA_RS_BRIDGE_EVENTS_H */

#include <trace/define_trace.h>
