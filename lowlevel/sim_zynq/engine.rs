// SPDX-License-Identifier: GPL-2.0

//! The configuration logic of a simulated Xilinx 7-series / Zynq-7000 FPGA, without a device:
//! the bitstream it accepts, its pins, and what it keeps of the last bitstream. The driver
//! (`sim_zynq.rs`) drives it from the FPGA manager ops; the KUnit suite `sim_zynq_engine` tests
//! it directly.
//!
//! As on the hardware (UG470, "Configuration Details"), a full configuration starts with a
//! PROG_B pulse that clears the configuration memory; the device then ignores everything up to
//! the sync word 0xAA995566 and reads configuration packets (big-endian 32-bit words):
//!
//! - type 1 header `001 op(2) 0(9) reg(5) 00 count(11)`, `op` 2 = write, then `count` words for
//!   register `reg`;
//! - type 2 header `010 op(2) count(27)`: `count` more words for the register of the last type 1.
//!
//! The registers the simulation acts on: IDCODE (12) must match the device before any frame
//! data; CMD (4) takes WCFG (1, write configuration), RCRC (7, reset CRC), START (5, startup)
//! and DESYNC (13, end of the bitstream); FDRI (2) takes frame data, only after WCFG; CRC (0)
//! must equal the CRC-32 of the frame data since the last RCRC. START then DESYNC raise DONE.
//! Zynq's PCAP takes .bin files whose 32-bit words are byte-swapped: the byte order is found from
//! the sync word, and both are accepted.

use crate::crc32::Crc32;
use crate::fault::Fault;
use crate::manager::status;
use crate::name::Name;
use crate::sim::outcome::Outcome;
use kernel::prelude::*;

/// The sync word, in configuration (big-endian) byte order.
pub(crate) const SYNC_WORD: u32 = 0xAA99_5566;
/// Bytes before the sync word that are neither dummy words nor bus-width patterns, after which
/// the image is refused.
pub(crate) const MAX_PRESYNC_GARBAGE: usize = 256;
/// The size of the configuration memory, in bytes of frame data.
pub(crate) const CONFIG_MEMORY_SIZE: usize = 4 << 20;

/// Configuration registers.
pub(crate) mod reg {
    /// CRC check.
    pub(crate) const CRC: u32 = 0;
    /// Frame data input.
    pub(crate) const FDRI: u32 = 2;
    /// Command.
    pub(crate) const CMD: u32 = 4;
    /// Device ID.
    pub(crate) const IDCODE: u32 = 12;
}

/// Commands of the CMD register.
pub(crate) mod cmd {
    /// Write configuration data.
    pub(crate) const WCFG: u32 = 1;
    /// Begin the startup sequence.
    pub(crate) const START: u32 = 5;
    /// Reset the CRC register.
    pub(crate) const RCRC: u32 = 7;
    /// End of the bitstream.
    pub(crate) const DESYNC: u32 = 13;
}

/// The device's state, as its INIT_B and DONE pins tell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Powered, never configured.
    PowerUp,
    /// Configuration memory cleared (INIT_B high), reading the bitstream.
    Config,
    /// DONE is high: the design runs.
    Operating,
    /// A configuration error (INIT_B low).
    Error,
}

impl Mode {
    /// The mode's name in debugfs.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Mode::PowerUp => "power up",
            Mode::Config => "configuration",
            Mode::Operating => "operating",
            Mode::Error => "error",
        }
    }
}

/// How the bitstream's 32-bit words are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ByteOrder {
    /// As in .bit files and for 7-series SelectMAP/SPI: big-endian.
    Natural,
    /// Byte-swapped words, as Zynq's PCAP wants (.bin from `bootgen -process_bitstream`).
    Swapped,
}

/// A bitstream that configured the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Loaded {
    /// The design name of its .bit header (empty for a .bin).
    pub(crate) design: Name,
    /// Whether it was a partial reconfiguration.
    pub(crate) partial: bool,
    /// Bytes of frame data.
    pub(crate) bytes: usize,
    /// CRC-32 of the frame data.
    pub(crate) crc32: u32,
}

/// Where the packet processor is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stream {
    /// Looking for the sync word.
    Searching,
    /// Reading packet headers.
    Synced,
    /// Reading `left` words for `reg`.
    Payload { reg: u32, left: u32 },
    /// After DESYNC: the rest is ignored.
    Desynced,
}

/// The configuration logic and memory of one simulated device.
pub(crate) struct Engine {
    idcode: u32,
    mode: Mode,
    stream: Stream,
    order: Option<ByteOrder>,
    word: [u8; 4],
    word_len: usize,
    words: u64,
    garbage: usize,
    last_reg: u32,
    id_ok: bool,
    wcfg: bool,
    started: bool,
    partial: bool,
    design: Name,
    crc: Crc32,
    base: Option<Loaded>,
    partial_loaded: Option<Loaded>,
    /// The frame data of the current (or last) bitstream, the count of those that raised DONE,
    /// and the last failure.
    outcome: Outcome,
}

impl Engine {
    /// The outcome of the bitstreams so far: `received()`, `programmings()`, `fault()` and
    /// `status()`.
    pub(crate) fn outcome(&self) -> &Outcome {
        &self.outcome
    }

    /// A powered, unconfigured device whose IDCODE is `idcode`.
    pub(crate) const fn new(idcode: u32) -> Self {
        Self {
            idcode,
            mode: Mode::PowerUp,
            stream: Stream::Searching,
            order: None,
            word: [0; 4],
            word_len: 0,
            words: 0,
            garbage: 0,
            last_reg: 0,
            id_ok: false,
            wcfg: false,
            started: false,
            partial: false,
            design: Name::EMPTY,
            crc: Crc32::new(),
            base: None,
            partial_loaded: None,
            outcome: Outcome::new(),
        }
    }

    /// The device's mode.
    pub(crate) fn mode(&self) -> Mode {
        self.mode
    }

    /// Whether DONE is high.
    pub(crate) fn done(&self) -> bool {
        self.mode == Mode::Operating
    }

    /// INIT_B: low when configuration failed.
    pub(crate) fn init_b(&self) -> bool {
        self.mode != Mode::Error
    }

    /// The byte order of the last bitstream, once its sync word was seen.
    pub(crate) fn byte_order(&self) -> Option<ByteOrder> {
        self.order
    }

    /// The full configuration the device runs, and the partial one on top of it.
    pub(crate) fn loaded(&self) -> (Option<Loaded>, Option<Loaded>) {
        (self.base, self.partial_loaded)
    }

    /// Stops the configuration with `fault` (INIT_B low) and returns it.
    pub(crate) fn fail(&mut self, fault: Fault) -> Fault {
        self.mode = Mode::Error;
        self.base = None;
        self.partial_loaded = None;
        self.outcome.fail(fault)
    }

    /// A new programming begins (`parse_header`): the last one's failure is forgotten.
    pub(crate) fn begin(&mut self) {
        self.outcome.forget_fault();
    }

    /// Refuses a bitstream with `fault` before it reaches the device, which stays as it is.
    pub(crate) fn reject(&mut self, fault: Fault) -> Fault {
        self.outcome.fail(fault)
    }

    /// `write_init`: a full configuration pulses PROG_B, which clears the device; a partial one
    /// (`partial`) keeps the running design and needs DONE high. `design` names the bitstream
    /// (from its .bit header; empty for a .bin).
    pub(crate) fn write_init(&mut self, partial: bool, design: Name) -> Result<(), Fault> {
        if partial && self.mode != Mode::Operating {
            return Err(self.reject(Fault::new(
                EINVAL,
                status::OPERATION_ERR,
                "partial reconfiguration needs a configured device (DONE low); mode",
                self.mode as u64,
            )));
        }
        let (base, partial_loaded) = if partial {
            (self.base, self.partial_loaded)
        } else {
            (None, None)
        };
        *self = Self {
            mode: Mode::Config,
            partial,
            design,
            base,
            partial_loaded,
            outcome: self.outcome,
            ..Self::new(self.idcode)
        };
        self.outcome.start();
        Ok(())
    }

    /// `write`: streams the next `chunk` of the bitstream (after any .bit header).
    pub(crate) fn write(&mut self, chunk: &[u8]) -> Result<(), Fault> {
        match self.mode {
            Mode::Config => {}
            // Trailing bytes after DESYNC are ignored.
            Mode::Operating => return Ok(()),
            Mode::Error => return Err(self.outcome.failure()),
            Mode::PowerUp => {
                return Err(self.fail(Fault::new(
                    EINVAL,
                    status::IP_PROTOCOL_ERR,
                    "data written before write_init",
                    0,
                )))
            }
        }
        for &b in chunk {
            self.word[self.word_len] = b;
            self.word_len += 1;
            if self.word_len == 4 {
                self.word_len = 0;
                self.words += 1;
                let word = self.word;
                self.process(word)?;
            }
        }
        Ok(())
    }

    /// Processes one 32-bit word as stored in the image.
    fn process(&mut self, raw: [u8; 4]) -> Result<(), Fault> {
        let order = match (self.stream, self.order) {
            (Stream::Searching, _) => return self.search(raw),
            (Stream::Desynced, _) => return Ok(()),
            (_, Some(order)) => order,
            (_, None) => ByteOrder::Natural,
        };
        let word = match order {
            ByteOrder::Natural => u32::from_be_bytes(raw),
            ByteOrder::Swapped => u32::from_le_bytes(raw),
        };
        match self.stream {
            Stream::Payload { reg, left } => {
                self.stream = if left > 1 {
                    Stream::Payload {
                        reg,
                        left: left - 1,
                    }
                } else {
                    Stream::Synced
                };
                self.register_write(reg, word)
            }
            _ => self.packet_header(word),
        }
    }

    /// Before the sync word: skips dummy and bus-width words, finds the byte order.
    fn search(&mut self, raw: [u8; 4]) -> Result<(), Fault> {
        let sync = SYNC_WORD.to_be_bytes();
        if raw == sync {
            self.order = Some(ByteOrder::Natural);
            self.stream = Stream::Synced;
        } else if raw == SYNC_WORD.to_le_bytes() {
            self.order = Some(ByteOrder::Swapped);
            self.stream = Stream::Synced;
        } else if !matches!(
            u32::from_be_bytes(raw),
            0xFFFF_FFFF | 0x0000_00BB | 0xBB00_0000 | 0x1122_0044 | 0x4400_2211
        ) {
            self.garbage += 4;
            if self.garbage > MAX_PRESYNC_GARBAGE {
                return Err(self.fail(Fault::new(
                    EINVAL,
                    status::INCOMPATIBLE_IMAGE_ERR,
                    "no sync word 0xAA995566: not a Xilinx bitstream; bytes read",
                    self.words * 4,
                )));
            }
        }
        Ok(())
    }

    /// A packet header word.
    fn packet_header(&mut self, word: u32) -> Result<(), Fault> {
        let opcode = (word >> 27) & 3;
        match word >> 29 {
            1 => {
                let reg = (word >> 13) & 0x1f;
                let count = word & 0x7ff;
                self.last_reg = reg;
                if opcode == 2 && count > 0 {
                    self.stream = Stream::Payload { reg, left: count };
                }
                Ok(())
            }
            2 => {
                let count = word & 0x07ff_ffff;
                if opcode == 2 && count > 0 {
                    self.stream = Stream::Payload {
                        reg: self.last_reg,
                        left: count,
                    };
                }
                Ok(())
            }
            _ => Err(self.fail(Fault::new(
                EINVAL,
                status::IP_PROTOCOL_ERR,
                "bad configuration packet header at byte",
                (self.words - 1) * 4,
            ))),
        }
    }

    /// A word written to configuration register `reg`.
    fn register_write(&mut self, reg: u32, word: u32) -> Result<(), Fault> {
        match reg {
            reg::IDCODE => {
                if word & 0x0fff_ffff != self.idcode & 0x0fff_ffff {
                    return Err(self.fail(Fault::new(
                        EINVAL,
                        status::INCOMPATIBLE_IMAGE_ERR,
                        "ID_ERROR: bitstream is for another device; its IDCODE",
                        word.into(),
                    )));
                }
                self.id_ok = true;
            }
            reg::FDRI => {
                if !self.id_ok || !self.wcfg {
                    return Err(self.fail(Fault::new(
                        EINVAL,
                        status::IP_PROTOCOL_ERR,
                        "frame data before the IDCODE check and WCFG; at byte",
                        (self.words - 1) * 4,
                    )));
                }
                let (received, _) = self.outcome.received();
                if received + 4 > CONFIG_MEMORY_SIZE {
                    return Err(self.fail(Fault::new(
                        EINVAL,
                        status::FIFO_OVERFLOW_ERR,
                        "frame data overflows the configuration memory; bytes",
                        received as u64,
                    )));
                }
                let bytes = word.to_be_bytes();
                self.crc.update(&bytes);
                self.outcome.receive(&bytes);
            }
            reg::CRC => {
                if word != self.crc.value() {
                    return Err(self.fail(Fault::new(
                        EIO,
                        status::CRC_ERR,
                        "CRC_ERROR: frame data does not match the bitstream's CRC",
                        word.into(),
                    )));
                }
            }
            reg::CMD => match word {
                cmd::WCFG => self.wcfg = true,
                cmd::RCRC => self.crc = Crc32::new(),
                cmd::START => self.started = true,
                cmd::DESYNC => {
                    self.stream = Stream::Desynced;
                    if self.started && self.outcome.received().0 > 0 {
                        self.configured();
                    }
                }
                _ => {}
            },
            _ => {}
        }
        Ok(())
    }

    /// The startup sequence completed: DONE goes high.
    fn configured(&mut self) {
        let (bytes, crc32) = self.outcome.succeed();
        let loaded = Loaded {
            design: self.design,
            partial: self.partial,
            bytes,
            crc32,
        };
        if self.partial {
            self.partial_loaded = Some(loaded);
        } else {
            self.base = Some(loaded);
        }
        self.mode = Mode::Operating;
    }

    /// The failure of a configuration whose DONE did not come.
    pub(crate) fn done_timeout(&mut self) -> Fault {
        self.fail(Fault::new(
            ETIMEDOUT,
            status::OPERATION_ERR,
            "DONE not asserted: the bitstream ended before START and DESYNC (truncated?); bytes",
            self.words * 4,
        ))
    }
}

/// The sync-word search in both byte orders, the packet checks, DONE and partial
/// reconfiguration, on bitstreams built as `tools/testing/gen-images.py` builds them.
/// Compiled only into the KUnit module `sim_zynq_test`, which provides `crate::sim_images`
/// (`tests/common/sim_images.rs`): the one crate for which Kbuild sets this `fpga_rs_kunit`
/// value (`Documentation/testing.rst`).
#[cfg(fpga_rs_kunit = "sim_zynq_engine")]
#[kunit_tests(sim_zynq_engine)]
mod tests {
    use super::{
        ByteOrder,
        Engine,
        Mode, //
    };
    use crate::crc32::crc32;
    use crate::fault::Fault;
    use crate::manager::status;
    use crate::name::Name;
    use crate::sim_images::{
        pattern,
        Bitstream,
        XC7Z010,
        XC7Z020, //
    };
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
        assert_eq!(fpga.outcome().status(), status::CRC_ERR);
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
        assert_eq!(fpga.outcome().status(), status::INCOMPATIBLE_IMAGE_ERR);
        assert_eq!(
            fpga.outcome().fault().map(|f| f.detail),
            Some(XC7Z010.into())
        );
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
        assert_eq!(fpga.outcome().status(), status::IP_PROTOCOL_ERR);
        Ok(())
    }

    #[test]
    fn no_sync_word_is_refused() -> Result {
        let mut fpga = Engine::new(XC7Z020);
        assert_eq!(
            program(&mut fpga, &pattern(4096, 5)?, 4096, false),
            Err(EINVAL)
        );
        assert_eq!(fpga.outcome().status(), status::INCOMPATIBLE_IMAGE_ERR);
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
        assert_eq!(fpga.outcome().status(), status::OPERATION_ERR);
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
        assert_eq!(fpga.outcome().programmings(), 2);
        // A full configuration (PROG_B) clears both.
        program(&mut fpga, &Bitstream::VALID.build(&base)?, 256, false)?;
        assert!(fpga.loaded().1.is_none());
        Ok(())
    }

    #[test]
    fn received_counts_the_frame_data_of_the_last_bitstream() -> Result {
        let data = pattern(1024, 9)?;
        let mut fpga = Engine::new(XC7Z020);
        program(&mut fpga, &Bitstream::VALID.build(&data)?, 100, false)?;
        assert_eq!(fpga.outcome().received(), (1024, crc32(&data)));
        let bits = Bitstream {
            crc_xor: 1,
            ..Bitstream::VALID
        }
        .build(&data[..512])?;
        assert_eq!(program(&mut fpga, &bits, 100, false), Err(EIO));
        assert_eq!(fpga.outcome().received(), (512, crc32(&data[..512])));
        Ok(())
    }

    #[test]
    fn new_programming_forgets_the_last_failure() -> Result {
        let bits = Bitstream {
            crc_xor: 1,
            ..Bitstream::VALID
        }
        .build(&pattern(512, 10)?)?;
        let mut fpga = Engine::new(XC7Z020);
        assert_eq!(program(&mut fpga, &bits, 64, false), Err(EIO));
        assert_eq!(fpga.outcome().status(), status::CRC_ERR);
        fpga.begin();
        assert_eq!(fpga.outcome().status(), 0);
        assert!(fpga.outcome().fault().is_none());
        Ok(())
    }

    #[test]
    fn rejected_bitstream_leaves_the_running_design() -> Result {
        let data = pattern(1024, 11)?;
        let mut fpga = Engine::new(XC7Z020);
        program(&mut fpga, &Bitstream::VALID.build(&data)?, 256, false)?;
        // As the driver refuses a .bit header for another part, in `parse_header`.
        fpga.begin();
        let fault = fpga.reject(Fault::new(
            EINVAL,
            status::INCOMPATIBLE_IMAGE_ERR,
            "wrong part",
            XC7Z010.into(),
        ));
        assert_eq!(fault.errno, EINVAL);
        assert_eq!(fpga.mode(), Mode::Operating);
        assert!(fpga.done());
        assert_eq!(fpga.loaded().0.map(|l| l.crc32), Some(crc32(&data)));
        assert_eq!(fpga.outcome().status(), status::INCOMPATIBLE_IMAGE_ERR);
        Ok(())
    }

    #[test]
    fn each_mode_has_its_debugfs_name() -> Result {
        let mut fpga = Engine::new(XC7Z020);
        assert_eq!(fpga.mode().name(), "power up");
        fpga.write_init(false, Name::new(b"test"))
            .map_err(|f| f.errno)?;
        assert_eq!(fpga.mode().name(), "configuration");
        fpga.write(&Bitstream::VALID.build(&pattern(256, 12)?)?)
            .map_err(|f| f.errno)?;
        assert_eq!(fpga.mode().name(), "operating");
        fpga.write_init(false, Name::new(b"test"))
            .map_err(|f| f.errno)?;
        assert_eq!(fpga.done_timeout().errno, ETIMEDOUT);
        assert_eq!(fpga.mode().name(), "error");
        Ok(())
    }
}
