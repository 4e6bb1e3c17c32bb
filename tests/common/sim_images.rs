// SPDX-License-Identifier: GPL-2.0

//! Images for the KUnit suites of the simulated FPGAs, built the way
//! `tools/testing/gen-images.py` builds the firmware files (`Documentation/lowlevel.rst`).

use crate::crc32::crc32;
use kernel::prelude::*;

/// The default IDCODE of `sim_socfpga`.
pub const CYCLONE_V: u32 = 0x02d0_20dd;
/// The default IDCODE of `sim_zynq`.
pub const XC7Z020: u32 = 0x0372_7093;
/// The IDCODE of another Zynq.
pub const XC7Z010: u32 = 0x0372_2093;

/// `len` bytes of a fixed pseudo-random pattern (xorshift32 from `seed`).
pub fn pattern(len: usize, seed: u32) -> Result<KVec<u8>> {
    let mut x = seed | 1;
    let mut v = KVec::with_capacity(len, GFP_KERNEL)?;
    for _ in 0..len {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v.push(x as u8, GFP_KERNEL)?;
    }
    Ok(v)
}

fn push(v: &mut KVec<u8>, bytes: &[u8]) -> Result {
    v.extend_from_slice(bytes, GFP_KERNEL)?;
    Ok(())
}

/// A simulated .rbf image of `data` in frames of `frame_size` bytes, for `idcode`.
pub fn rbf(data: &[u8], frame_size: usize, idcode: u32) -> Result<KVec<u8>> {
    let mut v = KVec::new();
    push(&mut v, &[0xff; 32])?;
    let mut fields = [0u8; 20];
    for (i, w) in [
        0x6a6a_6a6a,
        idcode,
        0xc0ff_ee01,
        (data.len() / frame_size) as u32,
        frame_size as u32,
    ]
    .into_iter()
    .enumerate()
    {
        fields[i * 4..i * 4 + 4].copy_from_slice(&w.to_le_bytes());
    }
    push(&mut v, &fields)?;
    push(&mut v, &crc32(&fields).to_le_bytes())?;
    push(&mut v, &[0xff; 8])?;
    for frame in data.chunks(frame_size) {
        push(&mut v, frame)?;
        push(&mut v, &crc32(frame).to_le_bytes())?;
    }
    push(&mut v, &[0xff; 16])?;
    Ok(v)
}

/// Configuration packet words.
const NOP: u32 = 0x2000_0000;

fn type1(reg: u32, count: u32) -> u32 {
    (1 << 29) | (2 << 27) | (reg << 13) | count
}

/// How to build a Xilinx bitstream.
#[derive(Clone, Copy)]
pub struct Bitstream {
    /// The IDCODE packet's value.
    pub idcode: u32,
    /// XOR applied to the CRC packet's value (0: correct).
    pub crc_xor: u32,
    /// Whether WCFG precedes the frame data.
    pub wcfg: bool,
    /// Whether the bitstream ends with START and DESYNC.
    pub end: bool,
    /// Whether the words are byte-swapped (Zynq PCAP .bin).
    pub swapped: bool,
}

impl Bitstream {
    /// A valid bitstream for an XC7Z020, natural byte order.
    pub const VALID: Self = Self {
        idcode: XC7Z020,
        crc_xor: 0,
        wcfg: true,
        end: true,
        swapped: false,
    };

    /// The bitstream writing `data` (a multiple of 4 bytes) as frame data.
    pub fn build(self, data: &[u8]) -> Result<KVec<u8>> {
        let mut words = KVec::new();
        let mut w = |x: u32| words.push(x, GFP_KERNEL);
        for _ in 0..8 {
            w(0xffff_ffff)?;
        }
        for x in [0xbb, 0x1122_0044, 0xffff_ffff, 0xaa99_5566, NOP] {
            w(x)?;
        }
        for x in [type1(4, 1), 7, type1(12, 1), self.idcode] {
            w(x)?;
        }
        if self.wcfg {
            w(type1(4, 1))?;
            w(1)?;
        }
        for x in [type1(1, 1), 0, type1(2, 0)] {
            w(x)?;
        }
        w((2 << 29) | (2 << 27) | (data.len() / 4) as u32)?;
        for c in data.chunks(4) {
            w(u32::from_be_bytes([c[0], c[1], c[2], c[3]]))?;
        }
        w(type1(0, 1))?;
        w(crc32(data) ^ self.crc_xor)?;
        if self.end {
            for x in [type1(4, 1), 5, NOP, type1(4, 1), 13, NOP, NOP] {
                w(x)?;
            }
        }
        let mut v = KVec::new();
        for x in words.iter() {
            let bytes = if self.swapped {
                x.to_le_bytes()
            } else {
                x.to_be_bytes()
            };
            push(&mut v, &bytes)?;
        }
        Ok(v)
    }
}

/// A .bit file header for `part`, announcing `data_len` bytes.
pub fn bit_header(design: &[u8], part: &[u8], data_len: u32) -> Result<KVec<u8>> {
    let mut v = KVec::new();
    push(
        &mut v,
        &[
            0x00, 0x09, 0x0f, 0xf0, 0x0f, 0xf0, 0x0f, 0xf0, 0x0f, 0xf0, 0x00, 0x00, 0x01,
        ],
    )?;
    for (key, value) in [
        (b'a', design),
        (b'b', part),
        (b'c', b"2026/11/25".as_slice()),
        (b'd', b"12:00:00".as_slice()),
    ] {
        push(&mut v, &[key])?;
        push(&mut v, &((value.len() + 1) as u16).to_be_bytes())?;
        push(&mut v, value)?;
        push(&mut v, &[0])?;
    }
    push(&mut v, b"e")?;
    push(&mut v, &data_len.to_be_bytes())?;
    Ok(v)
}
