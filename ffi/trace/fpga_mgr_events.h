/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The manager core's trace events (fpga:fpga_mgr_*): a whole fpga_mgr_load()
 * and each state change of a manager.
 *
 * One header per core: a trace header read with CREATE_TRACE_POINTS creates
 * every event it declares, and an event may be created once in the kernel, so
 * each core module creates its own events from its own header
 * (fpga_mgr_events.c, a C object of the fpga_mgr module) and no other. All
 * cores share the system "fpga" (events/fpga/ in tracefs). The Rust side is
 * fpga_mgr/trace.rs; ffi/fpga.h includes this header for bindgen, which
 * generates the __tracepoint_fpga_mgr_* and rust_do_trace_fpga_mgr_*
 * declarations. Documentation/tracing.rst lists the events and their fields.
 *
 * TRACE_INCLUDE_PATH is ".", which define_trace.h's #include finds through
 * the -I of this directory that Kbuild gives the C object: the same in an
 * out-of-tree (M=) and an in-tree (drivers/fpga/rust) build.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM fpga
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE fpga_mgr_events

#if !defined(_FPGA_RS_MGR_EVENTS_H) || defined(TRACE_HEADER_MULTI_READ)
#define _FPGA_RS_MGR_EVENTS_H

#include <linux/device.h>
#include <linux/fpga/fpga-mgr.h>
#include <linux/scatterlist.h>
#include <linux/tracepoint.h>

#ifndef _FPGA_RS_MGR_EVENTS_HELPERS
#define _FPGA_RS_MGR_EVENTS_HELPERS
/*
 * The bytes of an sg image, as fpga_mgr_load() reads them (its nents
 * entries); computed only when the event is enabled.
 */
static inline size_t fpga_mgr_trace_sgt_size(const struct sg_table *sgt)
{
	struct scatterlist *sg;
	size_t size = 0;
	unsigned int i;

	for_each_sg(sgt->sgl, sg, sgt->nents, i)
		size += sg->length;
	return size;
}
#endif

/* The states with their sysfs strings (drivers/fpga/fpga-mgr.c). */
#define FPGA_MGR_TRACE_STATES						\
	EM(FPGA_MGR_STATE_UNKNOWN, "unknown")				\
	EM(FPGA_MGR_STATE_POWER_OFF, "power off")			\
	EM(FPGA_MGR_STATE_POWER_UP, "power up")				\
	EM(FPGA_MGR_STATE_RESET, "reset")				\
	EM(FPGA_MGR_STATE_FIRMWARE_REQ, "firmware request")		\
	EM(FPGA_MGR_STATE_FIRMWARE_REQ_ERR, "firmware request error")	\
	EM(FPGA_MGR_STATE_PARSE_HEADER, "parse header")			\
	EM(FPGA_MGR_STATE_PARSE_HEADER_ERR, "parse header error")	\
	EM(FPGA_MGR_STATE_WRITE_INIT, "write init")			\
	EM(FPGA_MGR_STATE_WRITE_INIT_ERR, "write init error")		\
	EM(FPGA_MGR_STATE_WRITE, "write")				\
	EM(FPGA_MGR_STATE_WRITE_ERR, "write error")			\
	EM(FPGA_MGR_STATE_WRITE_COMPLETE, "write complete")		\
	EM(FPGA_MGR_STATE_WRITE_COMPLETE_ERR, "write complete error")	\
	EMe(FPGA_MGR_STATE_OPERATING, "operating")

/* The enum's values for user-space parsers of the print format. */
#undef EM
#undef EMe
#define EM(a, b) TRACE_DEFINE_ENUM(a);
#define EMe(a, b) TRACE_DEFINE_ENUM(a);
FPGA_MGR_TRACE_STATES

/* The { value, string } table of __print_symbolic(). */
#undef EM
#undef EMe
#define EM(a, b) { a, b },
#define EMe(a, b) { a, b }

/*
 * fpga_mgr_load_begin - fpga_mgr_load() starts.
 * @dev:      the manager's device (fpgaN)
 * @sgt:      the sg table of an sg image, else NULL
 * @size:     the bytes of a buffer image; 0 for a firmware file, which is not
 *            read yet (an sg image's size is summed from @sgt)
 * @flags:    the image info's flags (FPGA_MGR_*)
 * @source:   "sg", "buffer", "firmware" or "none" (no image: -EINVAL)
 * @firmware: the firmware file's name, or NULL
 */
TRACE_EVENT(fpga_mgr_load_begin,
	TP_PROTO(const struct device *dev, const struct sg_table *sgt, size_t size, u32 flags,
		 const char *source, const char *firmware),
	TP_ARGS(dev, sgt, size, flags, source, firmware),
	TP_STRUCT__entry(
		__string(dev, dev_name(dev))
		__field(size_t, size)
		__field(u32, flags)
		__string(source, source)
		__string(firmware, firmware ?: "")
	),
	TP_fast_assign(
		__assign_str(dev);
		__entry->size = sgt ? fpga_mgr_trace_sgt_size(sgt) : size;
		__entry->flags = flags;
		__assign_str(source);
		__assign_str(firmware);
	),
	TP_printk("dev=%s size=%zu flags=0x%x source=%s firmware=%s", __get_str(dev),
		  __entry->size, __entry->flags, __get_str(source), __get_str(firmware))
);

/*
 * fpga_mgr_load_end - fpga_mgr_load() returns.
 * @dev:   the manager's device
 * @errno: 0, or the negative errno the load returns
 */
TRACE_EVENT(fpga_mgr_load_end,
	TP_PROTO(const struct device *dev, int errno),
	TP_ARGS(dev, errno),
	TP_STRUCT__entry(
		__string(dev, dev_name(dev))
		__field(int, errno)
	),
	TP_fast_assign(
		__assign_str(dev);
		__entry->errno = errno;
	),
	TP_printk("dev=%s errno=%d", __get_str(dev), __entry->errno)
);

/*
 * fpga_mgr_state - the manager's state (sysfs "state") changes.
 * @dev:       the manager's device
 * @old_state: the state before
 * @new_state: the state after, never @old_state
 */
TRACE_EVENT(fpga_mgr_state,
	TP_PROTO(const struct device *dev, enum fpga_mgr_states old_state,
		 enum fpga_mgr_states new_state),
	TP_ARGS(dev, old_state, new_state),
	TP_STRUCT__entry(
		__string(dev, dev_name(dev))
		__field(unsigned int, old_state)
		__field(unsigned int, new_state)
	),
	TP_fast_assign(
		__assign_str(dev);
		__entry->old_state = old_state;
		__entry->new_state = new_state;
	),
	TP_printk("dev=%s old=%s new=%s", __get_str(dev),
		  __print_symbolic(__entry->old_state, FPGA_MGR_TRACE_STATES),
		  __print_symbolic(__entry->new_state, FPGA_MGR_TRACE_STATES))
);

#endif /* _FPGA_RS_MGR_EVENTS_H */

#include <trace/define_trace.h>
