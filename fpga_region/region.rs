// SPDX-License-Identifier: GPL-2.0

//! One FPGA region: the C `struct fpga_region` callers see, and the core's private state beside
//! it: the lifecycle, the compat id copy, and the reference to the manager that programs it.
//!
//! C header: [`include/linux/fpga/fpga-region.h`](srctree/include/linux/fpga/fpga-region.h)

use crate::image_owner::ImageOwner;
use crate::{
    ffi::{
        bindings,
        c_result::is_valid,
        class::impl_object,
        registration, //
    },
    lifecycle::{
        owners::Owners,
        protocol::{
            Hold,
            Refusal, //
        },
        registry::{
            Filing,
            Registry, //
        },
        Get,
        Lifecycle,
        Op, //
    }, //
};
use core::{
    pin::Pin,
    ptr, //
};
use kernel::{
    device::Device,
    new_mutex,
    prelude::*,
    sync::{
        aref::ARef,
        Mutex,
        MutexGuard, //
    },
    types::Opaque, //
};

/// The core's allocation for one region.
///
/// # Invariants
///
/// - `c` is the first field, so a `*mut bindings::fpga_region` handed out by the core is also a
///   pointer to its `Region`.
/// - From [`Region::register`] on, `c.dev` is an initialised device of the `fpga_region` class
///   and the allocation is freed only by the class's `dev_release` ([`release`]).
/// - `c.compat_id` is NULL or points to `compat_id`, the core's own copy.
/// - `c.mgr` is the manager given at registration: NULL, with `c_mgr` and `mgr` `None`, or a
///   manager whose device `c_mgr` references until [`release`], so the pointer stays valid for C
///   readers. `mgr` is the manager the region programs through: the one given at registration,
///   or the one that replaced it after its driver was reloaded, with its own device reference.
/// - `life` pins the module of `c.get_bridges` and the module of the parent's driver
///   (`lifecycle/owners.rs`) while the region programs, and only while it is registered.
/// - Each of `claims` is a bridge this region claimed (`fpga_bridge_claim()`) with the region's
///   address as claimant, with a reference to the bridge's device.
#[pin_data]
#[repr(C)]
pub(crate) struct Region {
    #[pin]
    c: Opaque<bindings::fpga_region>,
    compat_id: Opaque<bindings::fpga_compat_id>,
    #[pin]
    life: Lifecycle,
    /// Keeps `c.mgr`, the manager given at registration, allocated for C readers.
    c_mgr: Option<ARef<Device>>,
    #[pin]
    mgr: Mutex<Option<MgrRef>>,
    #[pin]
    claims: Mutex<KVec<Claim>>,
    #[pin]
    owner: Mutex<ImageOwner>,
    /// The region's configfs group (`fpga_regions/regionN`), from registration to unregistration.
    #[pin]
    group: Mutex<Option<crate::configfs::RegionGroup>>,
}

// SAFETY: `Region` is `!Send` and `!Sync` for `c` and `compat_id` (`Opaque`s) and the raw
// pointers in `mgr` and `claims`. The core writes `c`'s fields before the device is added
// (published), except unregistration's whole volatile stores of `get_bridges`, `ops_owner` and
// `priv` after the last programming, and `bridge_list`, which only the exclusive programming
// changes; `info` is its user's, as upstream. `compat_id` is immutable. The pointers in `mgr` and
// `claims` are used only under their locks, and only with the device references the region holds.
unsafe impl Send for Region {}
// SAFETY: Every shared access to `c` is a read of a field immutable after publication, a
// whole volatile read of the pointers unregistration clears after the last programming, or of
// `bridge_list` by the exclusive programming; `compat_id` is immutable; the pointers in `mgr`
// and `claims` are used only under their locks, with the device references the region holds.
unsafe impl Sync for Region {}

// The C struct is the first field (type invariant): a C pointer to it is a pointer to the whole.
const _: () = assert!(core::mem::offset_of!(Region, c) == 0);

impl_object!(Region, fpga_region, Hold::Exclusive);

mod claims;
mod manager;
use claims::Claim;
use manager::{
    mgr_dev,
    MgrRef, //
};

/// An exclusive programming of a region: its owner modules are pinned, its device referenced,
/// and unregistration waits for it. Dropping it releases them in reverse order, the device
/// reference last (L6).
pub(crate) struct Programming<'a> {
    _op: Op<'a>,
    _get: Get<'a>,
    dev: ARef<Device>,
}

impl Drop for Programming<'_> {
    fn drop(&mut self) {
        dev_dbg!(self.dev, "put\n");
    }
}

impl Region {
    crate::ffi::class::class_object_accessors!(fpga_region);

    /// Who owns the image loaded into the region.
    pub(crate) fn owner(&self) -> MutexGuard<'_, ImageOwner> {
        self.owner.lock()
    }

    /// Sets `region->info` (NULL: none), as a caller of `fpga_region_program_fpga()` does.
    ///
    /// # Safety
    ///
    /// The caller must hold the region exclusively (a [`Region::begin_programming`]), so that no
    /// other programming reads or writes `info` meanwhile, and `info` must be NULL or stay valid
    /// until it is replaced, inside that hold. Users of the C API may write `info` outside any
    /// hold, as upstream's do; the caller checks it is NULL first.
    pub(crate) unsafe fn set_info(&self, info: *mut bindings::fpga_image_info) {
        // SAFETY: `info` is a plain pointer field written whole; its readers (the region's
        // `get_bridges`) run inside the caller's programming.
        unsafe { ptr::write_volatile(&raw mut (*self.c.get()).info, info) };
    }

    /// The list the region's `get_bridges` fills.
    pub(crate) fn bridge_list(&self) -> *mut bindings::list_head {
        // SAFETY: `c` is valid memory; only the address of the field is taken.
        unsafe { &raw mut (*self.c.get()).bridge_list }
    }

    /// The image info the caller set in `region->info` (may be NULL).
    pub(crate) fn info(&self) -> *mut bindings::fpga_image_info {
        // SAFETY: `info` is a plain pointer field that the region's user sets before programming.
        unsafe { ptr::read_volatile(&raw const (*self.c.get()).info) }
    }

    /// The region's `get_bridges` callback.
    pub(crate) fn get_bridges(
        &self,
    ) -> Option<unsafe extern "C" fn(*mut bindings::fpga_region) -> i32> {
        // SAFETY: `get_bridges` is set at registration and only read afterwards.
        unsafe { (*self.c.get()).get_bridges }
    }

    /// The compat id given at registration.
    pub(crate) fn compat_id(&self) -> Option<bindings::fpga_compat_id> {
        // SAFETY: `c.compat_id` is NULL or points to `self.compat_id` (type invariant), which is
        // immutable after registration.
        unsafe {
            (!(*self.c.get()).compat_id.is_null()).then(|| {
                let id = &*self.compat_id.get();
                bindings::fpga_compat_id {
                    id_h: id.id_h,
                    id_l: id.id_l,
                }
            })
        }
    }

    /// Whether the region was registered with a manager.
    pub(crate) fn has_manager(&self) -> bool {
        // `c_mgr` references `c.mgr`'s device if `c.mgr` is not NULL (type invariant).
        self.c_mgr.is_some()
    }

    /// Starts an exclusive programming: refused with `-EBUSY` while another one runs and with
    /// `-ENODEV` once unregistration began. The owner module is pinned in the same critical
    /// section in which the region is seen registered, so the owner cannot be freed meanwhile.
    pub(crate) fn begin_programming(&self) -> Result<Programming<'_>> {
        let got = crate::REGIONS.lock().pin(self, Hold::Exclusive);
        let get = got.map_err(|refusal| {
            if refusal == Refusal::Busy {
                dev_dbg!(self.dev(), "FPGA Region already in use\n");
            }
            Error::from(refusal)
        })?;
        let op = self.life.enter_op()?;
        dev_dbg!(self.dev(), "get\n");
        Ok(Programming {
            _op: op,
            _get: get,
            dev: ARef::from(self.dev()),
        })
    }

    /// Creates and registers a region (`region%d`) under `parent`.
    pub(crate) fn register(
        parent: *mut bindings::device,
        info: &bindings::fpga_region_info,
        owner: *mut bindings::module,
    ) -> Result<*mut bindings::fpga_region> {
        // SAFETY: A non-NULL `parent` is a valid device (C API contract).
        let parent_dev = unsafe { registration::parent(parent, "region") }?;
        let mgr = info.mgr;
        if !mgr.is_null() && !is_valid(mgr) {
            dev_err!(
                parent_dev,
                "Attempt to register with an invalid FPGA manager\n"
            );
            return Err(EINVAL);
        }
        // INVARIANT: One device reference for `c.mgr`, one for `mgr`; they go with the region, in
        // `release`, or here if it is not created.
        let (c_mgr, current) = if mgr.is_null() {
            (None, None)
        } else {
            // SAFETY: A non-NULL `info->mgr` is a manager the caller holds (C API contract), so
            // its device is valid and references to it may be taken.
            unsafe {
                (
                    Some(Device::get_device(mgr_dev(mgr))),
                    Some(MgrRef::new(mgr)),
                )
            }
        };
        // SAFETY: `info->compat_id` is NULL or valid (C API contract).
        let compat_id = unsafe { registration::compat_id_copy(info.compat_id) };
        let has_compat_id = compat_id.is_some();
        // SAFETY: `parent` is valid, and registrations run in its driver's probe or with its
        // binding otherwise stable (C API contract). If registration fails later, the driver pin's
        // devres action stays on the parent until it unbinds (a few bytes, no pin).
        let owners = unsafe { Owners::of_registration(parent, owner) }?;
        let (priv_, get_bridges) = (info.priv_, info.get_bridges);
        // Its entries in the registry, allocated before the registry's spinlock is taken.
        let filing = Filing::new()?;
        // `release` frees the region and its id in place.
        let (id, r) = crate::IDA.alloc_with(try_pin_init!(Region {
            c <- Opaque::ffi_init(move |c: *mut bindings::fpga_region| {
                // SAFETY: `c` is the uninitialised C struct, the first field of the `Region`
                // being initialised in place (`repr(C)`), so the region's `compat_id` is at a
                // fixed address beside it; `mutex` and `bridge_list` are zeroed and unused.
                unsafe {
                    c.write_bytes(0, 1);
                    if has_compat_id {
                        (*c).compat_id = (&raw mut (*c.cast::<Region>()).compat_id).cast();
                    }
                    (*c).mgr = mgr;
                    (*c).priv_ = priv_;
                    (*c).get_bridges = get_bridges;
                    (*c).ops_owner = owner;
                    registration::init_c_mutex(&raw mut (*c).mutex, c"&region->mutex");
                    crate::ffi::list::init(&raw mut (*c).bridge_list);
                }
            }),
            compat_id: Opaque::new(compat_id.unwrap_or_default()),
            life <- Lifecycle::new(owners, c"fpga_region programming"),
            c_mgr,
            mgr <- new_mutex!(current),
            claims <- new_mutex!(KVec::new()),
            owner <- new_mutex!(ImageOwner::Free),
            group <- new_mutex!(None),
        }))?;
        // SAFETY: `r` is valid; the device is not added yet, so only this function uses it.
        let r = unsafe { &*r };

        // SAFETY: `r.c.dev` is zeroed and `release` frees `r`, `id` and the manager references;
        // `parent` is valid.
        unsafe {
            crate::FPGA_REGION_CLASS.add_device(
                r.raw_dev(),
                parent,
                ptr::null_mut(),
                id,
                c"region%d",
                || {},
            )
        }?;
        // SAFETY: The region is registered and not filed yet; `unregister` takes it out before it
        // drops the registration's reference.
        unsafe { crate::REGIONS.lock().publish(r, filing) };
        // User space programs the region through its configfs group. Without one (no memory),
        // the region still works through the C API and overlays.
        match crate::configfs::RegionGroup::new(r) {
            Ok(group) => *r.group.lock() = Some(group),
            Err(e) => dev_warn!(r.dev(), "no configfs group for the region: {:?}\n", e),
        }
        Ok(r.as_c())
    }

    /// Unregisters the region: refuses new programmings, waits for the one in flight, and
    /// removes the device.
    ///
    /// # Safety
    ///
    /// The caller must own the registration's reference, which this consumes.
    pub(crate) unsafe fn unregister(&self) {
        if Registry::unregister(crate::REGIONS.lock(), self).is_none() {
            dev_warn!(self.dev(), "FPGA region unregistered twice\n");
            return;
        }
        self.release_claims();
        // The configfs images of the region become defunct; its group goes now, or with the
        // last of them.
        let group = self.group.lock().take();
        if let Some(group) = group {
            group.region_gone();
        }
        // SAFETY: The device is not deleted yet.
        unsafe { self.life.release_binding() };
        let c = self.c.get();
        // The registrant's module and data may go once this returns, while lookups keep the
        // `struct fpga_region`: its pointers into the registrant stop leading there.
        // SAFETY: `c` is valid; no programming runs any more, so the core reads these fields no
        // more, and C readers get whole values.
        unsafe {
            ptr::write_volatile(&raw mut (*c).get_bridges, None);
            ptr::write_volatile(&raw mut (*c).ops_owner, ptr::null_mut());
            ptr::write_volatile(&raw mut (*c).priv_, ptr::null_mut());
        }
        // SAFETY: Drops the registration's reference; `self` may be freed after this.
        unsafe { bindings::device_unregister(self.raw_dev()) };
    }
}

/// The class's `dev_release`: frees the region when the last device reference goes, with its
/// references to managers' devices (`c_mgr`, `mgr`).
///
/// # Safety
///
/// Called by the driver core only, for a device of the `fpga_region` class.
pub(crate) unsafe extern "C" fn release(dev: *mut bindings::device) {
    // SAFETY: `dev` is a region's device (class `dev_release`), and this is its last use.
    let r = unsafe { Region::from_dev(dev) };
    // SAFETY: `dev` is still valid memory inside the region.
    crate::IDA.free(unsafe { (*dev).id });
    let r = ptr::from_ref(r).cast_mut();
    // SAFETY: `r` was allocated by `KBox::pin_init` in `register` and released with
    // `KBox::into_raw`; nothing refers to it any more.
    drop(unsafe { Pin::new_unchecked(KBox::from_raw(r)) });
}
