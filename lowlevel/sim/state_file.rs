// SPDX-License-Identifier: GPL-2.0

//! The state of a simulated device, shared between its driver ops and a read-only debugfs file
//! `<device name>/<file>` that shows it.

use kernel::{
    debugfs,
    device::Device,
    fmt,
    prelude::*,
    sync::{
        Arc,
        Mutex, //
    }, //
};

/// The debugfs directory of a simulated device and the file that shows its state; both go
/// when this is dropped.
pub struct StateFile<T: Send + 'static> {
    _file: Pin<KBox<debugfs::File<Arc<Mutex<T>>>>>,
    dir: debugfs::Dir,
}

impl<T: Send + 'static> StateFile<T> {
    /// Creates the state `init` of the device `dev`, and its file `name`, which `show` writes.
    pub fn new<F>(
        dev: &Device,
        name: &CStr,
        init: T,
        show: &'static F,
    ) -> Result<(Arc<Mutex<T>>, Self)>
    where
        F: Fn(&Arc<Mutex<T>>, &mut fmt::Formatter<'_>) -> fmt::Result + Send + Sync,
    {
        let state = Arc::pin_init(kernel::new_mutex!(init), GFP_KERNEL)?;
        let dir = debugfs::Dir::new(dev.name());
        let file = KBox::pin_init(
            dir.read_callback_file(name, state.clone(), show),
            GFP_KERNEL,
        )?;
        Ok((state, Self { _file: file, dir }))
    }

    /// The device's debugfs directory, for more files.
    pub fn dir(&self) -> &debugfs::Dir {
        &self.dir
    }
}
