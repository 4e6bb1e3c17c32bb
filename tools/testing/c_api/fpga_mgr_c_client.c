// SPDX-License-Identifier: GPL-2.0
/*
 * A C client of the FPGA manager API, compiled against the kernel's own
 * <linux/fpga/fpga-mgr.h> and nothing from fpga-rs: it proves that C code
 * written for the upstream core links to and works on the Rust fpga_mgr.ko.
 * It is a KUnit suite, and the scenario tests use it as a module that
 * depends on fpga_mgr by symbol.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/fpga/fpga-mgr.h>
#include <linux/module.h>

static void c_image_info_alloc_holds_device_until_free(struct kunit *test)
{
	struct device *dev = kunit_device_register(test, "fpga-c-client");
	struct fpga_image_info *info;
	unsigned int refs;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	refs = kref_read(&dev->kobj.kref);

	info = fpga_image_info_alloc(dev);
	KUNIT_ASSERT_NOT_NULL(test, info);
	KUNIT_EXPECT_PTR_EQ(test, info->dev, dev);
	KUNIT_EXPECT_EQ(test, info->flags, 0);
	KUNIT_EXPECT_NULL(test, info->buf);
	KUNIT_EXPECT_EQ(test, kref_read(&dev->kobj.kref), refs + 1);

	info->firmware_name = devm_kstrdup(dev, "fpga-rs/image.rbf", GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, info->firmware_name);
	fpga_image_info_free(info);
	KUNIT_EXPECT_EQ(test, kref_read(&dev->kobj.kref), refs);
}

static void c_image_info_free_accepts_null(struct kunit *test)
{
	fpga_image_info_free(NULL);
}

static struct kunit_case fpga_mgr_c_api_cases[] = {
	KUNIT_CASE(c_image_info_alloc_holds_device_until_free),
	KUNIT_CASE(c_image_info_free_accepts_null),
	{}
};

static struct kunit_suite fpga_mgr_c_api_suite = {
	.name = "fpga_mgr_c_api",
	.test_cases = fpga_mgr_c_api_cases,
};

kunit_test_suite(fpga_mgr_c_api_suite);

MODULE_DESCRIPTION("C client of the FPGA manager API, for fpga-rs");
MODULE_LICENSE("GPL");
