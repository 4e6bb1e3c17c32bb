// SPDX-License-Identifier: GPL-2.0

//! Safe Rust API for low-level FPGA manager drivers.
//!
//! A driver implements [`Ops`] for its device data and creates a [`Registration`]; the
//! registration's existence is the registered manager, and dropping it unregisters it (after
//! `rust/kernel/faux.rs`). The owner module is the driver's own `THIS_MODULE`, so the core pins
//! exactly the module whose code the ops run (upstream hole L8).
//!
//! This file is compiled into each driver module (a Rust module cannot use another module's
//! crate); it talks to `fpga_mgr.ko` through the C API of
//! [`include/linux/fpga/fpga-mgr.h`](srctree/include/linux/fpga/fpga-mgr.h), like a C driver.
//!
//! The parent of a registration is a [`Device<Bound>`]: a manager is registered while its
//! parent is bound (in its driver's probe, or for a faux device of the driver's own,
//! [`super::faux_device`]), as `fpga_mgr.ko` requires to tell the parent's driver module, which
//! it pins with the owner (`lifecycle/owners.rs`). [`Registration::new_foreign_owned`] hands the
//! registration to devres, which drops it when the parent unbinds.
//!
//! Dropping the data after unregistration is sound because of fpga-rs's lifecycle rules
//! (`Documentation/lifecycle.rst`, rules 3 and 4): `fpga_mgr_unregister()` returns only when no
//! op is running, and no op starts afterwards, also for users that still hold the manager. The
//! upstream C core does not wait, so a module on this API does not load there (the [module doc]
//! of `fpga`).
//!
//! [module doc]: super

mod callbacks;
use callbacks::Callbacks;

use super::{
    bindings,
    registration::Registered,
    sg_image::SgImage, //
};
use core::ptr;
use kernel::{
    device::{
        Bound,
        Device, //
    },
    devres,
    error::VTABLE_DEFAULT_ERROR,
    prelude::*, //
};

/// The state of an FPGA, as `enum fpga_mgr_states` and sysfs `state` name it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u32)]
pub enum State {
    /// "unknown"
    Unknown = bindings::fpga_mgr_states_FPGA_MGR_STATE_UNKNOWN,
    /// "power off"
    PowerOff = bindings::fpga_mgr_states_FPGA_MGR_STATE_POWER_OFF,
    /// "power up"
    PowerUp = bindings::fpga_mgr_states_FPGA_MGR_STATE_POWER_UP,
    /// "reset"
    Reset = bindings::fpga_mgr_states_FPGA_MGR_STATE_RESET,
    /// "operating"
    Operating = bindings::fpga_mgr_states_FPGA_MGR_STATE_OPERATING,
}

/// Status bits a driver reports through [`Ops::status`] (`FPGA_MGR_STATUS_*`).
pub mod status {
    use super::bindings;

    /// "reconfig operation error"
    pub const OPERATION_ERR: u64 = bindings::FPGA_MGR_STATUS_OPERATION_ERR;
    /// "reconfig CRC error"
    pub const CRC_ERR: u64 = bindings::FPGA_MGR_STATUS_CRC_ERR;
    /// "reconfig incompatible image"
    pub const INCOMPATIBLE_IMAGE_ERR: u64 = bindings::FPGA_MGR_STATUS_INCOMPATIBLE_IMAGE_ERR;
    /// "reconfig IP protocol error"
    pub const IP_PROTOCOL_ERR: u64 = bindings::FPGA_MGR_STATUS_IP_PROTOCOL_ERR;
    /// "reconfig fifo overflow error"
    pub const FIFO_OVERFLOW_ERR: u64 = bindings::FPGA_MGR_STATUS_FIFO_OVERFLOW_ERR;
}

/// The `FPGA_MGR_*` flags of an image: what a user sets ([`user::Image::set_flags`]) and a
/// driver reads ([`ImageInfo::flags`]).
///
/// [`user::Image::set_flags`]: super::user::Image::set_flags
pub mod flags {
    use super::bindings;

    /// Partial reconfiguration: the rest of the FPGA keeps running.
    pub const PARTIAL_RECONFIG: u32 = bindings::FPGA_MGR_PARTIAL_RECONFIG;
    /// The FPGA was configured before Linux booted: nothing to program.
    pub const EXTERNAL_CONFIG: u32 = bindings::FPGA_MGR_EXTERNAL_CONFIG;
    /// The bitstream is encrypted.
    pub const ENCRYPTED_BITSTREAM: u32 = bindings::FPGA_MGR_ENCRYPTED_BITSTREAM;
    /// The bitstream is to be sent least significant bit first.
    pub const BITSTREAM_LSB_FIRST: u32 = bindings::FPGA_MGR_BITSTREAM_LSB_FIRST;
    /// The bitstream is compressed.
    pub const COMPRESSED_BITSTREAM: u32 = bindings::FPGA_MGR_COMPRESSED_BITSTREAM;
}

/// A compatibility id of an FPGA manager (`struct fpga_compat_id`): 128 bits that name what
/// the static part of the FPGA can take, as DFL's FME reads it from its hardware. A region
/// created for the manager takes it over (`dfl-fme-region.c`) and shows it in sysfs
/// (`/sys/class/fpga_region/regionN/compat_id`, `id_h` then `id_l` as 32 hex digits).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct CompatId {
    /// The high 64 bits.
    pub id_h: u64,
    /// The low 64 bits.
    pub id_l: u64,
}

/// The description of the image being programmed (`struct fpga_image_info`).
///
/// # Invariants
///
/// Only exists as a reference to a valid `struct fpga_image_info` the core passes to an op.
#[repr(transparent)]
pub struct ImageInfo(bindings::fpga_image_info);

impl ImageInfo {
    /// The `FPGA_MGR_*` flags of the image.
    pub fn flags(&self) -> u32 {
        self.0.flags
    }

    /// Whether this is a partial reconfiguration (`FPGA_MGR_PARTIAL_RECONFIG`).
    pub fn partial(&self) -> bool {
        self.0.flags & bindings::FPGA_MGR_PARTIAL_RECONFIG != 0
    }

    /// How long `write_complete` may wait for the FPGA, in microseconds (0: driver's default).
    pub fn config_complete_timeout_us(&self) -> u32 {
        self.0.config_complete_timeout_us
    }

    /// The size of the image's header.
    pub fn header_size(&self) -> usize {
        self.0.header_size
    }

    /// Sets the size of the image's header (from [`Ops::parse_header`]).
    pub fn set_header_size(&mut self, size: usize) {
        self.0.header_size = size;
    }

    /// The size of the image's data after the header (0: to the end).
    pub fn data_size(&self) -> usize {
        self.0.data_size
    }

    /// Sets the size of the image's data (from [`Ops::parse_header`]).
    pub fn set_data_size(&mut self, size: usize) {
        self.0.data_size = size;
    }
}

/// The operations of a low-level FPGA manager driver, called by the core in the order of
/// `Documentation/driver-api/fpga/fpga-mgr.rst`: `parse_header`, `write_init`, `write` (once
/// per chunk), `write_complete`. All are optional.
#[vtable]
pub trait Ops: Send + Sync + Sized {
    /// Bytes of the image `parse_header` and `write_init` need at least.
    const INITIAL_HEADER_SIZE: usize = 0;
    /// Whether `write` starts after the header.
    const SKIP_HEADER: bool = false;

    /// The FPGA's state at registration.
    fn state(&self) -> State {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// The `FPGA_MGR_STATUS_*` bits of the last programming ([`status`]).
    fn status(&self) -> u64 {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Parses the image header in `image`: sets the header and data sizes of `info`, or asks for
    /// a longer header with `EAGAIN` after raising the header size.
    fn parse_header(&self, _info: &mut ImageInfo, _image: &[u8]) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Prepares the FPGA to receive the image; `header` holds at least the header.
    fn write_init(&self, _info: &ImageInfo, _header: &[u8]) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Writes one chunk of the image to the FPGA.
    fn write(&self, _data: &[u8]) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Writes the whole image, described by a scatter-gather table, to the FPGA: for a driver
    /// that DMAs the image ([`SgImage::sg_table`]) or reads it page by page
    /// ([`SgImage::for_each_chunk`]).
    ///
    /// The core calls it once per load, after `write_init`, for an image a user passed as a
    /// table; and, if the driver has no `write`, for a buffer or firmware image too, which the
    /// core then describes by a table of its pages (upstream `fpga_mgr_buf_load()`). The table
    /// holds the whole image, header included: [`Ops::SKIP_HEADER`] and the data size apply to
    /// `write` only, so a driver that has a header skips the header size that
    /// [`Ops::write_init`] saw in its [`ImageInfo`] ([`SgImage::for_each_chunk_in`]).
    fn write_sg(&self, _image: &SgImage) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Finishes the configuration; the FPGA then operates.
    fn write_complete(&self, _info: &ImageInfo) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Puts the FPGA into its final state when the manager is unregistered.
    fn remove(&self) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// A registered FPGA manager with driver data `T`; dropping it unregisters the manager.
///
/// # Invariants
///
/// `reg` holds a manager registered with `Callbacks::<T>::VTABLE` by `fpga_mgr.ko`.
pub struct Registration<T: Ops> {
    reg: Registered<bindings::fpga_manager, T>,
}

impl<T: Ops> Registration<T> {
    /// Registers a manager called `name` for `parent`, whose ops run on `data`, owned by
    /// `module` (the driver's `THIS_MODULE`).
    ///
    /// Fails with `ENOMEM`, or the errno of `__fpga_mgr_register_full()` (`EINVAL` for an
    /// empty `name`).
    pub fn new(
        parent: &Device<Bound>,
        name: &'static CStr,
        data: impl PinInit<T, Error>,
        module: &'static ThisModule,
    ) -> Result<Self> {
        Self::register(parent, name, None, data, module)
    }

    /// As [`Registration::new`], with the compat id `compat_id` (`fpga_manager_info.compat_id`).
    pub fn new_with_compat_id(
        parent: &Device<Bound>,
        name: &'static CStr,
        compat_id: CompatId,
        data: impl PinInit<T, Error>,
        module: &'static ThisModule,
    ) -> Result<Self> {
        Self::register(parent, name, Some(compat_id), data, module)
    }

    /// As [`Registration::new`], but the registration is owned by devres on `parent`
    /// ([`devres::register`]) instead of returned: the manager is unregistered, and `data`
    /// dropped, when `parent` unbinds, after the driver's own data is dropped (its `remove`) and
    /// before what the driver registered with devres before this call is released (devres
    /// releases in reverse order), as `devm_fpga_mgr_register()` does for C drivers.
    pub fn new_foreign_owned(
        parent: &Device<Bound>,
        name: &'static CStr,
        data: impl PinInit<T, Error>,
        module: &'static ThisModule,
    ) -> Result
    where
        T: 'static,
    {
        devres::register(parent, Self::new(parent, name, data, module)?, GFP_KERNEL)
    }

    /// Registers with `__fpga_mgr_register_full()`.
    fn register(
        parent: &Device<Bound>,
        name: &'static CStr,
        compat_id: Option<CompatId>,
        data: impl PinInit<T, Error>,
        module: &'static ThisModule,
    ) -> Result<Self> {
        let mut compat_id =
            compat_id.map(|CompatId { id_h, id_l }| bindings::fpga_compat_id { id_h, id_l });
        let compat_id_ptr = compat_id.as_mut().map_or(ptr::null_mut(), ptr::from_mut);
        let parent = bindings::raw_device(parent);
        let register = |priv_| {
            let info = bindings::fpga_manager_info {
                name: name.as_char_ptr(),
                compat_id: compat_id_ptr,
                mops: &Callbacks::<T>::VTABLE,
                priv_,
            };
            // SAFETY:
            // - `parent` is a valid device, bound during the call (`Device<Bound>`, a transparent
            //   wrapper), as `fpga_mgr.ko` requires of a registration, to read its driver;
            // - `info` is valid for the call, and `fpga_mgr.ko` copies the name and the compat id
            //   (`Documentation/lifecycle.rst`, rule 5);
            // - the ops table is static, and `priv_`, the data, stays at its address until after
            //   `fpga_mgr_unregister()` (`Registered`).
            unsafe { bindings::__fpga_mgr_register_full(parent, &info, module.as_ptr()) }
        };
        // SAFETY: `__fpga_mgr_register_full()` returns a manager registered with `priv_` as
        // `priv`, or an `ERR_PTR()`; `fpga_mgr_unregister()` returns only when no op runs, and
        // no op starts afterwards: the guarantees of `fpga_mgr.ko`, which this module's
        // reference to `fpga_mgr_lifecycle_guarantees` makes the only core it loads on.
        let reg = unsafe { Registered::new(data, register, bindings::fpga_mgr_unregister) }?;
        // INVARIANT: `reg` registered the manager with `Callbacks::<T>::VTABLE`.
        Ok(Self { reg })
    }

    /// The driver data.
    pub fn data(&self) -> &T {
        self.reg.data()
    }

    /// The manager's compat id, as the core holds it (`mgr->compat_id`): the one it was
    /// registered with, if any.
    pub fn compat_id(&self) -> Option<CompatId> {
        // SAFETY: By the type invariant `fpga_mgr.ko` registered the manager, which is
        // registered until `self` drops; the core keeps its `compat_id` NULL or pointing to its
        // own copy of the id (rule 5) for as long as the manager is allocated.
        unsafe {
            let id = (*self.reg.as_raw()).compat_id;
            (!id.is_null()).then(|| CompatId {
                id_h: (*id).id_h,
                id_l: (*id).id_l,
            })
        }
    }

    /// The registered C manager, for the user API ([`super::user`]).
    pub(super) fn as_raw(&self) -> *mut bindings::fpga_manager {
        self.reg.as_raw()
    }

    /// Declares that the parent device's `<bus>/<name>` identifies the programmed FPGA stably (a
    /// fixed platform-device id, a PCI address), so that a region whose manager this was finds
    /// the manager registered after a reload of the driver for a parent of that name
    /// (`fpga_mgr_identify_by_name()`, an fpga-rs extension). Without it only the parent's
    /// firmware node identifies the device.
    pub fn identify_by_name(&self) {
        // SAFETY: By the type invariant the manager is registered, and `self` owns the
        // registration, as `fpga_mgr_identify_by_name()` requires.
        unsafe { bindings::fpga_mgr_identify_by_name(self.reg.as_raw()) };
    }
}
