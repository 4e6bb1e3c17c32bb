# SPDX-License-Identifier: GPL-2.0
#
# fpga_mgr.ko and a module that uses it by symbol: the class appears and goes
# with the core, the user pins the core (refcnt), and the core cannot be
# removed while its user is loaded (delete_module answers EWOULDBLOCK).

R=/fpga-rs
check insmod_core insmod $R/modules/fpga_mgr.ko
check class_registered test -d /sys/class/fpga_manager
check_eq core_idle_refcnt 0 "$(refcnt fpga_mgr)"

check insmod_c_client insmod $R/kunit/fpga_mgr_c_client.ko
check_eq core_pinned_by_user 1 "$(refcnt fpga_mgr)"
check_eq lsmod_shows_dependency fpga_mgr_c_client \
	"$(awk '$1 == "fpga_mgr" { print $4 }' /proc/modules | tr -d ,)"
check_fails_with rmmod_core_with_user_is_refused \
	"Resource temporarily unavailable" rmmod fpga_mgr
check core_still_loaded loaded fpga_mgr
check class_still_registered test -d /sys/class/fpga_manager

check rmmod_user rmmod fpga_mgr_c_client
check_eq core_idle_again 0 "$(refcnt fpga_mgr)"
check rmmod_core rmmod fpga_mgr
check_eq core_gone gone "$(refcnt fpga_mgr)"
check class_unregistered test ! -e /sys/class/fpga_manager
