#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes the FPGA images of the tests and the demo: valid and deliberately
broken images for the simulated FPGAs of lowlevel/ (formats in
Documentation/lowlevel.rst), and a manifest.

    gen-images.py OUTDIR

OUTDIR/images.txt has one line per image: its file name, the CRC-32 of the
configuration data the simulated FPGA keeps once it is programmed (what its
debugfs `fabric` file reports as crc32; "-" for an image that must fail), the
number of those bytes, and what the image is. The images are generated from
fixed seeds: the same every run, and never committed.
"""

import random
import struct
import sys
import zlib
from pathlib import Path

# --- Altera SoC FPGA (.rbf), lowlevel/sim_socfpga/engine.rs ----------------

CYCLONE_V_IDCODE = 0x02D020DD  # sim_socfpga's default idcode
ARRIA_10_IDCODE = 0x02E660DD
RBF_SYNC = 0x6A6A6A6A


def rbf(data, frame_size=256, idcode=CYCLONE_V_IDCODE, design_id=0xC0FFEE01):
    """A simulated .rbf image holding `data` (a whole number of frames)."""
    assert len(data) % frame_size == 0
    frames = len(data) // frame_size
    fields = struct.pack("<5I", RBF_SYNC, idcode, design_id, frames, frame_size)
    header = b"\xff" * 32 + fields + struct.pack("<I", zlib.crc32(fields)) + b"\xff" * 8
    assert len(header) == 64
    body = b"".join(
        chunk + struct.pack("<I", zlib.crc32(chunk))
        for chunk in (data[i : i + frame_size] for i in range(0, len(data), frame_size))
    )
    return header + body + b"\xff" * 16


# --- Xilinx 7-series / Zynq (.bit, .bin), lowlevel/sim_zynq/engine.rs -------

XC7Z020_IDCODE = 0x03727093  # sim_zynq's default idcode
XC7Z010_IDCODE = 0x03722093
REG_CRC, REG_FAR, REG_FDRI, REG_CMD, REG_IDCODE = 0, 1, 2, 4, 12
CMD_WCFG, CMD_START, CMD_RCRC, CMD_DESYNC = 1, 5, 7, 13
NOP = 0x20000000


def type1(reg, count):
    return (1 << 29) | (2 << 27) | (reg << 13) | count


def type2(count):
    return (2 << 29) | (2 << 27) | count


def bitstream_words(data, idcode=XC7Z020_IDCODE, crc=None, end=True):
    """The configuration words of a bitstream writing `data` as frame data."""
    assert len(data) % 4 == 0
    w = [0xFFFFFFFF] * 8 + [0x000000BB, 0x11220044, 0xFFFFFFFF, 0xFFFFFFFF, 0xAA995566, NOP]
    w += [type1(REG_CMD, 1), CMD_RCRC, NOP, NOP]
    w += [type1(REG_IDCODE, 1), idcode]
    w += [type1(REG_CMD, 1), CMD_WCFG, NOP]
    w += [type1(REG_FAR, 1), 0]
    w += [type1(REG_FDRI, 0), type2(len(data) // 4)]
    w += list(struct.unpack(">%dI" % (len(data) // 4), data))
    w += [type1(REG_CRC, 1), zlib.crc32(data) if crc is None else crc]
    if end:
        w += [type1(REG_CMD, 1), CMD_START, NOP]
        w += [type1(REG_CMD, 1), CMD_DESYNC] + [NOP] * 16
    return w


def natural(words):
    return struct.pack(">%dI" % len(words), *words)


def swapped(words):
    """Byte-swapped 32-bit words: what Zynq's PCAP takes (bootgen -process_bitstream bin)."""
    return struct.pack("<%dI" % len(words), *words)


def bit_file(body, design, part="7z020clg400", data_len=None):
    """A .bit file: the header with its fields a-e, then `body`."""

    def field(key, text):
        value = text.encode() + b"\0"
        return key + struct.pack(">H", len(value)) + value

    header = bytes([0x00, 0x09, 0x0F, 0xF0, 0x0F, 0xF0, 0x0F, 0xF0, 0x0F, 0xF0, 0x00, 0x00, 0x01])
    header += field(b"a", design) + field(b"b", part)
    header += field(b"c", "2026/11/25") + field(b"d", "12:00:00")
    header += b"e" + struct.pack(">I", len(body) if data_len is None else data_len)
    return header + body


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    manifest = []

    def write(name, image, data, what):
        (out / name).write_bytes(image)
        crc = "%#010x" % zlib.crc32(data) if data is not None else "-"
        manifest.append("%s %s %d %s" % (name, crc, len(data or b""), what))

    rng = random.Random(0xF96A)
    data = rng.randbytes(64 * 256)

    # Altera-style: 64 frames of 256 bytes.
    write("socfpga-valid.rbf", rbf(data), data, "valid Cyclone V image")
    corrupt = bytearray(rbf(data))
    corrupt[64 + 5 * 260 + 17] ^= 0x40  # a data byte of frame 5
    write("socfpga-corrupt.rbf", bytes(corrupt), None, "frame 5 fails its CRC")
    write("socfpga-truncated.rbf", rbf(data)[: 64 + 40 * 260 + 100], None,
          "ends in frame 40 of 64: CONF_DONE never rises")
    write("socfpga-wrong-family.rbf", rbf(data, idcode=ARRIA_10_IDCODE), None,
          "built for an Arria 10")
    bad_header = bytearray(rbf(data))
    bad_header[40] ^= 1  # design_id, covered by the header CRC
    write("socfpga-bad-header.rbf", bytes(bad_header), None, "header CRC error")

    # Xilinx-style: 4 KiB of frame data (and 2 KiB for the partial bitstream).
    xdata = rng.randbytes(4096)
    words = bitstream_words(xdata)
    write("zynq-valid.bit", bit_file(natural(words), "fpga_rs_demo;UserID=0XFFFFFFFF;Version=2024.1"),
          xdata, "valid .bit for an XC7Z020")
    write("zynq-valid.bin", natural(words), xdata, "valid .bin, natural byte order")
    write("zynq-swapped.bin", swapped(words), xdata, "valid .bin, byte-swapped words (PCAP)")
    write("zynq-corrupt.bit",
          bit_file(natural(bitstream_words(xdata, crc=zlib.crc32(xdata) ^ 1)), "fpga_rs_demo"),
          None, "CRC register does not match the frame data")
    write("zynq-truncated.bin", natural(words[: len(words) // 2]), None,
          "ends in the frame data: DONE never rises")
    write("zynq-wrong-part.bit",
          bit_file(natural(bitstream_words(xdata, idcode=XC7Z010_IDCODE)), "fpga_rs_demo",
                   part="7z010clg400"),
          None, ".bit header names another part")
    write("zynq-wrong-idcode.bin", natural(bitstream_words(xdata, idcode=XC7Z010_IDCODE)), None,
          "IDCODE packet for another device")
    write("zynq-nosync.bin", rng.randbytes(4096), None, "no sync word")
    write("zynq-overlong.bit", bit_file(natural(words), "fpga_rs_demo", data_len=len(natural(words)) + 64),
          None, ".bit header claims more data than the file has")
    pdata = rng.randbytes(2048)
    write("zynq-partial.bin", swapped(bitstream_words(pdata)), pdata,
          "partial bitstream, byte-swapped")

    (out / "images.txt").write_text("\n".join(manifest) + "\n")


if __name__ == "__main__":
    main()
