// SPDX-License-Identifier: GPL-2.0

//! CRC-32 as IEEE 802.3, zlib and the kernel's `crc32_le(~0, ..) ^ ~0` compute it (reflected
//! polynomial 0xEDB88320), in safe Rust: the simulated FPGAs check frame CRCs with it and report
//! the checksum of their configuration data with it, so a host script can compute the expected
//! value with Python's `zlib.crc32`.

/// The byte-wise lookup table, computed at build time.
const TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

/// A running CRC-32.
#[derive(Clone, Copy)]
pub struct Crc32(u32);

impl Default for Crc32 {
    fn default() -> Self {
        Self::new()
    }
}

impl Crc32 {
    /// The CRC of no bytes.
    pub const fn new() -> Self {
        Self(!0)
    }

    /// Adds `bytes` to the CRC.
    pub fn update(&mut self, bytes: &[u8]) {
        let mut crc = self.0;
        for &b in bytes {
            crc = TABLE[((crc ^ u32::from(b)) & 0xff) as usize] ^ (crc >> 8);
        }
        self.0 = crc;
    }

    /// The CRC of the bytes added so far.
    pub const fn value(&self) -> u32 {
        !self.0
    }
}

/// The CRC-32 of `bytes`.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = Crc32::new();
    crc.update(bytes);
    crc.value()
}

/// The CRC zlib and the kernel compute, whole or in pieces. Compiled only into the KUnit module
/// `sim_socfpga_test`, the one crate for which Kbuild sets this `fpga_rs_kunit` value
/// (`Documentation/testing.rst`).
#[cfg(fpga_rs_kunit = "sim_crc32")]
#[kernel::prelude::kunit_tests(sim_crc32)]
mod tests {
    use super::{
        crc32,
        Crc32, //
    };

    /// A text and its CRC-32, as Python's `zlib.crc32` computes it.
    const FOX: (&[u8], u32) = (b"The quick brown fox jumps over the lazy dog", 0x414f_a339);

    #[test]
    fn check_values_are_zlibs() {
        // The check value of CRC-32/ISO-HDLC.
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(crc32(FOX.0), FOX.1);
        assert_eq!(crc32(b""), 0);
        assert_eq!(Crc32::default().value(), 0);
    }

    #[test]
    fn running_crc_does_not_depend_on_the_chunks() {
        let (data, want) = FOX;
        for split in 0..=data.len() {
            let mut crc = Crc32::new();
            crc.update(&data[..split]);
            crc.update(&[]);
            crc.update(&data[split..]);
            assert_eq!(crc.value(), want);
        }
    }
}
