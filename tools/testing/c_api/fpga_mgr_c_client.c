// SPDX-License-Identifier: GPL-2.0
/*
 * A C client of the FPGA manager API, compiled against the kernel's own
 * <linux/fpga/fpga-mgr.h> and nothing from fpga-rs: it proves that C code
 * written for the upstream core links to and works on the Rust fpga_mgr.ko.
 * It is both a C low-level driver (the ops below) and a C user (get, lock,
 * load from a buffer and from an sg table). It is a KUnit suite, and the
 * scenario tests use it as a module that depends on fpga_mgr by symbol.
 */
#include <kunit/device.h>
#include <kunit/test.h>
#include <linux/device.h>
#include <linux/fpga/fpga-mgr.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/vmalloc.h>

#define HEADER_SIZE	1024
#define IMAGE_SIZE	(HEADER_SIZE + 3 * PAGE_SIZE)

struct c_driver {
	size_t header_seen;
	size_t written;
	unsigned int writes;
	bool data_ok;
	int order[4];
	int calls;
};

static int c_parse_header(struct fpga_manager *mgr, struct fpga_image_info *info,
			  const char *buf, size_t count)
{
	struct c_driver *drv = mgr->priv;

	drv->order[drv->calls++ % 4] = mgr->state;
	info->header_size = HEADER_SIZE;
	info->data_size = 0;
	drv->header_seen = memchr_inv(buf, 'H', HEADER_SIZE) ? 0 : HEADER_SIZE;
	return 0;
}

static int c_write_init(struct fpga_manager *mgr, struct fpga_image_info *info,
			const char *buf, size_t count)
{
	struct c_driver *drv = mgr->priv;

	drv->order[drv->calls++ % 4] = mgr->state;
	return 0;
}

static int c_write(struct fpga_manager *mgr, const char *buf, size_t count)
{
	struct c_driver *drv = mgr->priv;

	if (!drv->writes++)
		drv->order[drv->calls++ % 4] = mgr->state;
	if (memchr_inv(buf, 'P', count))
		drv->data_ok = false;
	drv->written += count;
	return 0;
}

static int c_write_complete(struct fpga_manager *mgr, struct fpga_image_info *info)
{
	struct c_driver *drv = mgr->priv;

	drv->order[drv->calls++ % 4] = mgr->state;
	return 0;
}

static const struct fpga_manager_ops c_ops = {
	.initial_header_size = HEADER_SIZE,
	.skip_header = true,
	.parse_header = c_parse_header,
	.write_init = c_write_init,
	.write = c_write,
	.write_complete = c_write_complete,
};

struct c_ctx {
	struct device *dev;
	struct fpga_manager *mgr;
	struct c_driver drv;
	char *image;
};

static int c_init(struct kunit *test)
{
	struct c_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	ctx->dev = kunit_device_register(test, "fpga-c-client");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->dev);
	ctx->mgr = devm_fpga_mgr_register(ctx->dev, "fpga-rs C client", &c_ops, &ctx->drv);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->mgr);
	ctx->drv.data_ok = true;
	ctx->image = vmalloc(IMAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, ctx->image);
	memset(ctx->image, 'H', HEADER_SIZE);
	memset(ctx->image + HEADER_SIZE, 'P', IMAGE_SIZE - HEADER_SIZE);
	test->priv = ctx;
	return 0;
}

static void c_exit(struct kunit *test)
{
	struct c_ctx *ctx = test->priv;

	vfree(ctx->image);
}

/* Gets the manager by its parent, locks it, loads @info, unlocks and puts. */
static int c_get_lock_load(struct kunit *test, struct fpga_image_info *info)
{
	struct c_ctx *ctx = test->priv;
	struct fpga_manager *mgr;
	int ret;

	mgr = fpga_mgr_get(ctx->dev);
	KUNIT_ASSERT_PTR_EQ(test, mgr, ctx->mgr);
	KUNIT_ASSERT_EQ(test, fpga_mgr_lock(mgr), 0);
	ret = fpga_mgr_load(mgr, info);
	fpga_mgr_unlock(mgr);
	fpga_mgr_put(mgr);
	return ret;
}

static void c_check_programmed(struct kunit *test)
{
	struct c_ctx *ctx = test->priv;

	KUNIT_EXPECT_EQ(test, ctx->mgr->state, FPGA_MGR_STATE_OPERATING);
	KUNIT_EXPECT_EQ(test, ctx->drv.header_seen, HEADER_SIZE);
	KUNIT_EXPECT_EQ(test, ctx->drv.written, IMAGE_SIZE - HEADER_SIZE);
	KUNIT_EXPECT_TRUE(test, ctx->drv.data_ok);
	KUNIT_EXPECT_EQ(test, ctx->drv.order[0], FPGA_MGR_STATE_PARSE_HEADER);
	KUNIT_EXPECT_EQ(test, ctx->drv.order[1], FPGA_MGR_STATE_WRITE_INIT);
	KUNIT_EXPECT_EQ(test, ctx->drv.order[2], FPGA_MGR_STATE_WRITE);
	KUNIT_EXPECT_EQ(test, ctx->drv.order[3], FPGA_MGR_STATE_WRITE_COMPLETE);
}

static void c_load_buffer(struct kunit *test)
{
	struct c_ctx *ctx = test->priv;
	struct fpga_image_info *info = fpga_image_info_alloc(ctx->dev);

	KUNIT_ASSERT_NOT_NULL(test, info);
	info->buf = ctx->image;
	info->count = IMAGE_SIZE;
	KUNIT_EXPECT_EQ(test, c_get_lock_load(test, info), 0);
	fpga_image_info_free(info);
	c_check_programmed(test);
	KUNIT_EXPECT_EQ(test, ctx->drv.writes, 1);
}

static void c_load_sg(struct kunit *test)
{
	struct c_ctx *ctx = test->priv;
	struct fpga_image_info *info = fpga_image_info_alloc(ctx->dev);
	struct scatterlist *sg;
	struct sg_table sgt;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, info);
	KUNIT_ASSERT_EQ(test, sg_alloc_table(&sgt, IMAGE_SIZE / PAGE_SIZE + 1, GFP_KERNEL), 0);
	for_each_sgtable_sg(&sgt, sg, i) {
		size_t off = i * PAGE_SIZE;

		sg_set_page(sg, vmalloc_to_page(ctx->image + off),
			    min_t(size_t, PAGE_SIZE, IMAGE_SIZE - off), 0);
	}
	info->sgt = &sgt;
	KUNIT_EXPECT_EQ(test, c_get_lock_load(test, info), 0);
	fpga_image_info_free(info);
	sg_free_table(&sgt);
	c_check_programmed(test);
	KUNIT_EXPECT_EQ(test, ctx->drv.writes, IMAGE_SIZE / PAGE_SIZE + 1);
}

static void c_image_info_alloc_holds_device_until_free(struct kunit *test)
{
	struct c_ctx *ctx = test->priv;
	struct fpga_image_info *info;
	unsigned int refs = kref_read(&ctx->dev->kobj.kref);

	info = fpga_image_info_alloc(ctx->dev);
	KUNIT_ASSERT_NOT_NULL(test, info);
	KUNIT_EXPECT_PTR_EQ(test, info->dev, ctx->dev);
	KUNIT_EXPECT_EQ(test, info->flags, 0);
	KUNIT_EXPECT_NULL(test, info->buf);
	KUNIT_EXPECT_EQ(test, kref_read(&ctx->dev->kobj.kref), refs + 1);

	info->firmware_name = devm_kstrdup(ctx->dev, "fpga-rs/image.rbf", GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, info->firmware_name);
	fpga_image_info_free(info);
	KUNIT_EXPECT_EQ(test, kref_read(&ctx->dev->kobj.kref), refs);
}

static void c_image_info_free_accepts_null(struct kunit *test)
{
	fpga_image_info_free(NULL);
}

static struct kunit_case fpga_mgr_c_api_cases[] = {
	KUNIT_CASE(c_load_buffer),
	KUNIT_CASE(c_load_sg),
	KUNIT_CASE(c_image_info_alloc_holds_device_until_free),
	KUNIT_CASE(c_image_info_free_accepts_null),
	{}
};

static struct kunit_suite fpga_mgr_c_api_suite = {
	.name = "fpga_mgr_c_api",
	.init = c_init,
	.exit = c_exit,
	.test_cases = fpga_mgr_c_api_cases,
};

kunit_test_suite(fpga_mgr_c_api_suite);

MODULE_DESCRIPTION("C client of the FPGA manager API, for fpga-rs");
MODULE_LICENSE("GPL");
