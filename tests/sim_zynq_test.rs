// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the simulated Xilinx Zynq / 7-series FPGA (`lowlevel/sim_zynq/`, the sources
//! the driver compiles): the .bit header parser, the sync-word search in both byte orders, the
//! packet checks, DONE, and partial reconfiguration.

use kernel::prelude::*;

#[path = "../lowlevel/sim_zynq/bit_header.rs"]
mod bit_header;
#[path = "../abstractions/mod.rs"]
pub mod fpga;
#[path = "../lowlevel/sim/mod.rs"]
pub mod sim;
// The driver uses what the tests do not.
#[allow(dead_code)]
#[path = "../lowlevel/sim_zynq/engine.rs"]
mod engine;
#[path = "common/sim_images.rs"]
pub mod sim_images;

use fpga::manager;
use sim::{crc32, fault, name};

module! {
    type: SimZynqTest,
    name: "sim_zynq_test",
    authors: ["fpga-rs developers"],
    description: "KUnit tests of the simulated Xilinx Zynq FPGA",
    license: "GPL",
}

struct SimZynqTest;

impl kernel::Module for SimZynqTest {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(Self)
    }
}

#[kunit_tests(sim_zynq_bit_header)]
mod bit_header_tests {
    use super::bit_header::{parse, Parsed};
    use super::sim_images::bit_header;
    use kernel::prelude::*;

    #[test]
    fn bit_header_fields_and_data_offset() -> Result {
        let header = bit_header(b"top;UserID=0XFFFFFFFF", b"7z020clg400", 4096)?;
        let Ok(Parsed::Bit(h)) = parse(&header) else {
            return Err(EINVAL);
        };
        assert_eq!(h.design.as_bytes(), b"top;UserID=0XFFFFFFFF");
        assert_eq!(h.part.as_bytes(), b"7z020clg400");
        assert_eq!(h.data_offset, header.len());
        assert_eq!(h.data_len, 4096);
        Ok(())
    }

    #[test]
    fn short_buffers_ask_for_the_bytes_the_header_needs() -> Result {
        let header = bit_header(b"design", b"7z020clg400", 64)?;
        for len in [5, 13, 15, header.len() - 1] {
            match parse(&header[..len]) {
                Ok(Parsed::NeedMore(n)) => assert!(n > len && n <= header.len()),
                _ => return Err(EINVAL),
            }
        }
        Ok(())
    }

    #[test]
    fn raw_bin_has_no_header_and_bad_keys_are_refused() -> Result {
        assert!(matches!(parse(&[0xff; 64]), Ok(Parsed::Raw)));
        let mut header = bit_header(b"design", b"7z020clg400", 64)?;
        // The key of field `b`: 13 bytes of magic, then `a`, its length and "design\0".
        header[13 + 3 + 7] = b'x';
        assert_eq!(parse(&header).map_err(|f| f.errno), Err(EINVAL));
        Ok(())
    }
}

#[kunit_tests(sim_zynq_engine)]
mod engine_tests {
    use super::crc32::crc32;
    use super::engine::{ByteOrder, Engine, Mode};
    use super::manager::status;
    use super::name::Name;
    use super::sim_images::{pattern, Bitstream, XC7Z010, XC7Z020};
    use kernel::prelude::*;

    /// Programs `bitstream` in chunks of `chunk` bytes; DONE must be up at the end.
    fn program(fpga: &mut Engine, bitstream: &[u8], chunk: usize, partial: bool) -> Result {
        fpga.write_init(partial, Name::new(b"test"))
            .map_err(|f| f.errno)?;
        for c in bitstream.chunks(chunk) {
            fpga.write(c).map_err(|f| f.errno)?;
        }
        if fpga.done() {
            Ok(())
        } else {
            Err(fpga.done_timeout().errno)
        }
    }

    #[test]
    fn natural_and_byte_swapped_bitstreams_configure_the_same_data() -> Result {
        let data = pattern(1024, 1)?;
        for (swapped, order) in [(false, ByteOrder::Natural), (true, ByteOrder::Swapped)] {
            let bits = Bitstream {
                swapped,
                ..Bitstream::VALID
            }
            .build(&data)?;
            for chunk in [1, 5, 4096] {
                let mut fpga = Engine::new(XC7Z020);
                program(&mut fpga, &bits, chunk, false)?;
                assert_eq!(fpga.mode(), Mode::Operating);
                assert_eq!(fpga.byte_order(), Some(order));
                let (base, partial) = fpga.loaded();
                assert_eq!(base.map(|l| (l.bytes, l.crc32)), Some((1024, crc32(&data))));
                assert!(partial.is_none());
            }
        }
        Ok(())
    }

    #[test]
    fn crc_mismatch_is_a_crc_error() -> Result {
        let bits = Bitstream {
            crc_xor: 1,
            ..Bitstream::VALID
        }
        .build(&pattern(512, 2)?)?;
        let mut fpga = Engine::new(XC7Z020);
        assert_eq!(program(&mut fpga, &bits, 64, false), Err(EIO));
        assert_eq!(fpga.status(), status::CRC_ERR);
        assert!(!fpga.init_b());
        assert_eq!(fpga.loaded().0, None);
        Ok(())
    }

    #[test]
    fn idcode_of_another_device_is_incompatible() -> Result {
        let bits = Bitstream {
            idcode: XC7Z010,
            ..Bitstream::VALID
        }
        .build(&pattern(512, 3)?)?;
        let mut fpga = Engine::new(XC7Z020);
        assert_eq!(program(&mut fpga, &bits, 64, false), Err(EINVAL));
        assert_eq!(fpga.status(), status::INCOMPATIBLE_IMAGE_ERR);
        assert_eq!(fpga.fault().map(|f| f.detail), Some(XC7Z010.into()));
        Ok(())
    }

    #[test]
    fn frame_data_without_wcfg_is_a_protocol_error() -> Result {
        let bits = Bitstream {
            wcfg: false,
            ..Bitstream::VALID
        }
        .build(&pattern(512, 4)?)?;
        let mut fpga = Engine::new(XC7Z020);
        assert_eq!(program(&mut fpga, &bits, 64, false), Err(EINVAL));
        assert_eq!(fpga.status(), status::IP_PROTOCOL_ERR);
        Ok(())
    }

    #[test]
    fn no_sync_word_is_refused() -> Result {
        let mut fpga = Engine::new(XC7Z020);
        assert_eq!(
            program(&mut fpga, &pattern(4096, 5)?, 4096, false),
            Err(EINVAL)
        );
        assert_eq!(fpga.status(), status::INCOMPATIBLE_IMAGE_ERR);
        assert_eq!(fpga.byte_order(), None);
        Ok(())
    }

    #[test]
    fn truncated_bitstream_never_raises_done() -> Result {
        let bits = Bitstream::VALID.build(&pattern(2048, 6)?)?;
        let mut fpga = Engine::new(XC7Z020);
        assert_eq!(
            program(&mut fpga, &bits[..bits.len() / 2], 64, false),
            Err(ETIMEDOUT)
        );
        assert_eq!(fpga.status(), status::OPERATION_ERR);
        // Without START and DESYNC there is no DONE either.
        let unended = Bitstream {
            end: false,
            ..Bitstream::VALID
        }
        .build(&pattern(256, 6)?)?;
        assert_eq!(program(&mut fpga, &unended, 64, false), Err(ETIMEDOUT));
        Ok(())
    }

    #[test]
    fn partial_reconfiguration_keeps_the_base_design() -> Result {
        let base = pattern(1024, 7)?;
        let part = pattern(256, 8)?;
        let partial_bits = Bitstream {
            swapped: true,
            ..Bitstream::VALID
        }
        .build(&part)?;
        let mut fpga = Engine::new(XC7Z020);
        // Not on an unconfigured device, which is left as it was.
        assert_eq!(program(&mut fpga, &partial_bits, 64, true), Err(EINVAL));
        assert_eq!(fpga.mode(), Mode::PowerUp);
        program(&mut fpga, &Bitstream::VALID.build(&base)?, 256, false)?;
        program(&mut fpga, &partial_bits, 256, true)?;
        let (b, p) = fpga.loaded();
        assert_eq!(b.map(|l| l.crc32), Some(crc32(&base)));
        assert_eq!(p.map(|l| (l.partial, l.crc32)), Some((true, crc32(&part))));
        assert_eq!(fpga.programmings(), 2);
        // A full configuration (PROG_B) clears both.
        program(&mut fpga, &Bitstream::VALID.build(&base)?, 256, false)?;
        assert!(fpga.loaded().1.is_none());
        Ok(())
    }
}
