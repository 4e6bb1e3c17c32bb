// SPDX-License-Identifier: GPL-2.0

//! An owned FPGA image info (`struct fpga_image_info`): what to program and how, allocated and
//! freed by this type, never by devres.
//!
//! Upstream's `fpga_image_info_alloc()` allocates the info with devres on a device: when that
//! device's driver unbinds (a manager's driver, for a user that programs through it), the info
//! is freed under whoever still owns it. So the info here is a kernel allocation of its own
//! (`KBox`), its firmware name a `kstrdup()` copy, and it holds a reference to its device, as
//! `fpga_image_info_alloc()`'s does; nothing but its drop frees them.
//!
//! The one type for every Rust user of image infos: a user of a manager fills one and passes it
//! to `fpga_mgr_load()` ([`super::user::Locked::load`]); `of_fpga_region` fills one from an
//! overlay and hands it to its region as `region->info` for as long as the overlay is applied
//! ([`Image::into_raw`], [`Image::from_raw`]). `of_fpga_region` compiles this file alone (with
//! `ffi/bindings.rs` as its parent's `bindings`), so it uses nothing else of `fpga/`.
//!
//! C header: [`include/linux/fpga/fpga-mgr.h`](srctree/include/linux/fpga/fpga-mgr.h)

use super::bindings;
use core::{
    marker::PhantomData,
    mem::ManuallyDrop,
    ptr,
    ptr::NonNull, //
};
use kernel::{
    device::Device,
    prelude::*,
    scatterlist::SGTable,
    sync::aref::ARef, //
};

/// An FPGA image to program, and how (`struct fpga_image_info`), owned: allocated by
/// [`Image::new`] and freed on drop, whatever becomes of its device's binding.
///
/// Its source is one of a buffer, an sg table (both borrowed for `'a`, so they outlive every
/// load) or a firmware file; setting one replaces the others. Without one, a load fails with
/// `EINVAL`.
///
/// # Invariants
///
/// - `info` comes from [`KBox::into_raw`] in [`Image::new`] and is owned by `self`: freed only
///   by `drop`, and, between [`Image::into_raw`] and [`Image::from_raw`], by no one;
/// - its `dev` is a device of which the info holds a reference (`get_device()`), put by `drop`;
/// - its `firmware_name` is NULL or a string from `kstrdup()`, owned by the info;
/// - its `buf` (with `count` bytes) and `sgt` are NULL or borrowed for `'a`.
pub struct Image<'a> {
    info: NonNull<bindings::fpga_image_info>,
    _source: PhantomData<&'a [u8]>,
}

// SAFETY: The image info may be used and freed from any task (C API), and the buffer and table it
// borrows are `Sync`.
unsafe impl Send for Image<'_> {}

impl<'a> Image<'a> {
    /// An image info without a source, flags or timeouts, for `dev` (a manager's device,
    /// [`super::user::Manager::device`], or a region's), of which it holds a reference until the
    /// drop, as `fpga_image_info_alloc()` does, but not allocated with devres on it: it stays
    /// valid when the device's driver unbinds.
    ///
    /// Fails with `ENOMEM`.
    pub fn new(dev: &Device) -> Result<Self> {
        let mut info = KBox::new(bindings::fpga_image_info::default(), GFP_KERNEL)?;
        // The reference goes with the pointer, to `drop`.
        let dev = ARef::into_raw(ARef::from(dev));
        // SAFETY: `dev` is a valid device, referenced until `drop`.
        info.dev = bindings::raw_device(unsafe { dev.as_ref() });
        // SAFETY: `KBox::into_raw` never returns NULL.
        let info = unsafe { NonNull::new_unchecked(KBox::into_raw(info)) };
        // INVARIANT: A `KBox` of its own, zeroed (no source, no firmware name), with a reference
        // to `dev`.
        Ok(Self {
            info,
            _source: PhantomData,
        })
    }

    /// The C image info, still owned by `self`: what `fpga_mgr_load()` takes, or a region's
    /// `info` while `self` lives.
    pub fn as_raw(&self) -> *mut bindings::fpga_image_info {
        self.info.as_ptr()
    }

    /// The info, for the accessors.
    fn info(&self) -> &bindings::fpga_image_info {
        // SAFETY: `info` is valid and owned by `self` (type invariant); only `&mut self` methods
        // change it.
        unsafe { self.info.as_ref() }
    }

    /// The info, for the setters.
    fn info_mut(&mut self) -> &mut bindings::fpga_image_info {
        // SAFETY: `info` is valid and owned by `self` (type invariant), and `&mut self` excludes
        // every other use of it.
        unsafe { self.info.as_mut() }
    }

    /// The `FPGA_MGR_*` flags (`fpga::manager::flags`).
    pub fn flags(&self) -> u32 {
        self.info().flags
    }

    /// Sets the `FPGA_MGR_*` flags (`fpga::manager::flags`), e.g. `PARTIAL_RECONFIG`.
    pub fn set_flags(&mut self, flags: u32) {
        self.info_mut().flags = flags;
    }

    /// How long the driver's `write_complete` may wait for the FPGA to finish its
    /// configuration, in microseconds.
    pub fn config_complete_timeout_us(&self) -> u32 {
        self.info().config_complete_timeout_us
    }

    /// Sets how long the driver's `write_complete` may wait for the FPGA to finish its
    /// configuration, in microseconds; 0 (the default) leaves it to the driver.
    pub fn set_config_complete_timeout_us(&mut self, timeout_us: u32) {
        self.info_mut().config_complete_timeout_us = timeout_us;
    }

    /// Sets how long a region's bridges may take to let transactions through again after the
    /// programming (device tree: `region-unfreeze-timeout-us`), in microseconds; 0 leaves it to
    /// the bridges' drivers.
    pub fn set_enable_timeout_us(&mut self, timeout_us: u32) {
        self.info_mut().enable_timeout_us = timeout_us;
    }

    /// Sets how long a region's bridges may take to stop transactions before the programming
    /// (device tree: `region-freeze-timeout-us`), in microseconds; 0 leaves it to the bridges'
    /// drivers.
    pub fn set_disable_timeout_us(&mut self, timeout_us: u32) {
        self.info_mut().disable_timeout_us = timeout_us;
    }

    /// Forgets the source, freeing a firmware name.
    fn clear_source(&mut self) {
        let info = self.info_mut();
        if !info.firmware_name.is_null() {
            // SAFETY: The name comes from `kstrdup()` and is owned by the info (type invariant);
            // it is freed once: the pointer is cleared below.
            unsafe { bindings::kfree(info.firmware_name.cast()) };
        }
        info.firmware_name = ptr::null_mut();
        info.buf = ptr::null();
        info.count = 0;
        info.sgt = ptr::null_mut();
    }

    /// Loads the image from `buf`, in kernel memory (kmalloc, vmalloc or the kernel image).
    /// The core passes it to the driver's `write` without a copy, or describes it in place with
    /// an sg table for a driver with `write_sg` only.
    pub fn set_buffer(&mut self, buf: &'a [u8]) {
        self.clear_source();
        let info = self.info_mut();
        // INVARIANT: `buf` is borrowed for `'a`.
        info.buf = buf.as_ptr().cast();
        info.count = buf.len();
    }

    /// Loads the image from the scatter-gather table `table`, e.g. an `SGTable<Owned<VVec<u8>>>`.
    /// A `write_sg` driver gets the table itself; for the header, and for a driver with `write`,
    /// the core reads it with the CPU, over its first `nents` entries as upstream does: a
    /// table whose DMA mapping merged entries (`nents < orig_nents`) loses its tail there.
    pub fn set_sg_table(&mut self, table: &'a SGTable) {
        self.clear_source();
        // INVARIANT: `table` is borrowed for `'a`. `SGTable` is a transparent wrapper of an
        // `Opaque<struct sg_table>`, which C may use as mutable.
        self.info_mut().sgt = ptr::from_ref(table).cast::<bindings::sg_table>().cast_mut();
    }

    /// Loads the image from the firmware file `name` (under `/lib/firmware`), which the core
    /// requests with `request_firmware()` at each load.
    ///
    /// Fails with `ENOMEM` (then the image has no source).
    pub fn set_firmware(&mut self, name: &CStr) -> Result {
        self.clear_source();
        let info = self.info_mut();
        // SAFETY: `name` is a NUL-terminated string, which is copied.
        let copy = unsafe { bindings::kstrdup(name.as_char_ptr(), bindings::GFP_KERNEL) };
        if copy.is_null() {
            return Err(ENOMEM);
        }
        // INVARIANT: A `kstrdup()` string, owned by the info from here on.
        info.firmware_name = copy;
        Ok(())
    }

    /// Sets the device-tree overlay the image comes with (`info->overlay`), whose
    /// `fpga-bridges` a device-tree region's `get_bridges` reads when it programs with the info.
    ///
    /// # Safety
    ///
    /// `overlay` must be NULL or a node that stays valid for as long as the info is used with it:
    /// until it is set again or the info is freed.
    pub unsafe fn set_overlay(&mut self, overlay: *mut bindings::device_node) {
        self.info_mut().overlay = overlay;
    }
}

impl Image<'static> {
    /// Hands the info over to C, e.g. as `region->info` for as long as an overlay is applied;
    /// [`Image::from_raw`] takes it back. Only an `Image<'static>` can be: a buffer or table it
    /// borrows outlives whatever C does with it.
    pub fn into_raw(self) -> *mut bindings::fpga_image_info {
        // INVARIANT: Not freed: the ownership goes with the pointer, to `from_raw`.
        ManuallyDrop::new(self).as_raw()
    }

    /// Takes back an info that [`Image::into_raw`] handed over.
    ///
    /// # Safety
    ///
    /// `info` must come from [`Image::into_raw`] and be taken back once, after which C no longer
    /// uses it.
    pub unsafe fn from_raw(info: *mut bindings::fpga_image_info) -> Self {
        // SAFETY: `into_raw` handed out a non-NULL pointer (this function's requirement).
        let info = unsafe { NonNull::new_unchecked(info) };
        // INVARIANT: The ownership `into_raw` handed over comes back, once.
        Self {
            info,
            _source: PhantomData,
        }
    }
}

impl Drop for Image<'_> {
    fn drop(&mut self) {
        self.clear_source();
        // SAFETY: `info` comes from `KBox::into_raw` and is owned by `self` (type invariant);
        // it is freed once, here.
        let info = unsafe { KBox::from_raw(self.info.as_ptr()) };
        // SAFETY: The info holds a reference to `dev` (type invariant), put once, here.
        unsafe { bindings::put_device(info.dev) };
    }
}
