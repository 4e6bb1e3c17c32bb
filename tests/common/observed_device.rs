// SPDX-License-Identifier: GPL-2.0

//! A device whose release the KUnit tests observe, to prove that an image info takes a reference
//! to its device and gives it back, without reading the device's reference count.

use crate::bindings;
use core::sync::atomic::{
    AtomicBool,
    Ordering, //
};
use kernel::{
    prelude::*,
    sync::Arc,
    time::{
        delay::fsleep,
        Delta, //
    }, //
};

/// A `struct device` of the test's own, whose release it observes: `release()` frees it
/// and sets `released`, which the test shares.
#[repr(C)]
struct ObservedDevice {
    /// First, so that the C pointer to it is a pointer to the whole.
    dev: bindings::device,
    released: Arc<AtomicBool>,
}

/// The `release` of an [`ObservedDevice`], called at the last `put_device()`.
///
/// # Safety
///
/// `dev` is the `dev` field of an [`ObservedDevice`] leaked by [`observed_device`], and no
/// reference to it is left.
unsafe extern "C" fn release(dev: *mut bindings::device) {
    // SAFETY: By the function's safety requirements, `dev` is the first field of a
    // `#[repr(C)]` `ObservedDevice` that `KBox::into_raw` leaked, and nothing refers to it
    // any more.
    let observed = unsafe { KBox::from_raw(dev.cast::<ObservedDevice>()) };
    observed.released.store(true, Ordering::Release);
}

/// An initialized device named `name`, which the caller holds the one reference to, and the
/// flag its release sets.
///
/// It is initialized, not added: `fpga_image_info_alloc()` gets it and hangs devres memory
/// on it, which is all an info needs, while `device_del()` would release that devres memory
/// under the info.
pub(crate) fn observed_device(name: &CStr) -> Result<(*mut bindings::device, Arc<AtomicBool>)> {
    let released = Arc::new(AtomicBool::new(false), GFP_KERNEL)?;
    let shared = released.clone();
    let observed = KBox::init(
        try_init!(ObservedDevice {
            // SAFETY: All-zero bytes are what `device_initialize()` expects to start from;
            // the closure writes them to the whole slot and cannot fail. (`init_zeroed()`
            // does not apply: with lockdep, `struct device` holds bindgen's opaque arrays.)
            dev <- unsafe {
                pin_init::init_from_closure(|slot: *mut bindings::device| {
                    slot.write_bytes(0, 1);
                    Ok::<(), core::convert::Infallible>(())
                })
            },
            released: shared,
        }),
        GFP_KERNEL,
    )?;
    let dev = KBox::into_raw(observed).cast::<bindings::device>();
    // SAFETY: `dev` is a zeroed `struct device` that nothing else refers to yet; once it is
    // initialized, its last `put_device()` calls `release`, which frees it.
    unsafe {
        bindings::device_initialize(dev);
        (*dev).release = Some(release);
    }
    // SAFETY: `dev` is initialized; the format takes one string, `name`.
    let ret = unsafe { bindings::dev_set_name(dev, c"%s".as_char_ptr(), name.as_char_ptr()) };
    if ret != 0 {
        // SAFETY: Drops the reference `device_initialize()` gave the test: the last one.
        unsafe { bindings::put_device(dev) };
        return Err(Error::from_errno(ret));
    }
    Ok((dev, released))
}

/// Whether the device of `released` is released within 5 s (a release comes up to 4 s after
/// the last put with `CONFIG_DEBUG_KOBJECT_RELEASE`, at once otherwise).
pub(crate) fn is_released(released: &AtomicBool) -> bool {
    for _ in 0..100 {
        if released.load(Ordering::Acquire) {
            return true;
        }
        fsleep(Delta::from_millis(50));
    }
    released.load(Ordering::Acquire)
}
