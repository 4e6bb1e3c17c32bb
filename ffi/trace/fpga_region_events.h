/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The region core's trace events (fpga:fpga_region_program_*): a whole
 * fpga_region_program_fpga().
 *
 * Created by fpga_region_events.c in the fpga_region module only, called from
 * fpga_region/trace.rs; fpga_mgr_events.h says why each core has its own
 * header and how TRACE_INCLUDE_PATH is found.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM fpga
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE fpga_region_events

#if !defined(_FPGA_RS_REGION_EVENTS_H) || defined(TRACE_HEADER_MULTI_READ)
#define _FPGA_RS_REGION_EVENTS_H

#include <linux/device.h>
#include <linux/tracepoint.h>

/*
 * fpga_region_program_begin - the region starts programming its image info
 * (which it checked: present, with a manager and flags the core knows).
 * @dev:   the region's device (regionN)
 * @image: the firmware file's name, or "sg" or "buffer"
 */
TRACE_EVENT(fpga_region_program_begin,
	TP_PROTO(const struct device *dev, const char *image),
	TP_ARGS(dev, image),
	TP_STRUCT__entry(
		__string(dev, dev_name(dev))
		__string(image, image)
	),
	TP_fast_assign(
		__assign_str(dev);
		__assign_str(image);
	),
	TP_printk("dev=%s image=%s", __get_str(dev), __get_str(image))
);

/*
 * fpga_region_program_end - the programming that fpga_region_program_begin
 * began returns.
 * @dev:   the region's device
 * @image: as in fpga_region_program_begin
 * @errno: 0, or the negative errno fpga_region_program_fpga() returns
 */
TRACE_EVENT(fpga_region_program_end,
	TP_PROTO(const struct device *dev, const char *image, int errno),
	TP_ARGS(dev, image, errno),
	TP_STRUCT__entry(
		__string(dev, dev_name(dev))
		__string(image, image)
		__field(int, errno)
	),
	TP_fast_assign(
		__assign_str(dev);
		__assign_str(image);
		__entry->errno = errno;
	),
	TP_printk("dev=%s image=%s errno=%d", __get_str(dev), __get_str(image), __entry->errno)
);

#endif /* _FPGA_RS_REGION_EVENTS_H */

#include <trace/define_trace.h>
