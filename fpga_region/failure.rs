// SPDX-License-Identifier: GPL-2.0

//! Which step of a load failed, and why: what `status` of a configfs image shows
//! (`error <step> <ERRNO>`), what its uevent carries, and what the kernel log says.
//!
//! ABI: `Documentation/ABI/testing/configfs-fpga-region`.

use crate::ffi::{
    bindings,
    errno::ErrnoName, //
};
use kernel::prelude::*;

/// A step of a load, in the order a load runs them. The names are ABI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// The region: busy (another image is loaded or loading) or gone.
    Region,
    /// The overlay file: missing or not a valid overlay, or a fragment for another node.
    Overlay,
    /// The image info: no image named, unknown flags.
    Image,
    /// The manager: gone (its driver was unloaded) or busy.
    Manager,
    /// Getting or claiming the region's bridges.
    Bridges,
    /// Disabling (freezing) the bridges before programming.
    BridgeDisable,
    /// The manager's steps (`enum fpga_mgr_states`): the firmware request, then the driver's ops.
    Firmware,
    ParseHeader,
    WriteInit,
    Write,
    WriteComplete,
    /// The manager failed in no step its state names.
    Load,
    /// Enabling the bridges after programming.
    BridgeEnable,
    /// Adding the image's devices (applying the overlay).
    Populate,
}

impl Step {
    /// The step's name in `status` and uevents.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Step::Region => "region",
            Step::Overlay => "overlay",
            Step::Image => "image",
            Step::Manager => "manager",
            Step::Bridges => "bridges",
            Step::BridgeDisable => "bridge_disable",
            Step::Firmware => "firmware",
            Step::ParseHeader => "parse_header",
            Step::WriteInit => "write_init",
            Step::Write => "write",
            Step::WriteComplete => "write_complete",
            Step::Load => "load",
            Step::BridgeEnable => "bridge_enable",
            Step::Populate => "populate",
        }
    }

    /// The manager's step that failed, from the state a failed `fpga_mgr_load()` left it in.
    pub(crate) fn of_manager_state(state: bindings::fpga_mgr_states) -> Self {
        match state {
            bindings::fpga_mgr_states_FPGA_MGR_STATE_FIRMWARE_REQ_ERR => Step::Firmware,
            bindings::fpga_mgr_states_FPGA_MGR_STATE_PARSE_HEADER_ERR => Step::ParseHeader,
            bindings::fpga_mgr_states_FPGA_MGR_STATE_WRITE_INIT_ERR => Step::WriteInit,
            bindings::fpga_mgr_states_FPGA_MGR_STATE_WRITE_ERR => Step::Write,
            bindings::fpga_mgr_states_FPGA_MGR_STATE_WRITE_COMPLETE_ERR => Step::WriteComplete,
            _ => Step::Load,
        }
    }
}

/// A failed step and its error.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Failure {
    pub(crate) step: Step,
    pub(crate) err: Error,
}

impl Failure {
    pub(crate) fn new(step: Step, err: Error) -> Self {
        Self { step, err }
    }
}

impl From<Failure> for Error {
    fn from(f: Failure) -> Error {
        f.err
    }
}

/// Tags the error of a step with the step.
pub(crate) trait AtStep<T> {
    fn at(self, step: Step) -> Result<T, Failure>;
}

impl<T> AtStep<T> for Result<T> {
    fn at(self, step: Step) -> Result<T, Failure> {
        self.map_err(|err| Failure::new(step, err))
    }
}

/// Writes `<step> <ERRNO>` (or `<step> E<number>` for an errno the table lacks).
pub(crate) fn write_step_errno(
    f: &mut impl core::fmt::Write,
    failure: &Failure,
) -> core::fmt::Result {
    write!(f, "{} {}", failure.step.name(), ErrnoName(failure.err))
}
