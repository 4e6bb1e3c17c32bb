// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the simulated Altera SoC FPGA (`lowlevel/sim_socfpga/engine.rs`, the source
//! the driver compiles): its image checks and its configuration state machine.

use kernel::prelude::*;

#[path = "../abstractions/mod.rs"]
pub mod fpga;
#[path = "../lowlevel/sim/mod.rs"]
pub mod sim;
// The driver uses what the tests do not.
#[allow(dead_code)]
#[path = "../lowlevel/sim_socfpga/engine.rs"]
mod engine;
#[path = "common/sim_images.rs"]
pub mod sim_images;

use fpga::manager;
use sim::{crc32, fault};

module! {
    type: SimSocfpgaTest,
    name: "sim_socfpga_test",
    authors: ["fpga-rs developers"],
    description: "KUnit tests of the simulated Altera SoC FPGA",
    license: "GPL",
}

struct SimSocfpgaTest;

impl kernel::Module for SimSocfpgaTest {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(Self)
    }
}

#[kunit_tests(sim_socfpga_engine)]
mod tests {
    use super::crc32::crc32;
    use super::engine::{Engine, Mode, HEADER_SIZE};
    use super::manager::status;
    use super::sim_images::{pattern, rbf, CYCLONE_V};
    use kernel::prelude::*;

    /// Programs `image` in chunks of `chunk` bytes, as the core does with `write_init`, `write`
    /// and, once CONF_DONE is up, `write_complete`.
    fn program(fpga: &mut Engine, image: &[u8], chunk: usize) -> Result {
        fpga.write_init(&image[..HEADER_SIZE.min(image.len())])
            .map_err(|f| f.errno)?;
        for c in image.chunks(chunk) {
            fpga.write(c).map_err(|f| f.errno)?;
        }
        fpga.enter_user_mode().map(|_| ()).map_err(|f| f.errno)
    }

    #[test]
    fn valid_image_reaches_user_mode_with_its_data_checksum() -> Result {
        let data = pattern(32 * 64, 1)?;
        let image = rbf(&data, 64, CYCLONE_V)?;
        let mut fpga = Engine::new(CYCLONE_V);
        assert_eq!(fpga.mode(), Mode::PowerUp);
        program(&mut fpga, &image, image.len())?;
        assert_eq!(fpga.mode(), Mode::User);
        assert_eq!(fpga.pins(), (true, true, true));
        let loaded = fpga.loaded().ok_or(EINVAL)?;
        assert_eq!(loaded.bytes, data.len());
        assert_eq!(loaded.crc32, crc32(&data));
        assert_eq!(loaded.header.design_id, 0xc0ff_ee01);
        assert_eq!(fpga.status(), 0);
        assert_eq!(fpga.programmings(), 1);
        Ok(())
    }

    #[test]
    fn chunk_boundaries_do_not_matter() -> Result {
        let data = pattern(16 * 48, 2)?;
        let image = rbf(&data, 48, CYCLONE_V)?;
        for chunk in [1, 3, 7, 50, 52, 4096] {
            let mut fpga = Engine::new(CYCLONE_V);
            program(&mut fpga, &image, chunk)?;
            assert_eq!(fpga.loaded().map(|l| l.crc32), Some(crc32(&data)));
        }
        Ok(())
    }

    #[test]
    fn corrupt_frame_drops_nstatus_with_a_crc_error() -> Result {
        let data = pattern(8 * 64, 3)?;
        let mut image = rbf(&data, 64, CYCLONE_V)?;
        // A data byte of frame 5 (each frame is 64 data bytes and a 4-byte CRC).
        image[HEADER_SIZE + 5 * 68 + 10] ^= 0x40;
        let mut fpga = Engine::new(CYCLONE_V);
        assert_eq!(program(&mut fpga, &image, 100), Err(EIO));
        assert_eq!(fpga.mode(), Mode::Error);
        assert_eq!(fpga.pins(), (false, false, false));
        assert_eq!(fpga.status(), status::CRC_ERR);
        assert_eq!(fpga.fault().map(|f| f.detail), Some(5));
        assert_eq!(fpga.progress().0, 5);
        assert!(fpga.loaded().is_none());
        Ok(())
    }

    #[test]
    fn truncated_image_never_raises_conf_done() -> Result {
        let data = pattern(8 * 64, 4)?;
        let image = rbf(&data, 64, CYCLONE_V)?;
        let cut = &image[..HEADER_SIZE + 3 * 68 + 20];
        let mut fpga = Engine::new(CYCLONE_V);
        assert_eq!(program(&mut fpga, cut, 64), Err(ETIMEDOUT));
        assert!(!fpga.conf_done());
        assert_eq!(fpga.status(), status::OPERATION_ERR);
        assert_eq!(fpga.fault().map(|f| f.detail), Some(3));
        assert!(fpga.loaded().is_none());
        Ok(())
    }

    #[test]
    fn image_for_another_device_is_incompatible() -> Result {
        let image = rbf(&pattern(256, 5)?, 64, 0x02e6_60dd)?;
        let mut fpga = Engine::new(CYCLONE_V);
        let fault = fpga.write_init(&image[..HEADER_SIZE]).err().ok_or(EINVAL)?;
        assert_eq!(fault.errno, EINVAL);
        assert_eq!(fault.detail, 0x02e6_60dd);
        assert_eq!(fpga.status(), status::INCOMPATIBLE_IMAGE_ERR);
        // Data after a refused header is refused too.
        assert_eq!(fpga.write(&image).map_err(|f| f.errno), Err(EINVAL));
        Ok(())
    }

    #[test]
    fn header_checks_name_what_is_wrong() -> Result {
        let good = rbf(&pattern(256, 6)?, 64, CYCLONE_V)?;
        // (offset to corrupt, expected status): preamble, sync word, CRC-covered field, and
        // a frame size that is no multiple of 4 (with its header CRC made right).
        for (offset, want) in [
            (3, status::INCOMPATIBLE_IMAGE_ERR),
            (33, status::INCOMPATIBLE_IMAGE_ERR),
            (41, status::CRC_ERR),
        ] {
            let mut image = KVec::new();
            image.extend_from_slice(&good, GFP_KERNEL)?;
            image[offset] ^= 1;
            let mut fpga = Engine::new(CYCLONE_V);
            let fault = fpga.write_init(&image[..HEADER_SIZE]).err().ok_or(EINVAL)?;
            assert_eq!(fault.errno, EINVAL);
            assert_eq!(fault.status, want);
        }
        let mut fpga = Engine::new(CYCLONE_V);
        let short = fpga
            .write_init(&good[..HEADER_SIZE - 1])
            .err()
            .ok_or(EINVAL)?;
        assert_eq!(short.errno, EINVAL);
        Ok(())
    }

    #[test]
    fn data_before_write_init_is_a_protocol_error() {
        let mut fpga = Engine::new(CYCLONE_V);
        let fault = fpga.write(&[0xff; 16]).err();
        assert_eq!(fault.map(|f| f.status), Some(status::IP_PROTOCOL_ERR));
    }

    #[test]
    fn nconfig_clears_the_old_design_and_a_good_image_clears_the_error() -> Result {
        let data = pattern(4 * 64, 7)?;
        let image = rbf(&data, 64, CYCLONE_V)?;
        let mut fpga = Engine::new(CYCLONE_V);
        program(&mut fpga, &image, image.len())?;
        // A refused image still pulsed nCONFIG: the old design is gone.
        let wrong = rbf(&data, 64, 0x1234_5678)?;
        assert_eq!(program(&mut fpga, &wrong, 64), Err(EINVAL));
        assert!(fpga.loaded().is_none());
        assert_ne!(fpga.status(), 0);
        program(&mut fpga, &image, 64)?;
        assert_eq!(fpga.status(), 0);
        assert_eq!(fpga.programmings(), 2);
        Ok(())
    }
}
