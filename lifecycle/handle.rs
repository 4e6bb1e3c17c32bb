// SPDX-License-Identifier: GPL-2.0

//! The typed handles the cores hand out: a core [`Object`] (manager, bridge or region) and a
//! user's [`Held`] handle on one, a get plus a reference to its device, converted to the C
//! pointer with [`Held::into_c`] and back, when C puts it, with [`Held::from_c`].

use super::{
    protocol::Hold,
    Get,
    Lifecycle, //
};
use crate::ffi::bindings;
use core::ptr::NonNull;

/// A core object with a lifecycle: a manager, bridge or region, allocated by its core with the
/// C struct it hands out as first field and freed by its class's `dev_release`.
///
/// # Safety
///
/// `from_c(as_c(x))` must be `x`; `raw_dev()` must be the object's class device, which keeps the
/// object allocated while a reference to it is held.
pub unsafe trait Object: Sized {
    /// The C struct (`struct fpga_manager`, `struct fpga_bridge`, `struct fpga_region`).
    type C;

    /// Whether a get holds the object exclusively (bridges) or shares it (managers).
    const HOLD: Hold;

    /// The object's lifecycle.
    fn lifecycle(&self) -> &Lifecycle;

    /// The object's class device.
    fn raw_dev(&self) -> *mut bindings::device;

    /// The C pointer handed out.
    fn as_c(&self) -> *mut Self::C;

    /// The object of its class device.
    ///
    /// # Safety
    ///
    /// `dev` must be the class device of a `Self`, and the caller must hold a reference to it.
    unsafe fn from_dev<'a>(dev: *mut bindings::device) -> &'a Self;

    /// The object of a C pointer.
    ///
    /// # Safety
    ///
    /// `ptr` must come from [`Self::as_c`] of an object whose device the caller holds a
    /// reference to.
    unsafe fn from_c<'a>(ptr: *mut Self::C) -> &'a Self;

    /// Runs when a get is put, before the pins are dropped (a bridge forgets its image info).
    fn on_put(&self) {}
}

/// A user's handle on a core object: a [`Get`] of it and a reference to its device. Dropping it
/// is the put: the get is dropped first, the device reference last (hole L6).
///
/// The device reference is a plain `struct device *` reference rather than an
/// `ARef<Device>`: this is the path `fpga_mgr_get()`/`fpga_mgr_put()` take, and the kernel
/// crate's `ARef` and `Device` accessors are not inlined across crates (measured with
/// `make bench`): `Device`'s `inc_ref`/`dec_ref`/`as_raw` and `Opaque::get` are not `#[inline]`
/// (`Documentation/upstream/0006-rust-device-inline-the-reference-counting-of-Device-and-FwNode.patch`,
/// `Documentation/upstream/0007-rust-types-inline-Opaque-s-constructors-and-pointer-accessors.patch`).
///
/// # Invariants
///
/// This handle owns a reference to `obj`'s device, which keeps `obj` valid, and a [`Get`] of
/// its lifecycle with `T::HOLD`.
pub struct Held<T: Object> {
    obj: NonNull<T>,
}

impl<T: Object> Held<T> {
    /// The handle of a get of `obj`: takes a reference to its device.
    ///
    /// # Safety
    ///
    /// `get` must be a get of `obj`'s lifecycle with `T::HOLD`.
    #[inline]
    pub(super) unsafe fn new(obj: &T, get: Get<'_>) -> Self {
        // SAFETY: `obj` is valid, so its device, which keeps it allocated, still has a
        // reference (the registration's or the caller's): taking another is valid.
        unsafe { bindings::get_device(obj.raw_dev()) };
        core::mem::forget(get);
        // INVARIANT: The device reference just taken and the get just forgotten are the
        // handle's.
        Self {
            obj: NonNull::from(obj),
        }
    }

    /// The handle's object.
    #[inline]
    pub fn obj(&self) -> &T {
        // SAFETY: By the type invariant `obj` is valid while `self` holds its device.
        unsafe { self.obj.as_ref() }
    }

    /// Hands the get to C: the returned pointer owns it (and the device reference) until
    /// [`Self::from_c`] takes it back.
    #[inline]
    pub fn into_c(self) -> *mut T::C {
        core::mem::ManuallyDrop::new(self).obj().as_c()
    }

    /// Takes back a get that [`Self::into_c`] handed to C.
    ///
    /// # Safety
    ///
    /// `ptr` must come from `into_c` of a `Held<T>`, and be taken back once.
    #[inline]
    pub unsafe fn from_c(ptr: *mut T::C) -> Self {
        // SAFETY: `ptr` carries a device reference and a get (caller's requirement), so the
        // object is valid.
        let obj = unsafe { T::from_c(ptr) };
        // INVARIANT: The get and device reference handed to C are owned again.
        Self {
            obj: NonNull::from(obj),
        }
    }
}

impl<T: Object> core::ops::Deref for Held<T> {
    type Target = T;

    #[inline]
    fn deref(&self) -> &T {
        self.obj()
    }
}

/// Warns about a put without a matching get of the object whose device is `dev`, naming it.
#[cold]
#[inline(never)]
fn unbalanced_put(dev: *mut bindings::device) {
    // SAFETY: `dev` is the device of the object the caller put, whose lifecycle the put just
    // read: it is alive as long as the object is registered or referenced (a put after its last
    // reference is gone is a use after free in the caller, as with upstream's core).
    let dev: &kernel::device::Device = unsafe { kernel::device::Device::from_raw(dev) };
    kernel::dev_warn!(dev, "put without a matching get (a double put?), ignored\n");
}

impl<T: Object> Drop for Held<T> {
    #[inline]
    fn drop(&mut self) {
        let obj = self.obj();
        let life = obj.lifecycle();
        // An unbalanced put (a C caller's double put) owns nothing and changes nothing, not
        // even what `on_put` forgets.
        if !life.put_holder() {
            unbalanced_put(obj.raw_dev());
            return;
        }
        // Before the exclusive hold is given back: the next holder's state stays its own.
        obj.on_put();
        // SAFETY: By the type invariant this handle owns a get of `obj`'s lifecycle with
        // `T::HOLD`, whose holder was just counted out; it is given up here, once.
        unsafe { life.release(T::HOLD) };
        // SAFETY: Drops the handle's device reference, last: `obj` may be freed after this.
        unsafe { bindings::put_device(obj.raw_dev()) };
    }
}
