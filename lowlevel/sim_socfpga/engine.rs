// SPDX-License-Identifier: GPL-2.0

//! The configuration logic of a simulated Altera/Intel SoC FPGA (Cyclone V / Arria 10 style),
//! without a device: the image format it accepts, its configuration modes, its pins, and what it
//! keeps of the last image. The driver (`sim_socfpga.rs`) drives it from the FPGA manager ops;
//! the KUnit suite `sim_socfpga_engine` tests it directly.
//!
//! The FPGA is configured through its FPGA manager the way `drivers/fpga/socfpga.c` does it:
//! `write_init` pulses nCONFIG (the FPGA drops nSTATUS and clears its configuration memory, then
//! releases nSTATUS and waits for data), `write` streams the raw binary (.rbf) image, and the
//! FPGA raises CONF_DONE once the last frame arrived with a good CRC; `write_complete` waits for
//! CONF_DONE, then the FPGA initialises (INIT_DONE) and enters user mode. A frame with a bad CRC
//! pulls nSTATUS low: the configuration stops with an error, like the hardware's.
//!
//! The simulated .rbf image (little-endian 32-bit fields; `tools/testing/gen-images.py` writes
//! it, `Documentation/lowlevel.rst` describes it):
//!
//! ```text
//!  0  32 bytes 0xFF            preamble (dummy clocks)
//! 32  u32 0x6A6A6A6A           sync
//! 36  u32 idcode               JTAG IDCODE of the device the image was built for
//! 40  u32 design_id            identifies the design (the region's compat id, say)
//! 44  u32 frame_count          1..=MAX_FRAMES
//! 48  u32 frame_size           bytes of data per frame, a multiple of 4 in 16..=4096
//! 52  u32 header_crc           CRC-32 of bytes 32..52
//! 56  8 bytes 0xFF             padding
//! 64  frame_count × (frame_size bytes of data, u32 CRC-32 of that data)
//!     0xFF padding, ignored
//! ```

use crate::crc32::Crc32;
use crate::fault::Fault;
use crate::manager::status;
use crate::sim::outcome::Outcome;
use kernel::prelude::*;

/// Bytes of the header, which `write_init` needs whole (`initial_header_size`).
pub(crate) const HEADER_SIZE: usize = 64;
/// Bytes of 0xFF that start an image.
const PREAMBLE_SIZE: usize = 32;
/// The sync word after the preamble.
pub(crate) const SYNC: u32 = 0x6A6A_6A6A;
/// The most frames an image may have (the size of the configuration memory).
pub(crate) const MAX_FRAMES: u32 = 1 << 14;
/// The smallest and largest frame.
const FRAME_SIZES: core::ops::RangeInclusive<u32> = 16..=4096;
/// The bytes of a frame's CRC.
const FRAME_CRC_SIZE: usize = 4;

/// The header of an image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Header {
    /// The IDCODE of the device the image is for.
    pub(crate) idcode: u32,
    /// The design the image holds.
    pub(crate) design_id: u32,
    /// Frames of configuration data.
    pub(crate) frame_count: u32,
    /// Bytes of data per frame.
    pub(crate) frame_size: u32,
}

/// The little-endian word at `offset` of `buf`, which holds at least `offset + 4` bytes.
fn le32(buf: &[u8], offset: usize) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(&buf[offset..offset + 4]);
    u32::from_le_bytes(word)
}

/// Checks the header at the start of `image` for a device with `idcode`.
pub(crate) fn parse_header(image: &[u8], idcode: u32) -> Result<Header, Fault> {
    let incompatible =
        |what, detail| Fault::new(EINVAL, status::INCOMPATIBLE_IMAGE_ERR, what, detail);
    if image.len() < HEADER_SIZE {
        return Err(incompatible(
            "image shorter than an .rbf header",
            image.len() as u64,
        ));
    }
    if let Some(pos) = image[..PREAMBLE_SIZE].iter().position(|&b| b != 0xFF) {
        return Err(incompatible(
            "no 0xFF preamble: not a raw binary (.rbf) image; byte offset",
            pos as u64,
        ));
    }
    let sync = le32(image, 32);
    if sync != SYNC {
        return Err(incompatible(
            "no sync word 0x6A6A6A6A after the preamble; found",
            sync.into(),
        ));
    }
    let stored_crc = le32(image, 52);
    if crate::crc32::crc32(&image[32..52]) != stored_crc {
        return Err(Fault::new(
            EINVAL,
            status::CRC_ERR,
            "header CRC error; stored",
            stored_crc.into(),
        ));
    }
    let header = Header {
        idcode: le32(image, 36),
        design_id: le32(image, 40),
        frame_count: le32(image, 44),
        frame_size: le32(image, 48),
    };
    if header.idcode != idcode {
        return Err(incompatible(
            "image is for another device (wrong family); its IDCODE",
            header.idcode.into(),
        ));
    }
    if !FRAME_SIZES.contains(&header.frame_size) || header.frame_size % 4 != 0 {
        return Err(incompatible("bad frame size", header.frame_size.into()));
    }
    if header.frame_count == 0 || header.frame_count > MAX_FRAMES {
        return Err(Fault::new(
            EINVAL,
            status::FIFO_OVERFLOW_ERR,
            "frame count does not fit the configuration memory",
            header.frame_count.into(),
        ));
    }
    Ok(header)
}

/// The configuration mode of the FPGA, as the FPGA manager's mode register reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Powered, never configured.
    PowerUp,
    /// nCONFIG is low: the FPGA clears itself.
    Reset,
    /// Receiving configuration data.
    Config,
    /// CONF_DONE is high: all data arrived, INIT_DONE is pending.
    Init,
    /// Configured and running the design.
    User,
    /// nSTATUS went low during configuration.
    Error,
}

impl Mode {
    /// The mode's name in debugfs.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Mode::PowerUp => "power up",
            Mode::Reset => "reset",
            Mode::Config => "configuration",
            Mode::Init => "initialization",
            Mode::User => "user mode",
            Mode::Error => "error",
        }
    }
}

/// The image the FPGA runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Loaded {
    /// Its header.
    pub(crate) header: Header,
    /// Bytes of configuration data.
    pub(crate) bytes: usize,
    /// CRC-32 of the configuration data.
    pub(crate) crc32: u32,
}

/// The configuration logic and memory of one simulated FPGA.
pub(crate) struct Engine {
    idcode: u32,
    mode: Mode,
    header: Option<Header>,
    /// Header bytes of the image consumed so far.
    header_seen: usize,
    /// Bytes of the current frame (data, then CRC) received.
    in_frame: usize,
    frame_crc: Crc32,
    crc_bytes: [u8; FRAME_CRC_SIZE],
    frames: u32,
    loaded: Option<Loaded>,
    /// The configuration data of the current (or last) configuration, the count of those that
    /// reached user mode, and the last failure.
    outcome: Outcome,
}

impl Engine {
    /// The outcome of the configurations so far: `received()`, `programmings()`, `fault()` and
    /// `status()`.
    pub(crate) fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    /// A powered, unconfigured FPGA whose JTAG IDCODE is `idcode`.
    pub(crate) const fn new(idcode: u32) -> Self {
        Self {
            idcode,
            mode: Mode::PowerUp,
            header: None,
            header_seen: 0,
            in_frame: 0,
            frame_crc: Crc32::new(),
            crc_bytes: [0; FRAME_CRC_SIZE],
            frames: 0,
            loaded: None,
            outcome: Outcome::new(),
        }
    }

    /// The configuration mode.
    pub(crate) fn mode(&self) -> Mode {
        self.mode
    }

    /// The pins nSTATUS, CONF_DONE and INIT_DONE, in this order.
    pub(crate) fn pins(&self) -> (bool, bool, bool) {
        let nstatus = !matches!(self.mode, Mode::Reset | Mode::Error);
        let conf_done = matches!(self.mode, Mode::Init | Mode::User);
        (nstatus, conf_done, self.mode == Mode::User)
    }

    /// Whether CONF_DONE is high.
    pub(crate) fn conf_done(&self) -> bool {
        self.pins().1
    }

    /// The image the FPGA runs, in user mode.
    pub(crate) fn loaded(&self) -> Option<Loaded> {
        self.loaded
    }

    /// The frames received by the current (or last) configuration, and its header.
    pub(crate) fn progress(&self) -> (u32, Option<Header>) {
        (self.frames, self.header)
    }

    /// Refuses an image with `fault` before it reaches the FPGA, which stays as it is.
    pub(crate) fn reject(&mut self, fault: Fault) -> Fault {
        self.outcome.fail(fault)
    }

    /// Stops the configuration with `fault` (nSTATUS low) and returns it.
    pub(crate) fn fail(&mut self, fault: Fault) -> Fault {
        self.mode = Mode::Error;
        self.outcome.fail(fault)
    }

    /// `write_init`: pulses nCONFIG, which clears the FPGA, then checks the image's header
    /// (`image` holds at least [`HEADER_SIZE`] bytes of it) and waits for its data.
    pub(crate) fn write_init(&mut self, image: &[u8]) -> Result<(), Fault> {
        *self = Self {
            mode: Mode::Reset,
            outcome: self.outcome,
            ..Self::new(self.idcode)
        };
        self.outcome.start();
        let header = parse_header(image, self.idcode).map_err(|f| self.fail(f))?;
        self.header = Some(header);
        self.mode = Mode::Config;
        Ok(())
    }

    /// `write`: streams the next `chunk` of the image (header included) into the FPGA.
    pub(crate) fn write(&mut self, mut chunk: &[u8]) -> Result<(), Fault> {
        let header = match (self.mode, self.header) {
            (Mode::Config, Some(header)) => header,
            // The padding after the last frame is ignored.
            (Mode::Init | Mode::User, _) => return Ok(()),
            (Mode::Error, _) => return Err(self.outcome.failure()),
            _ => {
                return Err(self.fail(Fault::new(
                    EINVAL,
                    status::IP_PROTOCOL_ERR,
                    "data written before write_init; mode",
                    self.mode as u64,
                )))
            }
        };
        let skip = (HEADER_SIZE - self.header_seen).min(chunk.len());
        self.header_seen += skip;
        chunk = &chunk[skip..];
        let frame_size = header.frame_size as usize;
        while !chunk.is_empty() && self.mode == Mode::Config {
            if self.in_frame < frame_size {
                let n = (frame_size - self.in_frame).min(chunk.len());
                self.frame_crc.update(&chunk[..n]);
                self.outcome.receive(&chunk[..n]);
                self.in_frame += n;
                chunk = &chunk[n..];
                continue;
            }
            let at = self.in_frame - frame_size;
            let n = (FRAME_CRC_SIZE - at).min(chunk.len());
            self.crc_bytes[at..at + n].copy_from_slice(&chunk[..n]);
            self.in_frame += n;
            chunk = &chunk[n..];
            if self.in_frame < frame_size + FRAME_CRC_SIZE {
                continue;
            }
            if u32::from_le_bytes(self.crc_bytes) != self.frame_crc.value() {
                return Err(self.fail(Fault::new(
                    EIO,
                    status::CRC_ERR,
                    "CRC error: nSTATUS low in frame",
                    self.frames.into(),
                )));
            }
            self.frames += 1;
            self.in_frame = 0;
            self.frame_crc = Crc32::new();
            if self.frames == header.frame_count {
                // CONF_DONE.
                self.mode = Mode::Init;
            }
        }
        Ok(())
    }

    /// The failure of a configuration whose CONF_DONE did not come.
    pub(crate) fn conf_done_timeout(&mut self) -> Fault {
        self.fail(Fault::new(
            ETIMEDOUT,
            status::OPERATION_ERR,
            "CONF_DONE not asserted (truncated image?); frames received",
            self.frames.into(),
        ))
    }

    /// After CONF_DONE: the FPGA initialises (INIT_DONE) and enters user mode.
    pub(crate) fn enter_user_mode(&mut self) -> Result<Loaded, Fault> {
        let header = match (self.mode, self.header) {
            (Mode::Init, Some(header)) => header,
            _ => return Err(self.conf_done_timeout()),
        };
        let (bytes, crc32) = self.outcome.succeed();
        let loaded = Loaded {
            header,
            bytes,
            crc32,
        };
        self.mode = Mode::User;
        self.loaded = Some(loaded);
        Ok(loaded)
    }
}

/// The image checks and the configuration state machine, on images built as
/// `tools/testing/gen-images.py` builds them. Compiled only into the KUnit module
/// `sim_socfpga_test`, which provides `crate::sim_images` (`tests/common/sim_images.rs`): the
/// one crate for which Kbuild sets this `fpga_rs_kunit` value (`Documentation/testing.rst`).
#[cfg(fpga_rs_kunit = "sim_socfpga_engine")]
#[kunit_tests(sim_socfpga_engine)]
mod tests {
    use super::{
        Engine,
        Mode,
        HEADER_SIZE, //
    };
    use crate::crc32::crc32;
    use crate::fault::Fault;
    use crate::manager::status;
    use crate::sim_images::{
        pattern,
        rbf,
        CYCLONE_V, //
    };
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
        assert_eq!(fpga.outcome().status(), 0);
        assert_eq!(fpga.outcome().programmings(), 1);
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
        assert_eq!(fpga.outcome().status(), status::CRC_ERR);
        assert_eq!(fpga.outcome().fault().map(|f| f.detail), Some(5));
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
        assert_eq!(fpga.outcome().status(), status::OPERATION_ERR);
        assert_eq!(fpga.outcome().fault().map(|f| f.detail), Some(3));
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
        assert_eq!(fpga.outcome().status(), status::INCOMPATIBLE_IMAGE_ERR);
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
        assert_ne!(fpga.outcome().status(), 0);
        program(&mut fpga, &image, 64)?;
        assert_eq!(fpga.outcome().status(), 0);
        assert_eq!(fpga.outcome().programmings(), 2);
        Ok(())
    }

    #[test]
    fn received_counts_the_data_of_the_last_configuration_even_a_failed_one() -> Result {
        let data = pattern(8 * 64, 4)?;
        let image = rbf(&data, 64, CYCLONE_V)?;
        let mut fpga = Engine::new(CYCLONE_V);
        // Three frames and 20 data bytes of the fourth.
        let cut = &image[..HEADER_SIZE + 3 * 68 + 20];
        assert_eq!(program(&mut fpga, cut, 64), Err(ETIMEDOUT));
        assert_eq!(
            fpga.outcome().received(),
            (3 * 64 + 20, crc32(&data[..3 * 64 + 20]))
        );
        program(&mut fpga, &image, 64)?;
        assert_eq!(fpga.outcome().received(), (data.len(), crc32(&data)));
        Ok(())
    }

    #[test]
    fn rejected_image_leaves_the_running_design() -> Result {
        let data = pattern(4 * 64, 8)?;
        let image = rbf(&data, 64, CYCLONE_V)?;
        let mut fpga = Engine::new(CYCLONE_V);
        program(&mut fpga, &image, image.len())?;
        // As the driver refuses a partial reconfiguration, before `write_init`.
        let fault = fpga.reject(Fault::new(EINVAL, 0, "partial", 1));
        assert_eq!(fault.errno, EINVAL);
        assert_eq!(fpga.mode(), Mode::User);
        assert_eq!(fpga.pins(), (true, true, true));
        assert_eq!(fpga.loaded().map(|l| l.crc32), Some(crc32(&data)));
        assert_eq!(fpga.outcome().fault().map(|f| f.detail), Some(1));
        Ok(())
    }

    #[test]
    fn each_mode_has_its_debugfs_name() -> Result {
        let image = rbf(&pattern(64, 9)?, 64, CYCLONE_V)?;
        let mut fpga = Engine::new(CYCLONE_V);
        assert_eq!(fpga.mode().name(), "power up");
        fpga.write_init(&image[..HEADER_SIZE])
            .map_err(|f| f.errno)?;
        assert_eq!(fpga.mode().name(), "configuration");
        fpga.write(&image).map_err(|f| f.errno)?;
        assert_eq!(fpga.mode().name(), "initialization");
        fpga.enter_user_mode().map_err(|f| f.errno)?;
        // `tools/testing/scenarios/` read this one.
        assert_eq!(fpga.mode().name(), "user mode");
        assert_eq!(Mode::Reset.name(), "reset");
        assert_eq!(Mode::Error.name(), "error");
        Ok(())
    }
}
