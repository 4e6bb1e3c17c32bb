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
    bindings,
    ffi::{configfs as cfs, page::Page},
    image::Image,
    region::Region,
    THIS_MODULE,
};
use core::ptr;
use kernel::{
    configfs::{self, configfs_attrs},
    device::Device,
    new_mutex,
    page::PAGE_SIZE,
    prelude::*,
    str::CString,
    sync::{
        aref::ARef,
        atomic::{Acquire, Atomic, Release},
        Arc, Mutex,
    },
    workqueue::{self, impl_has_work, new_work, Work, WorkItem},
};

/// The subsystem's root group, for regions to register under; NULL when no subsystem is.
static ROOT: Atomic<*mut bindings::config_group> = Atomic::new(ptr::null_mut());
/// The work queue that removes the groups of regions that went; NULL when there is none.
static REAPER: Atomic<*mut bindings::workqueue_struct> = Atomic::new(ptr::null_mut());

/// The root of `fpga_regions`: no attributes, and no `mkdir` (regions are the kernel's).
#[pin_data]
pub(crate) struct Root {}

/// The loaded configfs interface: the subsystem and the work queue of its reaper.
///
/// # Invariants
///
/// `queue` is a work queue of this module's, destroyed (drained) only by `drop`; [`ROOT`] and
/// [`REAPER`] point to `subsys`'s root group and to `queue` from `new` until `drop`.
#[pin_data(PinnedDrop)]
pub(crate) struct Subsystem {
    #[pin]
    subsys: configfs::Subsystem<Root>,
    queue: *mut bindings::workqueue_struct,
}

// SAFETY: The queue pointer is only handed to the workqueue API, which may be called from any
// thread; the subsystem is the kernel crate's (`Send`, `Sync`).
unsafe impl Send for Subsystem {}
// SAFETY: As for `Send`.
unsafe impl Sync for Subsystem {}

impl Subsystem {
    /// Registers `fpga_regions`.
    pub(crate) fn new() -> impl PinInit<Self, Error> {
        let item_type = configfs_attrs! {
            container: configfs::Subsystem<Root>,
            data: Root,
            attributes: [],
        };
        // SAFETY: A valid format string; no variadic arguments, as it has no conversions.
        let queue =
            unsafe { bindings::alloc_workqueue_noprof(c"fpga_region_cfs".as_char_ptr(), 0, 0) };
        try_pin_init!(Self {
            subsys <- configfs::Subsystem::new(c"fpga_regions", item_type, try_pin_init!(Root {})),
            queue: if queue.is_null() { Err(ENOMEM)? } else { queue },
        })
        .pin_chain(|this| {
            ROOT.store(cfs::root(&this.subsys), Release);
            REAPER.store(this.queue, Release);
            Ok(())
        })
    }
}

#[pinned_drop]
impl PinnedDrop for Subsystem {
    fn drop(self: Pin<&mut Self>) {
        ROOT.store(ptr::null_mut(), Release);
        REAPER.store(ptr::null_mut(), Release);
        // SAFETY: `queue` is this module's (type invariant); destroying it runs the reaps still
        // queued (no region exists any more, so none is queued after this), before the
        // subsystem their groups are in is unregistered.
        unsafe { bindings::destroy_workqueue(self.queue) };
    }
}

/// A region's configfs group, owned by the region from its registration to its unregistration.
pub(crate) struct RegionGroup {
    shared: Arc<RegionShared>,
    /// Unregisters the group when dropped.
    _registered: cfs::Registered<RegionDir>,
}

impl RegionGroup {
    /// Creates and registers the group `regionN` of `region`.
    pub(crate) fn new(region: &Region) -> Result<Self> {
        let root = ROOT.load(Acquire);
        if root.is_null() {
            return Err(ENODEV);
        }
        let shared = Arc::pin_init(
            try_pin_init!(RegionShared {
                dev: ARef::from(region.dev()),
                state <- new_mutex!(DirState {
                    defunct: false,
                    images: 0,
                    parked: None,
                }),
                reap <- new_work!("RegionShared::reap"),
            }),
            GFP_KERNEL,
        )?;
        let item_type = configfs_attrs! {
            container: configfs::Group<RegionDir>,
            data: RegionDir,
            child: Image,
            attributes: [
                manager: 0,
                bridges: 1,
            ],
        };
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
        // SAFETY: `root` is the registered subsystem's root, which stays registered while any
        // region exists (regions depend on this module); `group` is fresh.
        let registered = unsafe { cfs::Registered::new(root, group) }?;
        Ok(Self {
            shared,
            _registered: registered,
        })
    }

    /// The region was unregistered: its images become defunct, and the group goes with the last
    /// of them (at once if it has none), always from the work queue: the caller may hold
    /// `of_mutex` (an overlay's removal unregisters the regions it added) or configfs's own locks
    /// (an image's release removes its overlay), which unregistering a group takes.
    pub(crate) fn region_gone(self) {
        let shared = self.shared.clone();
        let mut state = shared.state.lock();
        state.defunct = true;
        state.parked = Some(self);
        let reap = state.images == 0;
        drop(state);
        if reap {
            shared.reap();
        }
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
    reap: Work<RegionShared>,
}

/// The group's bookkeeping.
struct DirState {
    /// The region was unregistered: its images refuse every load (`-ENODEV`).
    defunct: bool,
    /// Images (user directories) in the group.
    images: usize,
    /// The group of a region that went while images remained, until the last one goes.
    parked: Option<RegionGroup>,
}

impl_has_work! {
    impl HasWork<Self> for RegionShared { self.reap }
}

impl WorkItem for RegionShared {
    type Pointer = Arc<RegionShared>;

    /// Removes the group of a region that went, once its last image went.
    fn run(this: Arc<RegionShared>) {
        let parked = this.state.lock().parked.take();
        drop(parked);
    }
}

impl RegionShared {
    /// The region.
    pub(crate) fn region(&self) -> &Region {
        // SAFETY: `dev` is a region's device, referenced (type invariant).
        unsafe { Region::from_dev(crate::class::raw_device(&self.dev)) }
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
        let reap = state.defunct && state.images == 0 && state.parked.is_some();
        drop(state);
        if reap {
            self.reap();
        }
    }

    /// Queues the removal of the parked group.
    fn reap(self: &Arc<Self>) {
        let queue = REAPER.load(Acquire);
        if queue.is_null() {
            return;
        }
        // SAFETY: The queue is alive: this runs while the module is loaded (for a region of
        // its, or an image, which pins it), and the queue is destroyed only when it goes.
        let queue = unsafe { workqueue::Queue::from_raw(queue) };
        // Queued already: that run takes the group.
        let _ = queue.enqueue(self.clone());
    }
}

#[vtable]
impl configfs::GroupOperations for RegionDir {
    type Child = Image;

    fn make_group(&self, name: &CStr) -> Result<impl PinInit<configfs::Group<Image>, Error>> {
        let image_name = CString::try_from(name)?;
        let dir_name = CString::try_from(name)?;
        Ok(configfs::Group::new(
            dir_name,
            crate::image::item_type(),
            Image::new(self.shared.clone(), image_name),
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
