// SPDX-License-Identifier: GPL-2.0
/*
 * A Xilinx 7-series FPGA seen through its slave-serial configuration port
 * (UG470, "Serial Configuration Mode"), so that the in-tree C manager
 * xilinx-spi (drivers/fpga/xilinx-spi.c and xilinx-core.c) programs it
 * unchanged, through the fpga-rs cores (issue "In-tree C FPGA drivers on the
 * Rust core", item 2; scenario in_tree_c_drivers_program_a_region).
 *
 * The device-tree node "fpga-rs,slave-serial-model" is both the SPI
 * controller the FPGA's CCLK/DIN pins hang on and the GPIO controller of its
 * three pins, as a board wires them:
 *
 *   line 0  PROG_B  output of the host: low clears the configuration memory
 *   line 1  INIT_B  input of the host: low while clearing, and after an error
 *   line 2  DONE    input of the host: high once a bitstream configured it
 *
 * Like the FPGA, the model ignores everything before the sync word
 * 0xAA995566, then reads configuration packets (big-endian 32-bit words):
 * type 1 "001 op(2) reg(14) count(11)" and type 2 "010 op(2) count(27)". It
 * acts on the registers a bitstream of tools/testing/gen-images.py writes:
 * CMD (4: RCRC 7, WCFG 1, START 5, DESYNC 13), IDCODE (12, must match
 * "fpga-rs,idcode", default 0x03727093, an XC7Z020), FDRI (2, frame data,
 * only after WCFG) and CRC (0, the CRC-32 of the frame data since RCRC, as in
 * lowlevel/sim_zynq/engine.rs). START then DESYNC raise DONE; an IDCODE or
 * CRC error pulls INIT_B low until the next PROG_B pulse.
 *
 * With "fpga-rs,isolation" naming the node of an xlnx,pr-decoupler, the model
 * reads that decoupler's control register (bit 0: decoupled) as the fabric
 * sees it, and counts the frame data bytes that arrive while the fabric is
 * coupled: a region must have its bridges disabled while it is programmed.
 *
 * debugfs <device>/fabric shows the pins, the mode, the frame data of the
 * last configuration (bytes and CRC-32), the configurations that succeeded
 * and the last error. Writing 1 to <device>/hold stops the next transfer on
 * the port until 0 is written (the scenario checks the module references
 * while a programming is in progress), or for at most HOLD_TIMEOUT_S;
 * <device>/holding is 1 while a transfer waits there.
 */

#include <linux/crc32.h>
#include <linux/debugfs.h>
#include <linux/gpio/driver.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/mod_devicetable.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/platform_device.h>
#include <linux/seq_file.h>
#include <linux/spi/spi.h>
#include <linux/spinlock.h>
#include <linux/stringify.h>
#include <linux/wait.h>

#define SYNC_WORD	0xAA995566
#define XC7Z020_IDCODE	0x03727093
/*
 * How long a held transfer waits for its release, in seconds: longer than a
 * scenario waits for a state (tools/testing/vm/ktap.sh), so that a test that
 * never releases it (or an unbind, which removes the FPGA's SPI device, a
 * consumer of the model's GPIO lines, before the model) ends instead of
 * hanging.
 */
#define HOLD_TIMEOUT_S	300
/* The frame data the configuration memory holds, in bytes. */
#define CONFIG_MEMORY_SIZE	(4 << 20)

enum { PIN_PROG_B, PIN_INIT_B, PIN_DONE, PIN_COUNT };

enum { REG_CRC = 0, REG_FDRI = 2, REG_CMD = 4, REG_IDCODE = 12 };
enum { CMD_WCFG = 1, CMD_START = 5, CMD_RCRC = 7, CMD_DESYNC = 13 };

enum mode {
	MODE_CLEARING,		/* PROG_B low */
	MODE_WAIT_SYNC,		/* cleared, looking for the sync word */
	MODE_CONFIGURING,	/* synchronised, reading packets */
	MODE_DONE,		/* configured: DONE high, input ignored */
	MODE_ERROR,		/* INIT_B low until the next PROG_B pulse */
};

static const char *const mode_names[] = {
	[MODE_CLEARING] = "clearing",
	[MODE_WAIT_SYNC] = "wait-sync",
	[MODE_CONFIGURING] = "configuring",
	[MODE_DONE] = "done",
	[MODE_ERROR] = "error",
};

struct model {
	struct device *dev;
	struct gpio_chip gc;
	/* The isolation decoupler's control register, or NULL. */
	void __iomem *isolation;
	u32 idcode;
	struct dentry *dir;
	/* hold and holding: see the header comment; hold_wq wakes the waiter. */
	bool hold;
	bool holding;
	wait_queue_head_t hold_wq;

	/* The FPGA, under lock (taken from the GPIO ops, which may not sleep). */
	spinlock_t lock;
	enum mode mode;
	bool prog_b;		/* level of the PROG_B line: true = high */
	u32 shift;		/* the last four bytes, for the sync word */
	u32 word;		/* the packet word being assembled */
	unsigned int word_bytes;
	u32 reg;		/* register of the last type 1 packet */
	u32 remaining;		/* words still to come for reg */
	bool wcfg;
	bool started;
	u32 crc;		/* running CRC-32 (not inverted) since RCRC */
	size_t clocked;		/* bytes on DIN since the last PROG_B pulse */
	size_t frame_bytes;
	u32 frame_crc;		/* CRC-32 of the frame data of this configuration */
	size_t coupled_bytes;	/* frame data bytes while the fabric was coupled */
	unsigned int programmings;
	char error[80];
};

/* Under lock. */
static void model_fail(struct model *m, const char *fmt, u32 a, u32 b)
{
	m->mode = MODE_ERROR;
	snprintf(m->error, sizeof(m->error), fmt, a, b);
}

/* Under lock: a PROG_B edge. Low clears the FPGA; high starts a configuration. */
static void model_set_prog_b(struct model *m, bool high)
{
	if (high == m->prog_b)
		return;
	m->prog_b = high;
	if (!high) {
		m->mode = MODE_CLEARING;
		return;
	}
	m->mode = MODE_WAIT_SYNC;
	m->shift = 0;
	m->word_bytes = 0;
	m->remaining = 0;
	m->wcfg = false;
	m->started = false;
	m->crc = ~0U;
	m->clocked = 0;
	m->frame_bytes = 0;
	m->frame_crc = 0;
	m->coupled_bytes = 0;
	m->error[0] = '\0';
}

static bool model_coupled(struct model *m)
{
	return m->isolation && !(readl(m->isolation) & BIT(0));
}

/* Under lock: one word written to register reg. */
static void model_write_reg(struct model *m, u32 reg, u32 w)
{
	u8 be[4] = { w >> 24, w >> 16, w >> 8, w };

	switch (reg) {
	case REG_CMD:
		if (w == CMD_RCRC) {
			m->crc = ~0U;
		} else if (w == CMD_WCFG) {
			m->wcfg = true;
		} else if (w == CMD_START) {
			m->started = true;
		} else if (w == CMD_DESYNC) {
			if (!m->started) {
				model_fail(m, "DESYNC before START", 0, 0);
				return;
			}
			m->mode = MODE_DONE;
			m->programmings++;
		}
		break;
	case REG_IDCODE:
		if (w != m->idcode)
			model_fail(m, "IDCODE %#010x is not the device's %#010x",
				   w, m->idcode);
		break;
	case REG_FDRI:
		if (!m->wcfg) {
			model_fail(m, "frame data before WCFG", 0, 0);
			return;
		}
		if (m->frame_bytes + 4 > CONFIG_MEMORY_SIZE) {
			model_fail(m, "frame data beyond the %u bytes of configuration memory",
				   CONFIG_MEMORY_SIZE, 0);
			return;
		}
		m->crc = crc32_le(m->crc, be, 4);
		m->frame_crc = crc32_le(~m->frame_crc, be, 4) ^ ~0U;
		m->frame_bytes += 4;
		if (model_coupled(m))
			m->coupled_bytes += 4;
		break;
	case REG_CRC:
		if (w != (m->crc ^ ~0U))
			model_fail(m, "CRC register %#010x, frame data CRC-32 %#010x",
				   w, m->crc ^ ~0U);
		break;
	default:
		break;
	}
}

/* Under lock: one packet word. */
static void model_word(struct model *m, u32 w)
{
	if (m->remaining) {
		m->remaining--;
		model_write_reg(m, m->reg, w);
		return;
	}
	switch (w >> 29) {
	case 1:
		if (((w >> 27) & 3) == 2) {
			m->reg = (w >> 13) & 0x3fff;
			m->remaining = w & 0x7ff;
		}
		break;
	case 2:
		if (((w >> 27) & 3) == 2)
			m->remaining = w & 0x7ffffff;
		break;
	case 7:
		/* 0xFFFFFFFF: a dummy word, as xilinx-core's padding. */
		break;
	default:
		model_fail(m, "packet header %#010x of no type 1 or 2", w, 0);
	}
}

/* Under lock: one byte clocked in on DIN. */
static void model_byte(struct model *m, u8 b)
{
	m->clocked++;
	switch (m->mode) {
	case MODE_WAIT_SYNC:
		m->shift = m->shift << 8 | b;
		if (m->shift == SYNC_WORD)
			m->mode = MODE_CONFIGURING;
		break;
	case MODE_CONFIGURING:
		m->word = m->word << 8 | b;
		if (++m->word_bytes == 4) {
			m->word_bytes = 0;
			model_word(m, m->word);
		}
		break;
	default:
		/* Cleared, configured or failed: DIN is not read. */
		break;
	}
}

static int model_transfer_one(struct spi_controller *ctlr, struct spi_device *spi,
			      struct spi_transfer *t)
{
	struct model *m = spi_controller_get_devdata(ctlr);
	const u8 *tx = t->tx_buf;
	unsigned long flags;
	unsigned int i;

	if (READ_ONCE(m->hold)) {
		long left;

		WRITE_ONCE(m->holding, true);
		left = wait_event_killable_timeout(m->hold_wq, !READ_ONCE(m->hold),
						  HOLD_TIMEOUT_S * HZ);
		WRITE_ONCE(m->holding, false);
		if (left <= 0) {
			dev_err(m->dev, "held transfer %s\n",
				left ? "killed" : "not released within " __stringify(HOLD_TIMEOUT_S) " s");
			return left ? left : -ETIMEDOUT;
		}
	}
	if (t->rx_buf)
		memset(t->rx_buf, 0xff, t->len);
	if (!tx)
		return 0;
	spin_lock_irqsave(&m->lock, flags);
	for (i = 0; i < t->len; i++)
		model_byte(m, tx[i]);
	spin_unlock_irqrestore(&m->lock, flags);
	return 0;
}

static int model_get_direction(struct gpio_chip *gc, unsigned int offset)
{
	return offset == PIN_PROG_B ? GPIO_LINE_DIRECTION_OUT : GPIO_LINE_DIRECTION_IN;
}

static int model_direction_input(struct gpio_chip *gc, unsigned int offset)
{
	return offset == PIN_PROG_B ? -EINVAL : 0;
}

static int model_set(struct gpio_chip *gc, unsigned int offset, int value)
{
	struct model *m = gpiochip_get_data(gc);
	unsigned long flags;

	if (offset != PIN_PROG_B)
		return -EINVAL;
	spin_lock_irqsave(&m->lock, flags);
	model_set_prog_b(m, value);
	spin_unlock_irqrestore(&m->lock, flags);
	return 0;
}

static int model_direction_output(struct gpio_chip *gc, unsigned int offset, int value)
{
	return model_set(gc, offset, value);
}

static int model_get(struct gpio_chip *gc, unsigned int offset)
{
	struct model *m = gpiochip_get_data(gc);
	unsigned long flags;
	int level;

	spin_lock_irqsave(&m->lock, flags);
	switch (offset) {
	case PIN_PROG_B:
		level = m->prog_b;
		break;
	case PIN_INIT_B:
		level = m->mode != MODE_CLEARING && m->mode != MODE_ERROR;
		break;
	default:
		level = m->mode == MODE_DONE;
	}
	spin_unlock_irqrestore(&m->lock, flags);
	return level;
}

static const char *const model_line_names[PIN_COUNT] = { "PROG_B", "INIT_B", "DONE" };

static int model_fabric_show(struct seq_file *s, void *unused)
{
	struct model *m = s->private;
	unsigned long flags;

	spin_lock_irqsave(&m->lock, flags);
	seq_printf(s, "mode: %s\n", mode_names[m->mode]);
	seq_printf(s, "pins: PROG_B=%d INIT_B=%d DONE=%d\n", m->prog_b,
		   m->mode != MODE_CLEARING && m->mode != MODE_ERROR, m->mode == MODE_DONE);
	seq_printf(s, "clocked: %zu\n", m->clocked);
	seq_printf(s, "bytes: %zu\n", m->frame_bytes);
	seq_printf(s, "crc32: %#010x\n", m->frame_crc);
	if (m->isolation)
		seq_printf(s, "bytes while coupled: %zu\n", m->coupled_bytes);
	else
		seq_puts(s, "bytes while coupled: no isolation\n");
	seq_printf(s, "programmings: %u\n", m->programmings);
	seq_printf(s, "last error: %s\n", m->error[0] ? m->error : "none");
	spin_unlock_irqrestore(&m->lock, flags);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(model_fabric);

static int model_hold_get(void *data, u64 *val)
{
	*val = READ_ONCE(((struct model *)data)->hold);
	return 0;
}

static int model_hold_set(void *data, u64 val)
{
	struct model *m = data;

	WRITE_ONCE(m->hold, !!val);
	if (!val)
		wake_up(&m->hold_wq);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(model_hold_fops, model_hold_get, model_hold_set, "%llu\n");

static int model_holding_get(void *data, u64 *val)
{
	*val = READ_ONCE(((struct model *)data)->holding);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(model_holding_fops, model_holding_get, NULL, "%llu\n");

/* Maps the control register of the decoupler "fpga-rs,isolation" names, if any. */
static int model_map_isolation(struct model *m)
{
	struct device_node *np;
	struct resource res;
	int ret;

	np = of_parse_phandle(m->dev->of_node, "fpga-rs,isolation", 0);
	if (!np)
		return 0;
	ret = of_address_to_resource(np, 0, &res);
	of_node_put(np);
	if (ret)
		return dev_err_probe(m->dev, ret, "fpga-rs,isolation has no register\n");
	/* Not requested: the decoupler's driver owns the region; this only reads it. */
	m->isolation = devm_ioremap(m->dev, res.start, 4);
	return m->isolation ? 0 : -ENOMEM;
}

static void model_remove_debugfs(void *data)
{
	debugfs_remove_recursive(((struct model *)data)->dir);
}

static int model_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct spi_controller *ctlr;
	struct model *m;
	int ret;

	ctlr = devm_spi_alloc_host(dev, sizeof(*m));
	if (!ctlr)
		return -ENOMEM;
	m = spi_controller_get_devdata(ctlr);
	m->dev = dev;
	spin_lock_init(&m->lock);
	init_waitqueue_head(&m->hold_wq);
	m->prog_b = true;
	m->mode = MODE_WAIT_SYNC;
	m->crc = ~0U;
	if (device_property_read_u32(dev, "fpga-rs,idcode", &m->idcode))
		m->idcode = XC7Z020_IDCODE;
	ret = model_map_isolation(m);
	if (ret)
		return ret;

	m->gc.label = dev_name(dev);
	m->gc.parent = dev;
	m->gc.owner = THIS_MODULE;
	m->gc.base = -1;
	m->gc.ngpio = PIN_COUNT;
	m->gc.names = model_line_names;
	m->gc.get_direction = model_get_direction;
	m->gc.direction_input = model_direction_input;
	m->gc.direction_output = model_direction_output;
	m->gc.get = model_get;
	m->gc.set = model_set;
	ret = devm_gpiochip_add_data(dev, &m->gc, m);
	if (ret)
		return dev_err_probe(dev, ret, "cannot add the pins' GPIO chip\n");

	m->dir = debugfs_create_dir(dev_name(dev), NULL);
	debugfs_create_file("fabric", 0444, m->dir, m, &model_fabric_fops);
	debugfs_create_file_unsafe("hold", 0644, m->dir, m, &model_hold_fops);
	debugfs_create_file_unsafe("holding", 0444, m->dir, m, &model_holding_fops);
	/* After the SPI controller is unregistered: its devices are gone then. */
	ret = devm_add_action_or_reset(dev, model_remove_debugfs, m);
	if (ret)
		return ret;

	device_set_node(&ctlr->dev, dev_fwnode(dev));
	ctlr->bus_num = -1;
	ctlr->num_chipselect = 1;
	ctlr->mode_bits = SPI_CPOL | SPI_CPHA | SPI_CS_HIGH | SPI_LSB_FIRST;
	ctlr->bits_per_word_mask = SPI_BPW_MASK(8);
	ctlr->transfer_one = model_transfer_one;
	ret = devm_spi_register_controller(dev, ctlr);
	if (ret)
		return dev_err_probe(dev, ret, "cannot register the SPI controller\n");
	platform_set_drvdata(pdev, m);
	return 0;
}

/*
 * Before the devres actions unregister the controller, whose FPGA's manager
 * waits for a programming in progress: a transfer held then goes on. (An
 * unbind of the model removes the FPGA's SPI device first, as a consumer of
 * the model's GPIO lines: a held transfer then ends at its timeout.)
 */
static void model_remove(struct platform_device *pdev)
{
	model_hold_set(platform_get_drvdata(pdev), 0);
}

static const struct of_device_id model_of_match[] = {
	{ .compatible = "fpga-rs,slave-serial-model" },
	{}
};
MODULE_DEVICE_TABLE(of, model_of_match);

static struct platform_driver model_driver = {
	.probe = model_probe,
	.remove = model_remove,
	.driver = {
		.name = "fpga-rs-slave-serial-model",
		.of_match_table = model_of_match,
	},
};
module_platform_driver(model_driver);

MODULE_DESCRIPTION("Model of a Xilinx 7-series FPGA on its slave-serial port, for xilinx-spi");
MODULE_AUTHOR("fpga-rs developers");
MODULE_LICENSE("GPL");
