// SPDX-License-Identifier: GPL-2.0

//! The configfs interface: `/sys/kernel/config/fpga_regions/regionN/<image>/`.
//!
//! The subsystem `fpga_regions` is registered while this module is loaded. Each region gets a
//! group named after its device (`regionN`) when it registers, made by the kernel
//! (`configfs_register_group()`, as `drivers/pci/endpoint/pci-ep-cfs.c` does for endpoint
//! controllers); users create an image in it with `mkdir` ([`crate::image`]).
//!
//! When a region goes while images exist in its group, they stay, defunct (`-ENODEV`): configfs
//! cannot remove a directory that holds directories users made. The group then holds the
//! region's device, so the region's number is not reused meanwhile, and goes with the last image
//! (from a work item: configfs calls the item's release with its own locks held).
//!
//! ABI: `Documentation/ABI/testing/configfs-fpga-region`.

use crate::{
    ffi::{
        bindings,
        configfs as cfs,
        page::Page,
        workqueue::{
            OwnedQueue,
            QueueSlot, //
        }, //
    },
    image::ImageItem,
    region::Region,
    THIS_MODULE, //
};
use core::ptr;
use kernel::{
    configfs::{
        self,
        configfs_attrs, //
    },
    device::Device,
    new_mutex,
    page::PAGE_SIZE,
    prelude::*,
    str::CString,
    sync::{
        aref::ARef,
        atomic::{
            Acquire,
            Atomic,
            Release, //
        },
        Arc,
        Mutex, //
    },
    workqueue::{
        impl_has_work,
        new_work,
        Work,
        WorkItem, //
    }, //
};

/// The subsystem's root group, for regions to register under; NULL when no subsystem is.
static ROOT: Atomic<*mut bindings::config_group> = Atomic::new(ptr::null_mut());
/// The work queue that registers and removes the regions' groups, while there is one.
static REAPER: QueueSlot = QueueSlot::new();

/// The root of `fpga_regions`: no attributes, and no `mkdir` (regions are the kernel's).
#[pin_data]
pub(crate) struct Root {}

/// The loaded configfs interface: the subsystem and the work queue that registers and removes
/// the regions' groups.
///
/// Fields are dropped in order: the queue first, which runs the registrations and removals
/// still queued (no region exists any more, so none is queued after this), then the subsystem
/// their groups are in.
///
/// # Invariants
///
/// [`ROOT`] points to `subsys`'s root group from `new` until `drop`.
#[pin_data(PinnedDrop)]
pub(crate) struct Subsystem {
    _queue: OwnedQueue,
    #[pin]
    subsys: configfs::Subsystem<Root>,
}

impl Subsystem {
    /// Registers `fpga_regions`.
    pub(crate) fn new() -> impl PinInit<Self, Error> {
        let item_type = configfs_attrs! {
            container: configfs::Subsystem<Root>,
            data: Root,
            attributes: [],
        };
        try_pin_init!(Self {
            _queue: OwnedQueue::new(&REAPER, c"fpga_region_cfs", false)?,
            subsys <- configfs::Subsystem::new(c"fpga_regions", item_type, try_pin_init!(Root {})),
        })
        .pin_chain(|this| {
            // INVARIANT: Published until `drop`.
            ROOT.store(cfs::root(&this.subsys), Release);
            Ok(())
        })
    }
}

#[pinned_drop]
impl PinnedDrop for Subsystem {
    fn drop(self: Pin<&mut Self>) {
        ROOT.store(ptr::null_mut(), Release);
    }
}

/// A region's configfs group, owned by the region from its registration to its unregistration.
///
/// The group is registered and removed from this module's work queue, never where the region
/// is: a region is registered and unregistered with `of_mutex` held (by an overlay's devices,
/// from of_fpga_region's probe) or inside a configfs store (an overlay applied through
/// configfs), where registering or removing a configfs group (which takes configfs's
/// directory locks) inverts their order against `rmdir` (configfs's locks, then the image's
/// overlay removal, which takes `of_mutex`; lockdep reported it). So `regionN` appears a moment
/// after its region, and goes a moment after it (or with its last image).
pub(crate) struct RegionGroup {
    shared: Arc<RegionShared>,
}

impl RegionGroup {
    /// Creates the group `regionN` of `region`, and queues its registration.
    pub(crate) fn new(region: &Region) -> Result<Self> {
        let item_type = configfs_attrs! {
            container: configfs::Group<RegionDir>,
            data: RegionDir,
            child: ImageItem,
            attributes: [
                manager: 0,
                bridges: 1,
            ],
        };
        let shared = Arc::pin_init(
            try_pin_init!(RegionShared {
                dev: ARef::from(region.dev()),
                state <- new_mutex!(DirState {
                    defunct: false,
                    images: 0,
                    group: None,
                    pending: None,
                }),
                sync <- new_work!("RegionShared::sync"),
            }),
            GFP_KERNEL,
        )?;
        let name = CString::try_from_fmt(fmt!("{}", region.dev().name()))?;
        let dir_shared = shared.clone();
        let group = Arc::pin_init(
            configfs::Group::new(
                name,
                item_type,
                try_pin_init!(RegionDir { shared: dir_shared }),
            ),
            GFP_KERNEL,
        )?;
        shared.state.lock().pending = Some(Pending(group));
        shared.sync();
        Ok(Self { shared })
    }

    /// The region was unregistered: its images become defunct, and the group goes with the last
    /// of them (at once if it has none), from the work queue.
    pub(crate) fn region_gone(self) {
        self.shared.state.lock().defunct = true;
        self.shared.sync();
    }
}

/// What the group of a region holds: the region's shared state.
#[pin_data]
pub(crate) struct RegionDir {
    shared: Arc<RegionShared>,
}

/// A region's state shared by its group and its images.
///
/// # Invariants
///
/// `dev` is the device of a region registered by this core, referenced, so the `Region` stays
/// allocated (and its number taken) while this lives.
#[pin_data]
pub(crate) struct RegionShared {
    dev: ARef<Device>,
    #[pin]
    state: Mutex<DirState>,
    #[pin]
    sync: Work<RegionShared>,
}

/// The group's bookkeeping.
struct DirState {
    /// The region was unregistered: its images refuse every load (`-ENODEV`).
    defunct: bool,
    /// Images (user directories) in the group.
    images: usize,
    /// The registered group, until the region went and its last image did.
    group: Option<cfs::GroupRegistration<RegionDir>>,
    /// The group made for the region, until the work queue registers it.
    pending: Option<Pending>,
}

/// A group made and not registered yet.
struct Pending(Arc<configfs::Group<RegionDir>>);

// SAFETY: Nothing but its owner reaches a group that is not registered (configfs has not seen
// it), and the owner only moves it to the work queue, which registers or frees it: the group
// is never used from two threads. Its data (`RegionDir`) is `Send` and `Sync`.
unsafe impl Send for Pending {}
// SAFETY: A shared `Pending` gives access to nothing (see `Send`).
unsafe impl Sync for Pending {}

impl_has_work! {
    impl HasWork<Self> for RegionShared { self.sync }
}

impl WorkItem for RegionShared {
    type Pointer = Arc<RegionShared>;

    /// Registers the group of a new region, and removes the group of a region that went once
    /// its last image went. The state's lock is not held across either: configfs callbacks
    /// take it under configfs's locks.
    fn run(this: Arc<RegionShared>) {
        let (register, remove) = {
            let mut state = this.state.lock();
            if state.defunct {
                // A group never registered is only freed.
                drop(state.pending.take());
                let remove = if state.images == 0 {
                    state.group.take()
                } else {
                    None
                };
                (None, remove)
            } else {
                (state.pending.take().map(|pending| pending.0), None)
            }
        };
        drop(remove);
        let Some(group) = register else {
            return;
        };
        let root = ROOT.load(Acquire);
        if root.is_null() {
            return;
        }
        // SAFETY: `root` is the registered subsystem's root, which stays registered while this
        // runs (the module's exit destroys this work queue, running what it holds, before it
        // unregisters the subsystem); `group` is fresh.
        match unsafe { cfs::GroupRegistration::new(root, group) } {
            Ok(registered) => {
                let mut state = this.state.lock();
                if state.defunct && state.images == 0 {
                    // The region went meanwhile: the group goes again.
                    drop(state);
                    drop(registered);
                } else {
                    state.group = Some(registered);
                }
            }
            Err(e) => dev_warn!(this.dev, "no configfs group for the region: {:?}\n", e),
        }
    }
}

impl RegionShared {
    /// The region.
    pub(crate) fn region(&self) -> &Region {
        // SAFETY: `dev` is a region's device, referenced (type invariant).
        unsafe { Region::from_dev(crate::ffi::bindings::raw_device(&self.dev)) }
    }

    /// The region's device, for messages and uevents.
    pub(crate) fn dev(&self) -> &Device {
        &self.dev
    }

    /// Whether the region went (its images are defunct).
    pub(crate) fn is_defunct(&self) -> bool {
        self.state.lock().defunct
    }

    /// An image is created in the group: `-ENODEV` once the region went.
    pub(crate) fn image_created(&self) -> Result {
        let mut state = self.state.lock();
        if state.defunct {
            return Err(ENODEV);
        }
        state.images += 1;
        Ok(())
    }

    /// An image of the group was freed; the last one of a region that went takes the group.
    pub(crate) fn image_freed(self: &Arc<Self>) {
        let mut state = self.state.lock();
        state.images -= 1;
        let remove = state.defunct && state.images == 0 && state.group.is_some();
        drop(state);
        if remove {
            self.sync();
        }
    }

    /// Queues the registration or the removal of the group.
    fn sync(self: &Arc<Self>) {
        // SAFETY: This runs while the module is loaded (for a region of its, or an image, which
        // pins it), before its exit drops the queue.
        let Some(queue) = (unsafe { REAPER.get() }) else {
            return;
        };
        // Queued already: that run takes the group.
        let _ = queue.enqueue(self.clone());
    }
}

#[vtable]
impl configfs::GroupOperations for RegionDir {
    type Child = ImageItem;

    fn make_group(&self, name: &CStr) -> Result<impl PinInit<configfs::Group<ImageItem>, Error>> {
        let image_name = CString::try_from(name)?;
        let dir_name = CString::try_from(name)?;
        Ok(configfs::Group::new(
            dir_name,
            crate::image::item_type(),
            ImageItem::new(self.shared.clone(), image_name),
        ))
    }
}

/// Formats a line into a configfs page.
pub(crate) fn show_line(
    page: &mut [u8; PAGE_SIZE],
    args: core::fmt::Arguments<'_>,
) -> Result<usize> {
    let mut w = Page::new(page);
    w.write(args)?;
    w.end_line()
}

/// `regionN/manager`: the device name of the manager the region programs through.
#[vtable]
impl configfs::AttributeOperations<0> for RegionDir {
    type Data = RegionDir;

    fn show(data: &RegionDir, page: &mut [u8; PAGE_SIZE]) -> Result<usize> {
        let name = match data.shared.is_defunct() {
            true => None,
            false => data.shared.region().manager_name(),
        };
        match name {
            Some(name) => show_line(page, format_args!("{}", name.to_str().map_err(|_| EINVAL)?)),
            None => show_line(page, format_args!("")),
        }
    }
}

/// `regionN/bridges`: the device names of the bridges the region claimed.
#[vtable]
impl configfs::AttributeOperations<1> for RegionDir {
    type Data = RegionDir;

    fn show(data: &RegionDir, page: &mut [u8; PAGE_SIZE]) -> Result<usize> {
        let bridges = data.shared.region().claimed_bridges()?;
        let mut w = Page::new(page);
        for (i, dev) in bridges.iter().enumerate() {
            let name = dev.name().to_str().map_err(|_| EINVAL)?;
            w.write(format_args!("{}{}", if i == 0 { "" } else { " " }, name))?;
        }
        w.end_line()
    }
}
