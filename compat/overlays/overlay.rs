// SPDX-License-Identifier: GPL-2.0

//! One item of `device-tree/overlays`: an overlay applied from a file (`path`) or from a blob
//! (`dtbo`), once, and removed with the item (`rmdir`).

use crate::{
    check,
    errno::ErrnoName,
    ffi_overlay::Applied,
    orphans, //
};
use core::fmt::Write;
use kernel::{
    device::Device,
    firmware::Firmware,
    new_mutex,
    prelude::*,
    str::CString,
    sync::{
        aref::ARef,
        Mutex, //
    }, //
};

/// The most bytes `dtbo` takes, as the vendor kernels' and dtbocfg's (`SZ_1M`).
pub(crate) const DTBO_MAX: usize = 1 << 20;

/// What an item holds.
#[derive(Default)]
struct State {
    /// The overlay file applied through `path`.
    path: Option<CString>,
    /// The blob written to `dtbo` and applied.
    dtbo: KVVec<u8>,
    /// The applied overlay, removed when the item goes.
    applied: Option<Applied>,
    /// Why the last application failed.
    error: Option<Error>,
    /// An application is under way (the state's lock is not held across it, so that `status`
    /// and `path` can be read meanwhile).
    applying: bool,
}

/// An overlay item.
#[pin_data]
pub(crate) struct Overlay {
    /// The device the overlay files are requested for.
    dev: ARef<Device>,
    /// The item's name, for the log.
    name: CString,
    #[pin]
    state: Mutex<State>,
}

impl Overlay {
    pub(crate) fn new(dev: ARef<Device>, name: CString) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            dev,
            name,
            state <- new_mutex!(State::default()),
        })
    }

    fn name(&self) -> &str {
        self.name.to_str().unwrap_or("?")
    }

    /// Takes the item for an application: `EPERM` if it holds an overlay (or gets one), as on
    /// the vendor kernels.
    fn begin(&self) -> Result {
        let mut state = self.state.lock();
        if state.applied.is_some() || state.applying {
            pr_err!(
                "overlay {}: holds an overlay already: remove the directory and make it again\n",
                self.name()
            );
            return Err(EPERM);
        }
        state.applying = true;
        Ok(())
    }

    /// Ends an application begun with [`Overlay::begin`]: records its outcome.
    fn end(&self, result: Result<Applied>, path: Option<CString>, dtbo: KVVec<u8>) -> Result {
        let mut state = self.state.lock();
        state.applying = false;
        match result {
            Ok(applied) => {
                state.applied = Some(applied);
                state.path = path;
                state.dtbo = dtbo;
                state.error = None;
                Ok(())
            }
            Err(e) => {
                pr_err!("overlay {}: not applied: {}\n", self.name(), ErrnoName(e));
                state.error = Some(e);
                Err(e)
            }
        }
    }

    /// `path`: applies the overlay file `text` names (under `/lib/firmware`, or the firmware
    /// loader's path), before the write returns, which returns the errno.
    pub(crate) fn store_path(&self, text: &[u8]) -> Result {
        let text = text.strip_suffix(b"\n").unwrap_or(text);
        if text.is_empty() || text.contains(&0) {
            return Err(EINVAL);
        }
        let mut bytes = KVec::with_capacity(text.len() + 1, GFP_KERNEL)?;
        bytes.extend_from_slice(text, GFP_KERNEL)?;
        bytes.push(0, GFP_KERNEL)?;
        let file = CStr::from_bytes_with_nul(&bytes).map_err(|_| EINVAL)?;
        // What `path` reads back, allocated before anything is applied.
        let path = CString::try_from(file)?;
        self.begin()?;
        let result = Firmware::request(file, &self.dev)
            .inspect_err(|e| {
                pr_err!(
                    "overlay {}: file {}: {}\n",
                    self.name(),
                    file.to_str().unwrap_or("?"),
                    ErrnoName(*e)
                )
            })
            .and_then(|fw| check::apply(&self.name, fw.data()));
        self.end(result, Some(path), KVVec::new())
    }

    /// `path`: the file applied, or an empty line.
    pub(crate) fn show_path(&self, page: &mut impl Write) -> core::fmt::Result {
        match &self.state.lock().path {
            Some(path) => writeln!(page, "{}", path.to_str().unwrap_or("?")),
            None => writeln!(page),
        }
    }

    /// `dtbo`: applies the blob written (configfs calls this at `close(2)`, and ignores its
    /// result: the outcome shows in `status`). The blob is kept, for reading back, if it was
    /// applied.
    pub(crate) fn write_dtbo(&self, blob: &[u8]) -> Result {
        let mut dtbo = KVVec::with_capacity(blob.len(), GFP_KERNEL)?;
        dtbo.extend_from_slice(blob, GFP_KERNEL)?;
        self.begin()?;
        let result = check::apply(&self.name, &dtbo);
        self.end(result, None, dtbo)
    }

    /// `dtbo`: the blob applied, copied into `out` if given; its size.
    pub(crate) fn read_dtbo(&self, out: Option<&mut [u8]>) -> Result<usize> {
        let state = self.state.lock();
        if let Some(out) = out {
            let n = state.dtbo.len().min(out.len());
            out[..n].copy_from_slice(&state.dtbo[..n]);
            return Ok(n);
        }
        Ok(state.dtbo.len())
    }

    /// `status`: `applied`, `unapplied`, or `error <ERRNO>` after a failed application.
    pub(crate) fn show_status(&self, page: &mut impl Write) -> core::fmt::Result {
        let state = self.state.lock();
        match (&state.applied, state.error) {
            (Some(_), _) => writeln!(page, "applied"),
            (None, Some(e)) => writeln!(page, "error {}", ErrnoName(e)),
            (None, None) => writeln!(page, "unapplied"),
        }
    }

    /// The item goes (`rmdir`): its overlay is removed, or, while overlays applied after it
    /// change its nodes (the overlay core refuses with `EBUSY`: a partial reconfiguration's
    /// overlay on the region this one added), kept with the orphans until they are gone.
    pub(crate) fn remove(&self) {
        let Some(applied) = self.state.lock().applied.take() else {
            return;
        };
        orphans::remove(self.name(), applied);
    }
}
