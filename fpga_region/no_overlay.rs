// SPDX-License-Identifier: GPL-2.0

//! Without `CONFIG_OF_OVERLAY`: no region takes a configfs image's overlay (`-EOPNOTSUPP`).

use crate::{
    failure::{
        Failure,
        Step, //
    },
    image::Settings,
    region::Region, //
};
use kernel::prelude::*;

/// No region takes overlays.
pub(crate) fn supported(_region: &Region) -> bool {
    false
}

/// An applied overlay: never one.
pub(crate) enum Applied {}

impl Applied {
    pub(crate) fn remove(self) -> Result<(), (Self, Error)> {
        match self {}
    }

    pub(crate) fn leak(self) {
        match self {}
    }
}

/// Refused: no overlay support.
pub(crate) fn load(
    _region: &Region,
    _image: usize,
    _name: &CStr,
    _settings: &Settings,
) -> Result<Applied, Failure> {
    Err(Failure::new(
        Step::Overlay,
        crate::ffi::errno::errno(crate::ffi::bindings::EOPNOTSUPP),
    ))
}

/// No overlay notifier.
pub(crate) struct Notifier(());

impl Notifier {
    pub(crate) fn register() -> Result<Self> {
        Ok(Self(()))
    }
}
