// SPDX-License-Identifier: GPL-2.0

//! One configfs image (`fpga_regions/regionN/<image>/`): an `fpga_image_info` that a user fills
//! through attributes, inactive until `config` is written.
//!
//! `config` 1 loads it: it takes the region's image ([`crate::image_owner`]: `-EBUSY` while
//! another image or an overlay owns it), programs the region through the same code as
//! `fpga_region_program_fpga()` with `region->info` set to the image's info, then, on a
//! device-tree region, applies the image's overlay (its devices). For an overlay, the
//! programming happens inside the overlay's application ([`crate::overlay`]), before its devices
//! are added, as of_fpga_region does. The write returns when all that is done, with its errno;
//! `status` and a uevent tell which step failed. `config` 0, and `rmdir`, unload it: the overlay
//! and its devices go, and the bridges the region claimed are frozen.
//!
//! Owner modules are pinned only inside a load (by the programming); between loads nothing is.
//!
//! ABI: `Documentation/ABI/testing/configfs-fpga-region`.

use crate::{
    configfs::RegionShared,
    failure::{
        self,
        Failure,
        Step, //
    },
    ffi::bindings,
    region::Region,
    THIS_MODULE, //
};
use core::ptr;
use kernel::{
    configfs::{
        self,
        configfs_attrs, //
    },
    new_mutex,
    prelude::*,
    str::CString,
    sync::{
        Arc,
        Mutex, //
    }, //
};

mod attributes;

/// The longest image or overlay file name, in bytes (`NAME_MAX`).
const NAME_MAX: usize = 255;

/// The words of `flags`, in the order `flags` shows them, and their `FPGA_MGR_*` bits.
const FLAG_WORDS: [(&str, u32); 5] = [
    ("partial", bindings::FPGA_MGR_PARTIAL_RECONFIG),
    ("external", bindings::FPGA_MGR_EXTERNAL_CONFIG),
    ("encrypted", bindings::FPGA_MGR_ENCRYPTED_BITSTREAM),
    ("lsb_first", bindings::FPGA_MGR_BITSTREAM_LSB_FIRST),
    ("compressed", bindings::FPGA_MGR_COMPRESSED_BITSTREAM),
];

/// The item type of images: their attributes, no children.
pub(crate) fn item_type() -> &'static configfs::ItemType<configfs::Group<ImageItem>, ImageItem> {
    configfs_attrs! {
        container: configfs::Group<ImageItem>,
        data: ImageItem,
        attributes: [
            firmware: 0,
            overlay: 1,
            flags: 2,
            enable_timeout_us: 3,
            disable_timeout_us: 4,
            config_complete_timeout_us: 5,
            config: 6,
            status: 7,
        ],
    }
}

/// An image's place in its region's group: counted from its creation to its release, so that
/// the group of a region that went stays until its last image goes.
struct Membership(Arc<RegionShared>);

impl Membership {
    fn new(shared: Arc<RegionShared>) -> Result<Self> {
        shared.image_created()?;
        Ok(Self(shared))
    }
}

impl Drop for Membership {
    fn drop(&mut self) {
        self.0.image_freed();
    }
}

/// What user space set, and the image's state.
#[derive(Default)]
pub(crate) struct Settings {
    pub(crate) firmware: Option<CString>,
    pub(crate) overlay: Option<CString>,
    pub(crate) flags: u32,
    pub(crate) enable_timeout_us: u32,
    pub(crate) disable_timeout_us: u32,
    pub(crate) config_complete_timeout_us: u32,
}

/// Where an image is.
#[derive(Default)]
enum Status {
    #[default]
    Unloaded,
    /// A `config` write is loading it (attributes are read-only, `config` is `-EBUSY`).
    Loading,
    /// Loaded, with its overlay applied if it has one.
    Loaded(Option<crate::overlay::Applied>),
    /// The last load failed.
    Error(Failure),
}

struct State {
    settings: Settings,
    status: Status,
}

/// A configfs image.
#[pin_data(PinnedDrop)]
pub(crate) struct ImageItem {
    membership: Membership,
    name: CString,
    #[pin]
    state: Mutex<State>,
}

impl ImageItem {
    /// A new image `name` of the region `shared`: `-ENODEV` once the region went.
    pub(crate) fn new(shared: Arc<RegionShared>, name: CString) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            membership: Membership::new(shared)?,
            name,
            state <- new_mutex!(State {
                settings: Settings::default(),
                status: Status::Unloaded,
            }),
        })
    }

    /// The image's name (its directory's), for messages and uevents.
    fn label(&self) -> &str {
        self.name.to_str().unwrap_or("?")
    }

    fn shared(&self) -> &RegionShared {
        &self.membership.0
    }

    /// The image's identity as the owner of its region's image.
    fn id(&self) -> usize {
        ptr::from_ref(self) as usize
    }

    /// Changes a setting: `-EBUSY` while the image is loaded or loading.
    fn set(&self, f: impl FnOnce(&mut Settings) -> Result) -> Result {
        let mut state = self.state.lock();
        if matches!(state.status, Status::Loaded(_) | Status::Loading) {
            return Err(EBUSY);
        }
        f(&mut state.settings)
    }

    /// `config` 1.
    fn load(&self) -> Result {
        let shared = self.shared();
        let region = shared.region();
        let settings = {
            let mut state = self.state.lock();
            if matches!(state.status, Status::Loading) {
                return Err(EBUSY);
            }
            let settings = Settings {
                firmware: clone(&state.settings.firmware)?,
                overlay: clone(&state.settings.overlay)?,
                ..state.settings
            };
            // Loading again: the old image goes first (its devices, its claims on the bridges).
            self.unload(&mut state)?;
            state.status = Status::Loading;
            settings
        };
        let result = if shared.is_defunct() {
            Err(Failure::new(Step::Region, ENODEV))
        } else {
            self.program(region, &settings)
        };
        let mut state = self.state.lock();
        match result {
            Ok(overlay) => {
                state.status = Status::Loaded(overlay);
                drop(state);
                self.notify("loaded", None);
                Ok(())
            }
            Err(failure) => {
                state.status = Status::Error(failure);
                drop(state);
                if !shared.is_defunct() {
                    region.owner().release_image(self.id());
                }
                self.report(&failure);
                Err(failure.err)
            }
        }
    }

    /// Programs the region with `settings`, and applies their overlay: the overlay's changeset on
    /// success.
    fn program(
        &self,
        region: &Region,
        settings: &Settings,
    ) -> Result<Option<crate::overlay::Applied>, Failure> {
        region.owner().take_for_image(self.id()).map_err(|e| {
            dev_err!(
                region.dev(),
                "image '{}': the region's image is another's (a configfs image or an overlay)\n",
                self.label()
            );
            Failure::new(Step::Region, e)
        })?;
        if let Some(overlay) = &settings.overlay {
            return crate::overlay::load(region, self.id(), overlay, settings).map(Some);
        }
        let Some(firmware) = &settings.firmware else {
            dev_err!(
                region.dev(),
                "image '{}': no firmware to load\n",
                self.label()
            );
            return Err(Failure::new(Step::Image, EINVAL));
        };
        let mut info = info_of(settings);
        info.firmware_name = firmware.as_char_ptr().cast_mut();
        program_with(region, &mut info).map(|()| None)
    }

    /// `config` 0, a reload, and the image's release: removes the overlay and its devices,
    /// freezes the bridges the region claimed and gives the region's image up. Returns whether
    /// the image was loaded.
    ///
    /// An overlay the overlay core refuses to remove (another overlay applied since on the
    /// region's nodes, which must go first) stays applied: the image stays loaded and keeps the
    /// region, and the overlay core's errno is returned.
    fn unload(&self, state: &mut State) -> Result<bool> {
        let overlay = match core::mem::replace(&mut state.status, Status::Unloaded) {
            Status::Loaded(overlay) => overlay,
            other => {
                if matches!(other, Status::Loading) {
                    state.status = other;
                }
                return Ok(false);
            }
        };
        if let Some(overlay) = overlay {
            if let Err((overlay, e)) = overlay.remove() {
                dev_err!(
                    self.shared().dev(),
                    "image '{}': its overlay cannot be removed ({:?}): another overlay on its \
                     nodes must go first; it stays loaded\n",
                    self.label(),
                    e
                );
                state.status = Status::Loaded(Some(overlay));
                return Err(e);
            }
        }
        let shared = self.shared();
        if !shared.is_defunct() {
            let region = shared.region();
            let mut info = info_of(&state.settings);
            // SAFETY: `info` is valid for the call. The region core logs each bridge it cannot
            // freeze: the image is unloaded either way.
            let _ = unsafe { region.freeze_bridges_with(&mut info) };
            region.owner().release_image(self.id());
        }
        Ok(true)
    }

    /// A uevent on the region: `FPGA_REGION_STATUS`, `FPGA_REGION_ERROR` on failure, and
    /// `FPGA_IMAGE`. None once the region went (its device is deleted).
    fn notify(&self, status: &str, failure: Option<&Failure>) {
        let shared = self.shared();
        if shared.is_defunct() {
            return;
        }
        let vars = (|| -> Result<KVec<CString>> {
            let mut vars = KVec::with_capacity(3, GFP_KERNEL)?;
            vars.push(
                CString::try_from_fmt(fmt!("FPGA_REGION_STATUS={}", status))?,
                GFP_KERNEL,
            )?;
            if let Some(f) = failure {
                vars.push(
                    CString::try_from_fmt(fmt!("FPGA_REGION_ERROR={}", StepErrno(f)))?,
                    GFP_KERNEL,
                )?;
            }
            vars.push(
                CString::try_from_fmt(fmt!("FPGA_IMAGE={}", self.label()))?,
                GFP_KERNEL,
            )?;
            Ok(vars)
        })();
        match vars {
            Ok(vars) => crate::ffi::uevent::change(shared.dev(), vars),
            Err(e) => dev_warn!(shared.dev(), "uevent not sent: {:?}\n", e),
        }
    }

    /// A failed load: one line in the kernel log, and a uevent.
    fn report(&self, failure: &Failure) {
        dev_err!(
            self.shared().dev(),
            "image '{}': load failed at step {}\n",
            self.label(),
            StepErrno(failure)
        );
        self.notify("error", Some(failure));
    }
}

#[pinned_drop]
impl PinnedDrop for ImageItem {
    fn drop(self: Pin<&mut Self>) {
        // `rmdir`: a loaded image is unloaded. If its overlay cannot be removed (logged), it
        // stays applied and the region stays this image's until it is unbound.
        let unloaded = {
            let mut state = self.state.lock();
            let unloaded = self.unload(&mut state);
            if let Status::Loaded(Some(overlay)) = core::mem::take(&mut state.status) {
                overlay.leak();
            }
            unloaded
        };
        if unloaded == Ok(true) {
            self.notify("unloaded", None);
        }
    }
}

/// `<step> <ERRNO>`, as `status` shows it.
struct StepErrno<'a>(&'a Failure);

impl core::fmt::Display for StepErrno<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        failure::write_step_errno(f, self.0)
    }
}

// The kernel's formatting macros (`dev_err!`, `fmt!`) take their own `Display`.
impl kernel::fmt::Display for StepErrno<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        failure::write_step_errno(f, self.0)
    }
}

/// A copy of a setting's string.
fn clone(s: &Option<CString>) -> Result<Option<CString>> {
    s.as_ref()
        .map(|s| CString::try_from(&**s).map_err(Error::from))
        .transpose()
}

/// The image info of `settings`, without firmware.
pub(crate) fn info_of(settings: &Settings) -> bindings::fpga_image_info {
    bindings::fpga_image_info {
        flags: settings.flags,
        enable_timeout_us: settings.enable_timeout_us,
        disable_timeout_us: settings.disable_timeout_us,
        config_complete_timeout_us: settings.config_complete_timeout_us,
        ..Default::default()
    }
}

/// Programs `region` with `info`, as `fpga_region_program_fpga()` does with `region->info`
/// (which is `info` inside the programming's exclusive hold, for the region's `get_bridges`).
pub(crate) fn program_with(
    region: &Region,
    info: &mut bindings::fpga_image_info,
) -> Result<(), Failure> {
    // SAFETY: `info` is a valid image info that outlives the call.
    unsafe { crate::program::program_steps(region, Some(info)) }
}
