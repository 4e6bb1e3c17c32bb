// SPDX-License-Identifier: GPL-2.0

//! One FPGA manager: the C `struct fpga_manager` drivers and callers see, and the core's private
//! state beside it.
//!
//! C header: [`include/linux/fpga/fpga-mgr.h`](srctree/include/linux/fpga/fpga-mgr.h)

use crate::{
    ffi::{
        bindings,
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
        Lifecycle,
        Op, //
    }, //
};
use core::{
    pin::Pin,
    ptr,
    sync::atomic::{
        AtomicBool,
        AtomicU32, //
    }, //
};
use kernel::{
    prelude::*,
    str::CString,
    types::Opaque, //
};

/// The core's allocation for one manager.
///
/// # Invariants
///
/// - `c` is the first field, so a `*mut bindings::fpga_manager` handed out by the core is also a
///   pointer to its `Manager`.
/// - From [`Manager::register`] on, `c.dev` is an initialised device of the `fpga_manager` class
///   and the allocation is freed only by the class's `dev_release` ([`release`]), when the last
///   reference to `c.dev` is dropped.
/// - `c.name` points into `name` and `c.compat_id` to `compat_id` (or is NULL): the core's own
///   copies, which live as long as the manager (upstream borrows the driver's, hole L9).
/// - `life` pins the module whose ops `c.mops` points to and the module of the parent's driver
///   (`lifecycle/owners.rs`), for each get, while the manager is registered (`lifecycle/mod.rs`).
/// - `fwnode_path` is the full path of the parent's firmware node (device tree, ACPI), if it has
///   one: it identifies the device the manager programs, even after the manager is unregistered
///   (see [`Manager::get_current`]), without holding a reference to the node, which an overlay
///   that added it must be able to free. `parent_key` is `<bus>/<name>` of the parent device,
///   which identifies it only if the driver said so (`by_name`).
#[pin_data]
#[repr(C)]
pub(crate) struct Manager {
    #[pin]
    c: Opaque<bindings::fpga_manager>,
    name: KVec<u8>,
    compat_id: Opaque<bindings::fpga_compat_id>,
    fwnode_path: Option<CString>,
    parent_key: KVec<u8>,
    /// Whether the driver declared that `parent_key` names the device stably
    /// (`fpga_mgr_identify_by_name()`).
    ///
    /// A lock-free flag, not lock-owned data: the driver sets it once, after registration,
    /// holding no lock of the core; gets read it under the registry's lock. It publishes no
    /// other data, so relaxed accesses suffice: a get that misses a concurrent store sees the
    /// manager as one that ran just before it would.
    by_name: AtomicBool,
    /// The state of the uevent queued and not sent yet, plus one; 0 if there is none
    /// ([`Manager::set_state`]).
    ///
    /// A lock-free mark between two parties that share no lock: the load that sets the state
    /// (the holder of the exclusive `fpga_mgr_lock()`, one at a time) and the uevent worker,
    /// which clears it. It publishes no data (the event's variables go through the work queue,
    /// whose queueing also orders the mark's store before the worker's exchange) and is only
    /// compared, so relaxed accesses suffice.
    uevent_queued: AtomicU32,
    #[pin]
    life: Lifecycle,
}

// SAFETY: `Manager` is `!Send` and `!Sync` for `c` and `compat_id` (`Opaque`s).
// The core writes `c`'s fields before the device is added (published), except `state`, a whole
// integer written only by the exclusive lock's holder and read whole (`set_state`), and
// unregistration's whole volatile stores of `mops`, `mops_owner` and `priv` after the last op.
// `dev` is the driver core's. `compat_id` is immutable after registration.
unsafe impl Send for Manager {}
// SAFETY: Every shared access to `c` is a read of a field immutable after publication, a whole
// read of `state` (written whole by the lock's holder), or a whole volatile read of the three
// pointers unregistration clears after the last op; `compat_id` is immutable.
unsafe impl Sync for Manager {}

// The C struct is the first field (type invariant): a C pointer to it is a pointer to the whole.
const _: () = assert!(core::mem::offset_of!(Manager, c) == 0);

impl_object!(Manager, fpga_manager, Hold::Shared);

mod state;
mod successor;
use successor::parent_key;

/// The ops of an unregistered manager: none.
static NO_OPS: crate::ffi::class::NoOps<bindings::fpga_manager_ops> =
    // SAFETY: All-zero is a valid `struct fpga_manager_ops`: its fields are integers, booleans,
    // optional functions and a nullable pointer.
    unsafe { crate::ffi::class::NoOps::new() };

impl Manager {
    crate::ffi::class::class_object_accessors!(fpga_manager);

    /// The manager's name, as registered (the core's own copy, without the NUL).
    pub(crate) fn name(&self) -> &[u8] {
        self.name.split_last().map_or(&[], |(_, name)| name)
    }

    /// The low-level driver's ops.
    pub(crate) fn ops(&self) -> &bindings::fpga_manager_ops {
        // SAFETY: `mops` is never NULL: the driver's ops (checked at registration) until
        // unregistration ends, then the static `NO_OPS`. The driver's ops live as long as its
        // module, which is alive while the caller is inside an op (`Op`), a get, the
        // registration or the unregistration (which swaps the pointer after the last op).
        unsafe { &*(*self.c.get()).mops }
    }

    /// Starts a call into the driver's ops: refused with `ENODEV` once unregistration began.
    pub(crate) fn enter(&self) -> Result<Op<'_>> {
        Ok(self.life.enter_op()?)
    }

    /// Creates and registers a manager for `parent` with the given info and owner module.
    pub(crate) fn register(
        parent: *mut bindings::device,
        info: &bindings::fpga_manager_info,
        owner: *mut bindings::module,
    ) -> Result<*mut bindings::fpga_manager> {
        // SAFETY: A non-NULL `parent` is a valid device (C API contract).
        let parent_dev = unsafe { registration::parent(parent, "manager") }?;
        if info.mops.is_null() {
            dev_err!(parent_dev, "Attempt to register without fpga_manager_ops\n");
            return Err(EINVAL);
        }
        // SAFETY: `info->name` and `info->compat_id` are NULL or valid (C API contract).
        let (name, compat_id) = unsafe {
            (
                registration::name_copy(parent_dev, info.name)?,
                registration::compat_id_copy(info.compat_id),
            )
        };
        // SAFETY: `parent_dev` is `parent`.
        let parent_key = unsafe { parent_key(parent, parent_dev) }?;
        // SAFETY: `parent` is valid, and registrations run in its driver's probe or with its
        // binding otherwise stable (C API contract). If registration fails later, the driver pin's
        // devres action stays on the parent until it unbinds (a few bytes, no pin).
        let owners = unsafe { Owners::of_registration(parent, owner) }?;
        // Its entries in the registry, allocated before the registry's spinlock is taken.
        let filing = Filing::new()?;
        // `release` frees the manager and its id in place.
        let (id, m) = crate::IDA.alloc_with(try_pin_init!(Manager {
            c <- Self::c_init(&name, info, owner, compat_id.is_some()),
            name,
            compat_id: Opaque::new(compat_id.unwrap_or_default()),
            fwnode_path: match parent_dev.fwnode() {
                Some(node) => Some(CString::try_from_fmt(fmt!("{}", node))?),
                None => None,
            },
            parent_key,
            by_name: AtomicBool::new(false),
            uevent_queued: AtomicU32::new(0),
            life <- Lifecycle::new(owners, c"fpga_manager ops"),
        }))?;

        // SAFETY: `m` is valid; the device is not added yet, so only this function uses it.
        let m = unsafe { &*m };
        // SAFETY: `m.c.dev` is zeroed and `release` frees `m` and `id`; `parent` is valid; the
        // driver's groups outlive the registration (C API contract).
        unsafe {
            crate::FPGA_MGR_CLASS.add_device(
                m.raw_dev(),
                parent,
                m.ops().groups,
                id,
                c"fpga%d",
                || m.read_initial_state(),
            )
        }?;
        // SAFETY: The manager is registered and not filed yet; `unregister` takes it out before it
        // drops the registration's reference.
        unsafe { crate::MANAGERS.lock().publish(m, filing) };
        Ok(m.as_c())
    }

    /// Fills the C struct of a manager being initialised in place: the core's name copy, the
    /// driver's ops, owner and `priv`, the compat id copy if there is one, and the C struct's own
    /// mutex, as upstream's registration does.
    fn c_init(
        name: &KVec<u8>,
        info: &bindings::fpga_manager_info,
        owner: *mut bindings::module,
        has_compat_id: bool,
    ) -> impl PinInit<Opaque<bindings::fpga_manager>> {
        let (c_name, mops, priv_) = (name.as_ptr(), info.mops, info.priv_);
        Opaque::ffi_init(move |c: *mut bindings::fpga_manager| {
            // SAFETY: `c` is the uninitialised C struct, the first field of the `Manager` being
            // initialised in place (`repr(C)`, asserted above), so the manager's `compat_id` is
            // at a fixed address beside it; `c_name` points into the heap buffer of the name,
            // which moves into the manager without moving that buffer; `ref_mutex` is zeroed and
            // unused.
            unsafe {
                c.write_bytes(0, 1);
                (*c).name = c_name.cast();
                (*c).mops = mops;
                (*c).mops_owner = owner;
                (*c).priv_ = priv_;
                if has_compat_id {
                    (*c).compat_id = (&raw mut (*c.cast::<Manager>()).compat_id).cast();
                }
                registration::init_c_mutex(&raw mut (*c).ref_mutex, c"&mgr->ref_mutex");
            }
        })
    }

    /// Initialises the state from the device, before the manager is visible: the FPGA may have
    /// been programmed by a bootloader or an EEPROM.
    fn read_initial_state(&self) {
        let state = match self.ops().state {
            // SAFETY: The manager is valid, registered with these ops, and not visible to anyone
            // else yet.
            Some(state) => unsafe { state(self.as_c()) },
            None => bindings::fpga_mgr_states_FPGA_MGR_STATE_UNKNOWN,
        };
        // Before the device is added: no uevent.
        self.store_state(state);
    }

    /// Takes the manager for exclusive use (`fpga_mgr_lock()`).
    #[inline]
    pub(crate) fn lock(&self) -> Result {
        match self.life.lock() {
            Ok(()) => Ok(()),
            Err(refusal) => Err(self.lock_refused(refusal)),
        }
    }

    /// Says why `fpga_mgr_lock()` was refused. Out of line, so that the fast path needs no
    /// stack frame.
    #[cold]
    #[inline(never)]
    fn lock_refused(&self, refusal: Refusal) -> Error {
        let e = Error::from(refusal);
        if e == EBUSY {
            dev_err!(self.dev(), "FPGA manager is in use.\n");
        } else {
            dev_err!(self.dev(), "FPGA manager is unregistered.\n");
        }
        e
    }

    /// Ends exclusive use (`fpga_mgr_unlock()`).
    #[inline]
    pub(crate) fn unlock(&self) {
        if !self.life.unlock() {
            self.unlock_unlocked();
        }
    }

    /// Warns about an `fpga_mgr_unlock()` without a lock, out of line.
    #[cold]
    #[inline(never)]
    fn unlock_unlocked(&self) {
        dev_warn!(
            self.dev(),
            "fpga_mgr_unlock() of a manager that is not locked\n"
        );
    }

    /// Makes the C-visible pointers into the driver (`mops`, `mops_owner`, `priv`) stop leading
    /// there: its module and data may go once unregistration returns, while holders and regions
    /// keep the `struct fpga_manager`. `mops` becomes an ops table without ops.
    fn forget_driver(&self) {
        let c = self.c.get();
        // SAFETY: `c` is valid; no op runs any more (unregistration waited for them and refuses
        // new ones), so the core reads these fields no more, and C readers get whole pointers.
        unsafe {
            ptr::write_volatile(&raw mut (*c).mops, NO_OPS.as_ptr());
            ptr::write_volatile(&raw mut (*c).mops_owner, ptr::null_mut());
            ptr::write_volatile(&raw mut (*c).priv_, ptr::null_mut());
        }
    }

    /// Unregisters the manager: refuses new gets and ops, waits for the ops in flight, lets the
    /// driver put the FPGA into its final state, and removes the device.
    ///
    /// # Safety
    ///
    /// The caller must own the registration's reference, which this consumes.
    pub(crate) unsafe fn unregister(&self) {
        dev_info!(
            self.dev(),
            "fpga_mgr_unregister {}\n",
            kernel::str::BStr::from_bytes(self.name())
        );
        let Some(holders) = Registry::unregister(crate::MANAGERS.lock(), self) else {
            dev_warn!(self.dev(), "FPGA manager unregistered twice\n");
            return;
        };
        if holders > 0 || self.life.is_locked() {
            dev_info!(
                self.dev(),
                "unregistered with {} user(s); their calls now fail with -ENODEV\n",
                holders
            );
        }
        if let Some(remove) = self.ops().fpga_remove {
            // SAFETY: The driver is still registering-side alive (it is unregistering), and no
            // other op runs any more.
            unsafe { remove(self.as_c()) };
        }
        self.forget_driver();
        // SAFETY: The device is not deleted yet.
        unsafe { self.life.release_binding() };
        // SAFETY: Drops the registration's reference; `self` may be freed after this.
        unsafe { bindings::device_unregister(self.raw_dev()) };
    }
}

/// The class's `dev_release`: frees the manager when the last device reference goes.
///
/// # Safety
///
/// Called by the driver core only, for a device of the `fpga_manager` class.
pub(crate) unsafe extern "C" fn release(dev: *mut bindings::device) {
    // SAFETY: `dev` is a manager's device (class `dev_release`), and this is its last use.
    let m = unsafe { Manager::from_dev(dev) };
    // SAFETY: `dev` is still valid memory inside the manager.
    let id = unsafe { (*dev).id };
    crate::IDA.free(id);
    let m = ptr::from_ref(m).cast_mut();
    // SAFETY: `m` was allocated by `KBox::pin_init` in `register` and released with
    // `KBox::into_raw`; nothing refers to it any more.
    drop(unsafe { Pin::new_unchecked(KBox::from_raw(m)) });
}
