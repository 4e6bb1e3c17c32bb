// SPDX-License-Identifier: GPL-2.0

//! A low-level FPGA manager driver for a simulated Xilinx Zynq-7000 / 7-series FPGA, written
//! only against the safe API (`fpga/manager.rs`).
//!
//! The FPGA is software (`sim_zynq/engine.rs`). As upstream's `zynq-fpga.c`, whose PCAP DMAs
//! the bitstream, the driver takes every image as a scatter-gather table (`write_sg`, no
//! `write`): the core describes buffers and firmware files by a table of their pages.
//! `parse_header` reads the header of a .bit file (`sim_zynq/bit_header.rs`) and refuses one
//! built for another part; a .bin has no header. `write_init` pulses PROG_B (or, for
//! `FPGA_MGR_PARTIAL_RECONFIG`, keeps the running design) and notes where the configuration
//! data lies; `write_sg` feeds it, page by page, to the configuration logic, which reads the
//! packets after the sync word 0xAA995566 in either byte order; `write_complete` waits for
//! DONE. A corrupt, truncated or wrong-device bitstream fails like on the hardware, with the
//! matching bits in sysfs `status`.
//! What the FPGA holds is readable in debugfs, `<device name>/fabric`.
//!
//! It manages one FPGA on the faux device `sim-zynq` (unless `faux=0`) and one on each platform
//! device of a device-tree node compatible with `fpga-rs,sim-zynq`.

use kernel::{
    device::{
        Bound,
        Device, //
    },
    fmt,
    prelude::*,
    sync::{
        Arc,
        Mutex, //
    },
    time::Delta, //
};

mod bit_header;
mod engine;
#[path = "../../fpga/mod.rs"]
pub mod fpga;
#[path = "../sim/mod.rs"]
pub mod sim;

use fpga::{
    manager,
    sg_image, //
};
use sim::{
    binding,
    crc32,
    fabric,
    fault,
    name,
    poll, //
};

use binding::{
    SimDevice,
    SimModule, //
};
use bit_header::Parsed;
use engine::{
    ByteOrder,
    Engine,
    Mode, //
};
use fabric::{
    Fabric,
    FpgaData, //
};
use fault::Fault;
use manager::{
    status,
    ImageInfo,
    Ops,
    State, //
};
use name::Name;
use sg_image::SgImage;

module! {
    type: SimModule<Instance>,
    name: "sim_zynq",
    authors: ["fpga-rs developers"],
    description: "Simulated Xilinx Zynq-7000 / 7-series FPGA manager",
    license: "GPL",
    params: {
        idcode: u32 {
            default: 0x0372_7093,
            description: "IDCODE of the simulated FPGA (XC7Z020 by default); bitstreams for \
                          another device are refused",
        },
        faux: u32 {
            default: 1,
            description: "Manage one FPGA on the faux device sim-zynq (0: device tree only)",
        },
        pause: u32 {
            default: 0,
            description: "1: pause the first write of each programming until a number is written \
                          to debugfs <device>/release (at most 300 s), for tests",
        },
        done_timeout_ms: u32 {
            default: 100,
            description: "How long write_complete waits for DONE when the image info has no \
                          config_complete_timeout_us",
        },
        vendor_name: u32 {
            default: 0,
            description: "1: name the manager \"Xilinx Zynq FPGA Manager\", the name of the \
                          vendor's and upstream's zynq-fpga driver, which dfx-mgr requires",
        },
        fail_write: u32 {
            default: 0,
            description: "Fail at the N-th chunk (page) of each programming with INIT_B low \
                          (0: never)",
        },
    },
}

/// The name of each manager in sysfs.
const NAME: &CStr = c"Xilinx Zynq FPGA Manager (fpga-rs simulation)";

/// The name with `vendor_name=1`: `zynq-fpga.c`'s, which tools compare exactly (dfx-mgr).
const VENDOR_NAME: &CStr = c"Xilinx Zynq FPGA Manager";

/// The part names (as in a .bit header, without package) of known IDCODEs.
const PARTS: [(u32, &[u8]); 5] = [
    (0x0372_2093, b"7z010"),
    (0x0372_7093, b"7z020"),
    (0x0372_c093, b"7z030"),
    (0x0373_1093, b"7z045"),
    (0x0362_d093, b"7a35t"),
];

/// The part name of the device with `idcode`, if known.
fn part_of(idcode: u32) -> Option<&'static [u8]> {
    PARTS
        .iter()
        .find(|(id, _)| id & 0x0fff_ffff == idcode & 0x0fff_ffff)
        .map(|(_, part)| *part)
}

/// The simulated FPGA and what the driver tracks of the programming in progress.
struct Fpga {
    engine: Engine,
    /// The design name of the bitstream being programmed, from its .bit header.
    design: Name,
    /// Where the configuration data of the image being programmed starts: after its .bit
    /// header (`header_size` in `write_init`).
    data_offset: usize,
    /// How many bytes of configuration data it has (`data_size`; 0: to the end).
    data_len: usize,
    /// Chunks written of the current programming.
    writes: u32,
}

/// The driver data of one manager.
type SimZynq = FpgaData<Fpga>;

impl SimZynq {
    /// Feeds one chunk of configuration data to the FPGA.
    fn write_chunk(&self, data: &[u8]) -> Result {
        self.pause.wait(&self.dev)?;
        let mut fpga = self.fpga.lock();
        fpga.writes += 1;
        if let Some(fault) = fault::injected(
            fpga.writes,
            *module_parameters::fail_write.value(),
            "injected failure (fail_write): INIT_B low at chunk",
        ) {
            let fault = fpga.engine.fail(fault);
            return Err(self.report("write_sg", fault));
        }
        fpga.engine
            .write(data)
            .map_err(|f| self.report("write_sg", f))
    }
}

#[vtable]
impl Ops for SimZynq {
    const INITIAL_HEADER_SIZE: usize = 64;

    fn state(&self) -> State {
        match self.fpga.lock().engine.mode() {
            Mode::PowerUp => State::PowerUp,
            Mode::Operating => State::Operating,
            Mode::Config | Mode::Error => State::Unknown,
        }
    }

    fn status(&self) -> u64 {
        self.fpga.lock().engine.outcome().status()
    }

    fn parse_header(&self, info: &mut ImageInfo, image: &[u8]) -> Result {
        let mut fpga = self.fpga.lock();
        fpga.engine.begin();
        match bit_header::parse(image) {
            Ok(Parsed::Raw) => {
                fpga.design = Name::EMPTY;
                info.set_header_size(0);
                info.set_data_size(0);
                Ok(())
            }
            Ok(Parsed::NeedMore(size)) => {
                info.set_header_size(size);
                Err(EAGAIN)
            }
            Ok(Parsed::Bit(header)) => {
                let idcode = *module_parameters::idcode.value();
                if let Some(part) = part_of(idcode) {
                    if !header.part.as_bytes().starts_with(part) {
                        dev_err!(
                            self.dev,
                            "parse_header: bitstream is for part {}, this FPGA is a {}\n",
                            header.part,
                            Name::new(part)
                        );
                        let fault = fpga.engine.reject(Fault::new(
                            EINVAL,
                            status::INCOMPATIBLE_IMAGE_ERR,
                            "wrong part in the .bit header",
                            idcode.into(),
                        ));
                        return Err(fault.errno);
                    }
                }
                fpga.design = header.design;
                info.set_header_size(header.data_offset);
                info.set_data_size(header.data_len);
                Ok(())
            }
            Err(fault) => Err(self.report("parse_header", fpga.engine.reject(fault))),
        }
    }

    fn write_init(&self, info: &ImageInfo, _header: &[u8]) -> Result {
        self.pause.arm();
        let mut fpga = self.fpga.lock();
        fpga.writes = 0;
        fpga.data_offset = info.header_size();
        fpga.data_len = info.data_size();
        let design = fpga.design;
        fpga.engine
            .write_init(info.partial(), design)
            .map_err(|f| self.report("write_init", f))
    }

    fn write_sg(&self, image: &SgImage) -> Result {
        // The devcfg DMA reads from 64-bit aligned addresses (UG585, "PCAP"), as
        // drivers/fpga/zynq-fpga.c checks for each entry.
        image.for_each_entry(|offset, _| {
            if offset % 8 != 0 {
                dev_err!(
                    self.dev,
                    "Invalid bitstream, chunks must be aligned: an entry at page offset {offset}\n"
                );
                return Err(EINVAL);
            }
            Ok(())
        })?;
        let (start, len) = {
            let fpga = self.fpga.lock();
            (fpga.data_offset, fpga.data_len)
        };
        let size = image.len();
        let end = match len {
            0 => size,
            len => start.saturating_add(len),
        };
        if start > end || end > size {
            dev_err!(
                self.dev,
                "write_sg: configuration data at {start}..{end} outruns the {size}-byte image\n"
            );
            return Err(EINVAL);
        }
        // ... and moves whole 32-bit words.
        if (end - start) % 4 != 0 {
            dev_err!(
                self.dev,
                "Invalid bitstream: {} bytes of configuration data are no whole number of 32-bit words\n",
                end - start
            );
            return Err(EINVAL);
        }
        image.for_each_chunk_in(start..end, |chunk| self.write_chunk(chunk))
    }

    fn write_complete(&self, info: &ImageInfo) -> Result {
        let timeout_us = match info.config_complete_timeout_us() {
            0 => i64::from(*module_parameters::done_timeout_ms.value()) * 1000,
            us => i64::from(us),
        };
        let done = poll::poll_timeout(
            || Ok(self.fpga.lock().engine.done()),
            |&done| done,
            Delta::from_micros(200),
            Delta::from_micros(timeout_us),
            Delta::ZERO,
        );
        let mut fpga = self.fpga.lock();
        if done.is_err() {
            let fault = fpga.engine.done_timeout();
            return Err(self.report("write_complete", fault));
        }
        let (bytes, crc) = fpga.engine.outcome().received();
        dev_info!(
            self.dev,
            "DONE: {}configuration {:?}, {} bytes of frame data, crc32 {:#010x}\n",
            if info.partial() { "partial " } else { "" },
            fpga.design,
            bytes,
            crc
        );
        Ok(())
    }
}

/// Writes one configuration's line of the debugfs file.
fn show_loaded(
    f: &mut fmt::Formatter<'_>,
    what: &str,
    loaded: Option<engine::Loaded>,
) -> fmt::Result {
    match loaded {
        Some(l) if l.design.is_empty() => writeln!(
            f,
            "{what}: raw .bin, {} bytes, crc32 {:#010x}",
            l.bytes, l.crc32
        ),
        Some(l) => writeln!(
            f,
            "{what}: {:?}, {} bytes, crc32 {:#010x}",
            l.design, l.bytes, l.crc32
        ),
        None => writeln!(f, "{what}: none"),
    }
}

/// The debugfs file `fabric`: what the FPGA holds.
fn show_fabric(fpga: &Arc<Mutex<Fpga>>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let fpga = fpga.lock();
    let engine = &fpga.engine;
    writeln!(f, "mode: {}", engine.mode().name())?;
    writeln!(
        f,
        "pins: INIT_B={} DONE={}",
        u8::from(engine.init_b()),
        u8::from(engine.done())
    )?;
    let order = match engine.byte_order() {
        Some(ByteOrder::Natural) => "natural",
        Some(ByteOrder::Swapped) => "byte-swapped",
        None => "none",
    };
    writeln!(f, "byte order: {order}")?;
    let (base, partial) = engine.loaded();
    show_loaded(f, "image", base)?;
    show_loaded(f, "partial", partial)?;
    fabric::show_outcome(f, engine.outcome())
}

/// One simulated FPGA: its manager and its debugfs file.
type Instance = Fabric<Fpga>;

crate::sim_driver!(
    Instance,
    faux: c"sim-zynq",
    driver: c"sim_zynq",
    compatible: c"fpga-rs,sim-zynq",
);

impl SimDevice for Instance {
    /// A fresh FPGA with its manager on `dev`, owned by `module`.
    fn bind(dev: &Device<Bound>, module: &'static ThisModule) -> Result<Self> {
        let fpga = Fpga {
            engine: Engine::new(*module_parameters::idcode.value()),
            design: Name::EMPTY,
            data_offset: 0,
            data_len: 0,
            writes: 0,
        };
        let name = if *module_parameters::vendor_name.value() != 0 {
            VENDOR_NAME
        } else {
            NAME
        };
        Fabric::new(
            dev,
            name,
            fpga,
            &show_fabric,
            *module_parameters::pause.value() != 0,
            module,
        )
    }
}
