// SPDX-License-Identifier: GPL-2.0
/*
 * Registers the configfs subsystem "device-tree", as dtbocfg and the vendor
 * kernels' OF_CONFIGFS do, and nothing else: for the scenario that checks
 * that fpga_compat_overlays.ko refuses to load beside them, and they beside
 * it (tools/testing/scenarios/compat-overlays.sh). C, as dtbocfg is.
 */
#include <linux/configfs.h>
#include <linux/module.h>

static const struct config_item_type device_tree_type = {
	.ct_owner = THIS_MODULE,
};

static struct configfs_subsystem device_tree = {
	.su_group = {
		.cg_item = {
			.ci_namebuf = "device-tree",
			.ci_type = &device_tree_type,
		},
	},
};

static int __init device_tree_init(void)
{
	int ret;

	config_group_init(&device_tree.su_group);
	mutex_init(&device_tree.su_mutex);
	ret = configfs_register_subsystem(&device_tree);
	if (ret)
		pr_err("fpga_configfs_device_tree: device-tree not registered: %d\n", ret);
	return ret;
}

static void __exit device_tree_exit(void)
{
	configfs_unregister_subsystem(&device_tree);
}

module_init(device_tree_init);
module_exit(device_tree_exit);
MODULE_DESCRIPTION("The configfs subsystem device-tree alone, as dtbocfg registers it");
MODULE_LICENSE("GPL");
