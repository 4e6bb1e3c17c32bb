// SPDX-License-Identifier: GPL-2.0

//! One FPGA bridge: the C `struct fpga_bridge` drivers and callers see, and the core's private
//! state beside it.
//!
//! C header: [`include/linux/fpga/fpga-bridge.h`](srctree/include/linux/fpga/fpga-bridge.h)

use crate::{
    ffi::{
        bindings,
        class::impl_object,
        registration, //
    },
    lifecycle::{
        owners::Owners,
        protocol::Hold,
        registry::{
            Filing,
            Registry, //
        },
        Held,
        Lifecycle,
        Op, //
    }, //
};
use core::{
    pin::Pin,
    ptr, //
};
use kernel::{
    new_mutex,
    prelude::*,
    sync::Mutex,
    types::Opaque, //
};

/// The core's allocation for one bridge.
///
/// # Invariants
///
/// - `c` is the first field, so a `*mut bindings::fpga_bridge` handed out by the core is also a
///   pointer to its `Bridge`.
/// - From [`Bridge::register`] on, `c.dev` is an initialised device of the `fpga_bridge` class
///   and the allocation is freed only by the class's `dev_release` ([`release`]).
/// - `c.name` points into `name`, the core's own copy.
/// - `life` pins the module whose ops `c.br_ops` points to and the module of the parent's driver
///   (`lifecycle/owners.rs`), for each get, while the bridge is registered (`lifecycle/mod.rs`). A get
///   holds the bridge exclusively.
/// - `c.info` is written only by the exclusive holder, under `ops_lock`: set after its get
///   succeeded, cleared by its put (upstream sets it before checking, hole L4). Every call of an
///   op that may read it (`enable_set`, `enable_show`, `fpga_bridge_remove`) runs under
///   `ops_lock` too, so an op sees either NULL or an image info its holder has not put yet,
///   whoever calls it.
/// - `claimant` is 0 or the identity (an address, only compared) of the region that claimed the
///   bridge when it programmed through it, until that region gives the claim up.
#[pin_data]
#[repr(C)]
pub(crate) struct Bridge {
    #[pin]
    c: Opaque<bindings::fpga_bridge>,
    name: KVec<u8>,
    #[pin]
    life: Lifecycle,
    #[pin]
    claimant: Mutex<usize>,
    /// Serialises the driver's ops with the holder's writes of `c.info`.
    #[pin]
    ops_lock: Mutex<()>,
}

// SAFETY: `Bridge` is `!Send` and `!Sync` only for `c` (an `Opaque`). Of `c`'s fields the core
// writes `name`, `br_ops`, `br_ops_owner`, `priv`, `mutex` and `node` before the device is
// added (published); afterwards only unregistration writes the three pointers, as whole
// volatile stores after the last op, `info` is written under `ops_lock` (type invariant), and
// `node` under the bridge-list lock of its list's owner. The `dev` field is the driver core's,
// which synchronises it itself. The other fields are immutable (`name`) or locks.
unsafe impl Send for Bridge {}
// SAFETY: Every shared access to `c` is a read of a field immutable after publication, a
// whole volatile read of the three pointers unregistration clears after the last op, or an
// access to `info` under `ops_lock` or to `node` under its list's lock.
unsafe impl Sync for Bridge {}

// The C struct is the first field (type invariant): a C pointer to it is a pointer to the whole.
const _: () = assert!(core::mem::offset_of!(Bridge, c) == 0);

impl_object!(Bridge, fpga_bridge, Hold::Exclusive, forget_info);

/// The ops of an unregistered bridge: none.
static NO_OPS: crate::ffi::class::NoOps<bindings::fpga_bridge_ops> =
    // SAFETY: All-zero is a valid `struct fpga_bridge_ops`: optional functions and a nullable
    // pointer.
    unsafe { crate::ffi::class::NoOps::new() };

impl Bridge {
    crate::ffi::class::class_object_accessors!(fpga_bridge);

    /// The list node that puts the bridge on a caller's bridge list.
    pub(crate) fn node(&self) -> *mut bindings::list_head {
        // SAFETY: `c` is valid memory; only the address of the field is taken.
        unsafe { &raw mut (*self.c.get()).node }
    }

    /// The bridge of its list node.
    ///
    /// # Safety
    ///
    /// `node` must be the `node` of a bridge registered by this core that the caller holds.
    pub(crate) unsafe fn from_node<'a>(node: *mut bindings::list_head) -> &'a Bridge {
        // SAFETY: `node` is the `node` field of a `struct fpga_bridge` (caller's requirement).
        let br = unsafe { kernel::container_of!(node, bindings::fpga_bridge, node) };
        // SAFETY: `br` is a bridge registered by this core that the caller holds, so its device is
        // referenced.
        unsafe { Self::from_c(br) }
    }

    /// The bridge's name, as registered (the core's own copy, without the NUL).
    pub(crate) fn name(&self) -> &[u8] {
        self.name.split_last().map_or(&[], |(_, name)| name)
    }

    /// The low-level driver's ops.
    pub(crate) fn ops(&self) -> &bindings::fpga_bridge_ops {
        // SAFETY: `br_ops` is never NULL: the driver's ops (checked at registration) until
        // unregistration ends, then the static `NO_OPS`. The driver's ops live as long as its
        // module, which is alive while the caller is inside an op (`Op`), a get, the
        // registration or the unregistration (which swaps the pointer after the last op).
        unsafe { &*(*self.c.get()).br_ops }
    }

    /// Starts a call into the driver's ops: refused with `ENODEV` once unregistration began.
    pub(crate) fn enter(&self) -> Result<Op<'_>> {
        Ok(self.life.enter_op()?)
    }

    /// Creates and registers a bridge for `parent` with the given name, ops and owner module.
    pub(crate) fn register(
        parent: *mut bindings::device,
        name: *const u8,
        br_ops: *const bindings::fpga_bridge_ops,
        priv_: *mut core::ffi::c_void,
        owner: *mut bindings::module,
    ) -> Result<*mut bindings::fpga_bridge> {
        // SAFETY: A non-NULL `parent` is a valid device (C API contract).
        let parent_dev = unsafe { registration::parent(parent, "bridge") }?;
        if br_ops.is_null() {
            dev_err!(parent_dev, "Attempt to register without fpga_bridge_ops\n");
            return Err(EINVAL);
        }
        // SAFETY: `name` is NULL or a NUL-terminated string (C API contract).
        let name = unsafe { registration::name_copy(parent_dev, name) }?;
        // SAFETY: `parent` is valid, and registrations run in its driver's probe or with its
        // binding otherwise stable (C API contract). If registration fails later, the driver pin's
        // devres action stays on the parent until it unbinds (a few bytes, no pin).
        let owners = unsafe { Owners::of_registration(parent, owner) }?;
        let c_name = name.as_ptr();
        // Its entries in the registry, allocated before the registry's spinlock is taken.
        let filing = Filing::new()?;
        // `release` frees the bridge and its id in place.
        let (id, b) = crate::IDA.alloc_with(try_pin_init!(Bridge {
            c <- Opaque::ffi_init(move |c: *mut bindings::fpga_bridge| {
                // SAFETY: `c` is the uninitialised C struct of the bridge being initialised in
                // place; `c_name` points into the heap buffer of `name`, which the bridge keeps;
                // `mutex` and `node` are zeroed and unused.
                unsafe {
                    c.write_bytes(0, 1);
                    (*c).name = c_name.cast();
                    (*c).br_ops = br_ops;
                    (*c).br_ops_owner = owner;
                    (*c).priv_ = priv_;
                    registration::init_c_mutex(&raw mut (*c).mutex, c"&bridge->mutex");
                    crate::ffi::list::init(&raw mut (*c).node);
                }
            }),
            name,
            life <- Lifecycle::new(owners, c"fpga_bridge ops"),
            claimant <- new_mutex!(0),
            ops_lock <- new_mutex!(()),
        }))?;

        // SAFETY: `b` is valid; the device is not added yet, so only this function uses it.
        let b = unsafe { &*b };

        // SAFETY: `b.c.dev` is zeroed and `release` frees `b` and `id`; `parent` is valid; the
        // driver's groups outlive the registration (C API contract).
        unsafe {
            crate::FPGA_BRIDGE_CLASS.add_device(
                b.raw_dev(),
                parent,
                b.ops().groups,
                id,
                c"br%d",
                || {},
            )
        }?;
        // SAFETY: The bridge is registered and not filed yet; `unregister` takes it out before it
        // drops the registration's reference. Published before the children are populated: a
        // region among them gets its bridge in its probe.
        unsafe { crate::BRIDGES.lock().publish(b, filing) };

        // Devices described under the bridge in the device tree (regions behind it) are created
        // as its children, as upstream does; unlike upstream they are removed on unregister.
        // Without OF_ADDRESS (x86 without a device tree) there are none.
        // SAFETY: The device is registered; its `of_node` is the parent's (or NULL).
        #[cfg(CONFIG_OF_ADDRESS)]
        let of_node = unsafe { (*b.raw_dev()).of_node };
        #[cfg(CONFIG_OF_ADDRESS)]
        if !of_node.is_null() {
            // SAFETY: `of_node` is a valid node and the bridge device a valid parent.
            let ret = unsafe {
                bindings::of_platform_populate(of_node, ptr::null(), ptr::null(), b.raw_dev())
            };
            if ret != 0 {
                dev_warn!(b.dev(), "failed to populate child devices: {}\n", ret);
            }
        }
        Ok(b.as_c())
    }

    /// Records `info` for the exclusive holder that just got the bridge (L4).
    pub(crate) fn with_info(b: Held<Bridge>, info: *mut bindings::fpga_image_info) -> Held<Bridge> {
        {
            let _ops = b.ops_lock.lock();
            // SAFETY: Only the exclusive holder writes `info`, under `ops_lock`, and we are it now.
            unsafe { (*b.c.get()).info = info };
        }
        dev_dbg!(b.dev(), "get\n");
        b
    }

    /// The exclusive holder's put: forgets its image info before the hold is given back.
    fn forget_info(&self) {
        dev_dbg!(self.dev(), "put\n");
        // Waits for an op that may still read the info (its caller need not be the holder).
        let _ops = self.ops_lock.lock();
        // SAFETY: The holder is putting the bridge; it is the only writer of `info`, under
        // `ops_lock`.
        unsafe { (*self.c.get()).info = ptr::null_mut() };
    }

    /// Claims the bridge for `claimant`, a region that programs through it (upstream's region
    /// keeps its bridges held until its overlay is removed; a claim keeps that exclusivity
    /// without pinning the bridge's module). `EBUSY` if another claimant has it.
    pub(crate) fn claim(&self, claimant: usize) -> Result {
        let mut current = self.claimant.lock();
        if *current != 0 && *current != claimant {
            return Err(EBUSY);
        }
        *current = claimant;
        Ok(())
    }

    /// Freezes (disables) the bridge for `claimant`, which claimed it, and gives the claim up
    /// (`fpga_bridge_freeze_claimed()`). The claim stays locked throughout, so it cannot change
    /// hands between the check and the freeze. `EPERM` (nothing done) if `claimant` has no claim.
    pub(crate) fn freeze_claimed(
        &self,
        claimant: usize,
        info: *mut bindings::fpga_image_info,
    ) -> Result {
        let mut current = self.claimant.lock();
        if claimant == 0 || *current != claimant {
            dev_err!(
                self.dev(),
                "freeze refused: the caller has no claim on the bridge\n"
            );
            return Err(EPERM);
        }
        let got = crate::BRIDGES.lock().get(self);
        let frozen = match got {
            Ok(held) => Self::with_info(held, info).enable_set(false),
            // Another user holds it: the claim stands for upstream's hold, so freeze it anyway.
            Err(e) if e == EBUSY => self.enable_set(false),
            Err(e) => Err(e),
        };
        *current = 0;
        frozen
    }

    /// Gives up `claimant`'s claim; returns whether it had one.
    pub(crate) fn unclaim(&self, claimant: usize) -> bool {
        let mut current = self.claimant.lock();
        let had = *current == claimant;
        if had {
            *current = 0;
        }
        had
    }

    /// Lets transactions through the bridge (`enable`) or stops them (traced:
    /// `fpga_bridge_enable`).
    pub(crate) fn enable_set(&self, enable: bool) -> Result {
        dev_dbg!(
            self.dev(),
            "{}\n",
            if enable { "enable" } else { "disable" }
        );
        crate::trace::enable(self, enable, self.call_enable_set(enable))
    }

    /// The driver's `enable_set` op, inside an op and under `ops_lock`.
    fn call_enable_set(&self, enable: bool) -> Result {
        let _op = self.enter()?;
        let _ops = self.ops_lock.lock();
        match self.ops().enable_set {
            // SAFETY: The driver's op runs inside `enter`, so its module and device are alive;
            // under `ops_lock`, so `info` stays what it reads.
            Some(set) => kernel::error::to_result(unsafe { set(self.as_c(), enable) }),
            None => Ok(()),
        }
    }

    /// Whether the bridge lets transactions through (the `state` attribute); without an
    /// `enable_show` op it is always enabled, as upstream reports.
    pub(crate) fn enabled(&self) -> Result<bool> {
        let _op = self.enter()?;
        let _ops = self.ops_lock.lock();
        match self.ops().enable_show {
            Some(show) => {
                // SAFETY: The driver's op runs inside `enter`, so its module and device are alive;
                // under `ops_lock`, so `info` stays what it reads.
                let state = unsafe { show(self.as_c()) };
                kernel::error::to_result(state.min(0))?;
                Ok(state != 0)
            }
            None => Ok(true),
        }
    }

    /// Unregisters the bridge: refuses new gets and ops, waits for the ops in flight, lets the
    /// driver put the bridge into its final state, removes the child devices it populated, and
    /// removes the device.
    ///
    /// # Safety
    ///
    /// The caller must own the registration's reference, which this consumes.
    pub(crate) unsafe fn unregister(&self) {
        if Registry::unregister(crate::BRIDGES.lock(), self).is_none() {
            dev_warn!(self.dev(), "FPGA bridge unregistered twice\n");
            return;
        }
        if self.life.is_locked() {
            dev_info!(
                self.dev(),
                "unregistered while held; its holder's calls now fail with -ENODEV\n"
            );
        }
        if let Some(remove) = self.ops().fpga_bridge_remove {
            // A holder may outlive the unregistration: its put must not free the info `remove`
            // may read.
            let _ops = self.ops_lock.lock();
            // SAFETY: The driver is unregistering, so still alive, and no other op runs any more;
            // under `ops_lock`, so `info` stays what it reads.
            unsafe { remove(self.as_c()) };
        }
        let c = self.c.get();
        // The driver's module and data may go once this returns, while a holder keeps the
        // `struct fpga_bridge`: its pointers into the driver stop leading there.
        // SAFETY: `c` is valid; no op runs any more, so the core reads these fields no more, and
        // C readers get whole pointers.
        unsafe {
            ptr::write_volatile(&raw mut (*c).br_ops, NO_OPS.as_ptr());
            ptr::write_volatile(&raw mut (*c).br_ops_owner, ptr::null_mut());
            ptr::write_volatile(&raw mut (*c).priv_, ptr::null_mut());
        }
        // SAFETY: The device is not deleted yet.
        unsafe { self.life.release_binding() };
        // SAFETY: The device is registered; this removes only children it populated.
        #[cfg(CONFIG_OF_ADDRESS)]
        unsafe {
            bindings::of_platform_depopulate(self.raw_dev())
        };
        // SAFETY: Drops the registration's reference; `self` may be freed after this.
        unsafe { bindings::device_unregister(self.raw_dev()) };
    }
}

/// The class's `dev_release`: frees the bridge when the last device reference goes.
///
/// # Safety
///
/// Called by the driver core only, for a device of the `fpga_bridge` class.
pub(crate) unsafe extern "C" fn release(dev: *mut bindings::device) {
    // SAFETY: `dev` is a bridge's device (class `dev_release`), and this is its last use.
    let b = unsafe { Bridge::from_dev(dev) };
    // SAFETY: `dev` is still valid memory inside the bridge.
    crate::IDA.free(unsafe { (*dev).id });
    let b = ptr::from_ref(b).cast_mut();
    // SAFETY: `b` was allocated by `KBox::pin_init` in `register` and released with
    // `KBox::into_raw`; nothing refers to it any more.
    drop(unsafe { Pin::new_unchecked(KBox::from_raw(b)) });
}
