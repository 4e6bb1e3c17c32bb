// SPDX-License-Identifier: GPL-2.0

//! The C side of a driver's [`Ops`]: the `struct fpga_manager_ops` table `fpga_mgr.ko` calls,
//! each callback converting the C arguments for the driver's safe method.

use super::{
    super::{
        bindings,
        c_result::to_ret,
        registration::{
            self,
            op, //
        },
        sg_image::SgImage, //
    },
    ImageInfo,
    Ops, //
};
use core::{
    marker::PhantomData,
    ptr, //
};

/// The C ops table and callbacks for a driver's [`Ops`].
pub(super) struct Callbacks<T: Ops>(PhantomData<T>);

impl<T: Ops> Callbacks<T> {
    pub(super) const VTABLE: bindings::fpga_manager_ops = bindings::fpga_manager_ops {
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
    /// `mgr` must be a manager registered with `Self::VTABLE`, passed by the core to an op, and
    /// `'a` must not outlive the op call.
    unsafe fn data<'a>(mgr: *mut bindings::fpga_manager) -> &'a T {
        // SAFETY: The core passes an op a valid manager; its `priv` is the data of the
        // `Registered` of a `Registration<T>` (the only one to register with `Self::VTABLE`),
        // and `'a` ends with the op call (this function's requirements).
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
            // SAFETY: `buf` is not NULL, so it points to `count` bytes readable for `'a` (this
            // function's requirement).
            unsafe { core::slice::from_raw_parts(buf, count) }
        }
    }

    /// # Safety
    ///
    /// Called by the core only, as the op of a manager registered with `Self::VTABLE`.
    unsafe extern "C" fn state(mgr: *mut bindings::fpga_manager) -> u32 {
        // SAFETY: The core calls this op with `mgr`, registered with `Self::VTABLE` (this
        // function's requirement); the data is used within the call only.
        unsafe { Self::data(mgr) }.state() as u32
    }

    /// # Safety
    ///
    /// Called by the core only, as the op of a manager registered with `Self::VTABLE`.
    unsafe extern "C" fn status(mgr: *mut bindings::fpga_manager) -> u64 {
        // SAFETY: The core calls this op with `mgr`, registered with `Self::VTABLE` (this
        // function's requirement); the data is used within the call only.
        unsafe { Self::data(mgr) }.status()
    }

    /// # Safety
    ///
    /// Called by the core only, as the op of a manager registered with `Self::VTABLE`, with an
    /// `info` that only this op uses during the call and `count` bytes at `buf` (or NULL),
    /// readable for the call (`fpga-mgr.h`).
    unsafe extern "C" fn parse_header(
        mgr: *mut bindings::fpga_manager,
        info: *mut bindings::fpga_image_info,
        buf: *const u8,
        count: usize,
    ) -> i32 {
        // SAFETY: This function's requirements: `mgr` is registered with `Self::VTABLE`, `info`
        // is valid and exclusively the op's for the call (`ImageInfo` is a transparent wrapper
        // of it), and the header's bytes are readable for the call; nothing outlives the call.
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
    /// Called by the core only, as the op of a manager registered with `Self::VTABLE`, with a
    /// valid `info` and `count` bytes at `buf` (or NULL), readable for the call (`fpga-mgr.h`).
    unsafe extern "C" fn write_init(
        mgr: *mut bindings::fpga_manager,
        info: *mut bindings::fpga_image_info,
        buf: *const u8,
        count: usize,
    ) -> i32 {
        // SAFETY: This function's requirements: `mgr` is registered with `Self::VTABLE`, `info`
        // is valid for the call (`ImageInfo` is a transparent wrapper of it, read only), and the
        // header's bytes are readable for the call; nothing outlives the call.
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
    /// Called by the core only, as the op of a manager registered with `Self::VTABLE`, with
    /// `count` bytes at `buf` (or NULL), readable for the call (`fpga-mgr.h`).
    unsafe extern "C" fn write(
        mgr: *mut bindings::fpga_manager,
        buf: *const u8,
        count: usize,
    ) -> i32 {
        // SAFETY: This function's requirements: `mgr` is registered with `Self::VTABLE` and the
        // chunk's bytes are readable for the call; nothing outlives the call.
        let (data, chunk) = unsafe { (Self::data(mgr), Self::bytes(buf, count)) };
        to_ret(data.write(chunk))
    }

    /// # Safety
    ///
    /// Called by the core only, as the op of a manager registered with `Self::VTABLE`, with a
    /// valid table `sgt` of the image, which the core neither changes nor frees during the call.
    unsafe extern "C" fn write_sg(
        mgr: *mut bindings::fpga_manager,
        sgt: *mut bindings::sg_table,
    ) -> i32 {
        // SAFETY: This function's requirements: `mgr` is registered with `Self::VTABLE`, and
        // `sgt` and the pages it describes (the caller's table or the core's own, over the image
        // it holds) stay valid and unchanged for the call, which nothing outlives.
        let (data, image) = unsafe { (Self::data(mgr), SgImage::from_raw(sgt)) };
        to_ret(data.write_sg(image))
    }

    /// # Safety
    ///
    /// Called by the core only, as the op of a manager registered with `Self::VTABLE`, with an
    /// `info` valid for the call.
    unsafe extern "C" fn write_complete(
        mgr: *mut bindings::fpga_manager,
        info: *mut bindings::fpga_image_info,
    ) -> i32 {
        // SAFETY: This function's requirements: `mgr` is registered with `Self::VTABLE` and
        // `info` is valid for the call (read only through the transparent `ImageInfo`), which
        // nothing outlives.
        let (data, info) = unsafe { (Self::data(mgr), &*info.cast::<ImageInfo>()) };
        to_ret(data.write_complete(info))
    }

    /// # Safety
    ///
    /// Called by the core only, as the op of a manager registered with `Self::VTABLE`.
    unsafe extern "C" fn remove(mgr: *mut bindings::fpga_manager) {
        // SAFETY: The core calls this op with `mgr`, registered with `Self::VTABLE` (this
        // function's requirement); the data is used within the call only.
        unsafe { Self::data(mgr) }.remove();
    }
}
