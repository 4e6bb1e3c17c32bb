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
//! Dropping the data after unregistration is sound because of the core's lifecycle rules
//! (`Documentation/lifecycle.rst`): `fpga_mgr_unregister()` returns only when no op is running,
//! and no op starts afterwards.

use super::{
    bindings,
    registration::{self, op, to_ret, Registered},
    sg_image::SgImage,
};
use core::{marker::PhantomData, ptr};
use kernel::{device::Device, error::VTABLE_DEFAULT_ERROR, prelude::*};

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

/// The C ops table and callbacks for a driver's [`Ops`].
struct Callbacks<T: Ops>(PhantomData<T>);

impl<T: Ops> Callbacks<T> {
    const VTABLE: bindings::fpga_manager_ops = bindings::fpga_manager_ops {
        initial_header_size: T::INITIAL_HEADER_SIZE,
        skip_header: T::SKIP_HEADER,
        state: op(T::HAS_STATE, Self::state),
        status: op(T::HAS_STATUS, Self::status),
        parse_header: op(T::HAS_PARSE_HEADER, Self::parse_header),
        write_init: op(T::HAS_WRITE_INIT, Self::write_init),
        write: op(T::HAS_WRITE, Self::write),
        write_sg: op(T::HAS_WRITE_SG, Self::write_sg),
        write_complete: op(T::HAS_WRITE_COMPLETE, Self::write_complete),
        fpga_remove: op(T::HAS_REMOVE, Self::remove),
        groups: ptr::null_mut(),
    };

    /// The driver data of a manager registered by [`Registration::new`].
    ///
    /// # Safety
    ///
    /// `mgr` must be a manager registered with `Self::VTABLE`, passed by the core to an op.
    unsafe fn data<'a>(mgr: *mut bindings::fpga_manager) -> &'a T {
        // SAFETY: `mgr` is valid for the op, and its `priv` is the data of the `Registered` of a
        // `Registration<T>` (the only one to register with `Self::VTABLE`).
        unsafe { registration::data((*mgr).priv_) }
    }

    /// A byte slice from an op's buffer (empty for NULL).
    ///
    /// # Safety
    ///
    /// `buf` must be NULL or point to `count` readable bytes for the lifetime `'a`.
    unsafe fn bytes<'a>(buf: *const u8, count: usize) -> &'a [u8] {
        if buf.is_null() {
            &[]
        } else {
            // SAFETY: Guaranteed by the caller.
            unsafe { core::slice::from_raw_parts(buf, count) }
        }
    }

    /// # Safety
    ///
    /// Called by the core only, for a manager registered with `Self::VTABLE`.
    unsafe extern "C" fn state(mgr: *mut bindings::fpga_manager) -> u32 {
        // SAFETY: Guaranteed by the caller.
        unsafe { Self::data(mgr) }.state() as u32
    }

    /// # Safety
    ///
    /// As for [`Self::state`].
    unsafe extern "C" fn status(mgr: *mut bindings::fpga_manager) -> u64 {
        // SAFETY: Guaranteed by the caller.
        unsafe { Self::data(mgr) }.status()
    }

    /// # Safety
    ///
    /// As for [`Self::state`]; `info` and `count` bytes at `buf` are valid for the call.
    unsafe extern "C" fn parse_header(
        mgr: *mut bindings::fpga_manager,
        info: *mut bindings::fpga_image_info,
        buf: *const u8,
        count: usize,
    ) -> i32 {
        // SAFETY: Guaranteed by the caller; `ImageInfo` is a transparent wrapper.
        let (data, info, image) = unsafe {
            (
                Self::data(mgr),
                &mut *info.cast::<ImageInfo>(),
                Self::bytes(buf, count),
            )
        };
        to_ret(data.parse_header(info, image))
    }

    /// # Safety
    ///
    /// As for [`Self::parse_header`].
    unsafe extern "C" fn write_init(
        mgr: *mut bindings::fpga_manager,
        info: *mut bindings::fpga_image_info,
        buf: *const u8,
        count: usize,
    ) -> i32 {
        // SAFETY: Guaranteed by the caller.
        let (data, info, header) = unsafe {
            (
                Self::data(mgr),
                &*info.cast::<ImageInfo>(),
                Self::bytes(buf, count),
            )
        };
        to_ret(data.write_init(info, header))
    }

    /// # Safety
    ///
    /// As for [`Self::state`]; `count` bytes at `buf` are valid for the call.
    unsafe extern "C" fn write(
        mgr: *mut bindings::fpga_manager,
        buf: *const u8,
        count: usize,
    ) -> i32 {
        // SAFETY: Guaranteed by the caller.
        let (data, chunk) = unsafe { (Self::data(mgr), Self::bytes(buf, count)) };
        to_ret(data.write(chunk))
    }

    /// # Safety
    ///
    /// As for [`Self::state`]; `sgt` is a valid table of the image, which the core neither
    /// changes nor frees during the call.
    unsafe extern "C" fn write_sg(
        mgr: *mut bindings::fpga_manager,
        sgt: *mut bindings::sg_table,
    ) -> i32 {
        // SAFETY: Guaranteed by the caller: `sgt` and the pages it describes (the caller's table
        // or the core's own, over the image it holds) stay valid and unchanged for the call.
        let (data, image) = unsafe { (Self::data(mgr), SgImage::from_raw(sgt)) };
        to_ret(data.write_sg(image))
    }

    /// # Safety
    ///
    /// As for [`Self::state`]; `info` is valid for the call.
    unsafe extern "C" fn write_complete(
        mgr: *mut bindings::fpga_manager,
        info: *mut bindings::fpga_image_info,
    ) -> i32 {
        // SAFETY: Guaranteed by the caller.
        let (data, info) = unsafe { (Self::data(mgr), &*info.cast::<ImageInfo>()) };
        to_ret(data.write_complete(info))
    }

    /// # Safety
    ///
    /// As for [`Self::state`].
    unsafe extern "C" fn remove(mgr: *mut bindings::fpga_manager) {
        // SAFETY: Guaranteed by the caller.
        unsafe { Self::data(mgr) }.remove();
    }
}

/// A registered FPGA manager with driver data `T`; dropping it unregisters the manager.
///
/// # Invariants
///
/// `reg` holds a manager registered with `Callbacks::<T>::VTABLE` and `compat_id` (if any) as
/// its compat id.
pub struct Registration<T: Ops> {
    reg: Registered<bindings::fpga_manager, T>,
    /// The compat id the manager was registered with. The upstream C core keeps the pointer
    /// (`mgr->compat_id = info->compat_id`), so it lives as long as the registration: it is
    /// dropped after `reg`, which unregisters the manager.
    _compat_id: Option<KBox<bindings::fpga_compat_id>>,
}

impl<T: Ops> Registration<T> {
    /// Registers a manager called `name` for `parent`, whose ops run on `data`, owned by
    /// `module` (the driver's `THIS_MODULE`).
    ///
    /// Fails with `ENOMEM`, or the errno of `__fpga_mgr_register_full()` (`EINVAL` for an
    /// empty `name`).
    pub fn new(
        parent: &Device,
        name: &'static CStr,
        data: impl PinInit<T, Error>,
        module: &'static ThisModule,
    ) -> Result<Self> {
        Self::register(parent, name, None, data, module)
    }

    /// As [`Registration::new`], with the compat id `compat_id` (`fpga_manager_info.compat_id`).
    pub fn new_with_compat_id(
        parent: &Device,
        name: &'static CStr,
        compat_id: CompatId,
        data: impl PinInit<T, Error>,
        module: &'static ThisModule,
    ) -> Result<Self> {
        Self::register(parent, name, Some(compat_id), data, module)
    }

    /// Registers with `__fpga_mgr_register_full()`.
    fn register(
        parent: &Device,
        name: &'static CStr,
        compat_id: Option<CompatId>,
        data: impl PinInit<T, Error>,
        module: &'static ThisModule,
    ) -> Result<Self> {
        let mut compat_id = match compat_id {
            Some(CompatId { id_h, id_l }) => Some(KBox::new(
                bindings::fpga_compat_id { id_h, id_l },
                GFP_KERNEL,
            )?),
            None => None,
        };
        let compat_id_ptr = compat_id
            .as_deref_mut()
            .map_or(ptr::null_mut(), ptr::from_mut);
        let parent = super::raw_device(parent);
        let register = |priv_| {
            let info = bindings::fpga_manager_info {
                name: name.as_char_ptr(),
                compat_id: compat_id_ptr,
                mops: &Callbacks::<T>::VTABLE,
                priv_,
            };
            // SAFETY: `parent` is a valid device (`Device` is a transparent wrapper); `info` is
            // valid for the call; what it points to outlives the registration: the name and the
            // ops table are static, and `priv_` (the data) and `compat_id` stay at their
            // addresses until after `fpga_mgr_unregister()`.
            unsafe { bindings::__fpga_mgr_register_full(parent, &info, module.as_ptr()) }
        };
        // SAFETY: `__fpga_mgr_register_full()` returns a manager registered with `priv_` as
        // `priv`, or an `ERR_PTR()`; `fpga_mgr_unregister()` returns only when no op runs, and
        // no op starts afterwards (module doc).
        let reg = unsafe { Registered::new(data, register, bindings::fpga_mgr_unregister) }?;
        // INVARIANT: `reg` registered the manager with `Callbacks::<T>::VTABLE` and `compat_id`.
        Ok(Self {
            reg,
            _compat_id: compat_id,
        })
    }

    /// The driver data.
    pub fn data(&self) -> &T {
        self.reg.data()
    }

    /// The manager's compat id, as the core holds it (`mgr->compat_id`): the one it was
    /// registered with, if any.
    pub fn compat_id(&self) -> Option<CompatId> {
        // SAFETY: By the type invariant the manager is registered, so the core keeps its
        // `compat_id` NULL or pointing to a valid id: its own copy (fpga-rs) or `compat_id`
        // (upstream), which lives as long as `self`.
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
}

impl<T: Ops> Registration<T> {
    /// Declares that the parent device's `<bus>/<name>` identifies the programmed FPGA stably (a
    /// fixed platform-device id, a PCI address), so that a region whose manager this was finds
    /// the manager registered after a reload of the driver for a parent of that name
    /// (`fpga_mgr_identify_by_name()`, an fpga-rs extension). Without it only the parent's
    /// firmware node identifies the device.
    ///
    /// Returns whether the core took it. The extension is looked up when called
    /// (`symbol_get()`), not linked, so that a driver on this API also loads on the upstream C
    /// core, which has no such call (nor a successor to find): there it returns false.
    pub fn identify_by_name(&self) -> bool {
        const SYMBOL: &CStr = c"fpga_mgr_identify_by_name";
        // SAFETY: `SYMBOL` is a NUL-terminated name; a non-NULL result is the exported
        // function's address, its module pinned until `__symbol_put()`.
        let found = unsafe { bindings::__symbol_get(SYMBOL.as_char_ptr()) };
        if found.is_null() {
            return false;
        }
        // SAFETY: The symbol `fpga_mgr_identify_by_name` is the function of that name declared in
        // `ffi/fpga-rs.h`: `void (struct fpga_manager *)`.
        let identify: unsafe extern "C" fn(*mut bindings::fpga_manager) =
            unsafe { core::mem::transmute(found) };
        // SAFETY: By the type invariant the manager is registered; `identify` stays loaded until
        // the put, which gives back the pin `__symbol_get()` took.
        unsafe {
            identify(self.reg.as_raw());
            bindings::__symbol_put(SYMBOL.as_char_ptr());
        }
        true
    }
}
