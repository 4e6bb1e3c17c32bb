// SPDX-License-Identifier: GPL-2.0

//! The FPGA manager attributes of the vendor kernels (linux-xlnx, linux-socfpga), `flags`,
//! `firmware` and `key`, on every `fpga_manager` device, for the tools written against them
//! (Xilinx's `fpgautil`, PYNQ, dfx-mgr, Canonical's `fpgad`). Opt-in: nothing loads this module
//! for you, and the cores know nothing of it. It adds the attributes through a class interface
//! on the core's class ([`fpga_mgr_class()`](srctree/drivers/fpga/rust/ffi/fpga-rs.h)).
//!
//! Unlike the vendor kernels, whose `firmware` write calls the manager's load directly:
//!
//! - a write to `firmware` programs through the C API a region uses: `fpga_mgr_get()` (the
//!   low-level driver's module is pinned during the load only), `fpga_mgr_lock()` (`EBUSY`
//!   while a region or another user programs the manager) and `fpga_mgr_load()`, and returns
//!   the load's errno;
//! - `flags` takes the upstream `FPGA_MGR_*` bits only: a vendor bit (user key 0x20,
//!   authentication 0x40/0x80) is refused with `EINVAL` and one log line, not passed on, and
//!   the next `firmware` write fails with `EINVAL` too until `flags` is written again (the
//!   tools ignore a failed `flags` write: the image must not be loaded with other flags than
//!   those asked for);
//! - `key` takes at most [`KEY_MAX`] hexadecimal digits and cannot be read back. No upstream
//!   driver takes a user key (the flag that would use it is refused), so it is checked and
//!   dropped, not kept.
//!
//! ABI: `Documentation/ABI/testing/sysfs-class-fpga-manager-compat`.

use core::ptr;
use kernel::{
    device::Device,
    prelude::*, //
};

#[path = "../../ffi/class_interface.rs"]
pub mod class_interface;
#[path = "../../ffi/errno.rs"]
pub mod errno;
#[path = "../../fpga/mod.rs"]
pub mod fpga;
#[path = "../../ffi/page.rs"]
pub mod page;
#[path = "../../ffi/sysfs.rs"]
pub mod sysfs;

use errno::ErrnoName;
use fpga::{
    bindings,
    user, //
};
use page::Page;

module! {
    type: CompatSysfs,
    name: "fpga_compat_sysfs",
    authors: ["fpga-rs developers"],
    description: "FPGA manager sysfs attributes of the vendor kernels (flags, firmware, key)",
    license: "GPL",
}

/// The most hexadecimal digits `key` takes: an AES-256 key, as the vendor kernels'
/// `ENCRYPTED_KEY_LEN`.
pub const KEY_MAX: usize = 64;

/// The `FPGA_MGR_*` bits of the upstream C API (`include/linux/fpga/fpga-mgr.h`).
const UPSTREAM_FLAGS: u32 = bindings::FPGA_MGR_PARTIAL_RECONFIG
    | bindings::FPGA_MGR_EXTERNAL_CONFIG
    | bindings::FPGA_MGR_ENCRYPTED_BITSTREAM
    | bindings::FPGA_MGR_BITSTREAM_LSB_FIRST
    | bindings::FPGA_MGR_COMPRESSED_BITSTREAM;

/// What this module keeps of a manager.
struct Entry {
    /// The manager's device, as an address: only compared.
    dev: usize,
    /// `flags`, upstream bits only.
    flags: u32,
    /// The last `flags` write was refused: loads are refused too until one is taken.
    refused: bool,
}

kernel::sync::global_lock! {
    // SAFETY: Initialised in `init`, before the class interface is registered.
    unsafe(uninit) static ENTRIES: Mutex<KVec<Entry>> = KVec::new();
}

/// The address that identifies `dev` in [`ENTRIES`].
fn key_of(dev: &Device) -> usize {
    ptr::from_ref(dev) as usize
}

/// Runs `f` on the entry of `dev`; `ENODEV` if the manager has none (it is going).
fn with_entry<R>(dev: &Device, f: impl FnOnce(&mut Entry) -> R) -> Result<R> {
    let mut entries = ENTRIES.lock();
    let entry = entries
        .iter_mut()
        .find(|e| e.dev == key_of(dev))
        .ok_or(ENODEV)?;
    Ok(f(entry))
}

/// The text of a sysfs write without its one trailing newline, as the vendor kernels take it.
fn text(buf: &[u8]) -> &[u8] {
    buf.strip_suffix(b"\n").unwrap_or(buf)
}

/// Parses hexadecimal `flags` as the vendor kernels (`kstrtol(buf, 16, ...)`): digits, with or
/// without `0x`.
fn parse_hex(buf: &[u8]) -> Result<u32> {
    let digits = text(buf);
    let digits = digits
        .strip_prefix(b"0x")
        .or_else(|| digits.strip_prefix(b"0X"))
        .unwrap_or(digits);
    if digits.is_empty() {
        return Err(EINVAL);
    }
    digits.iter().try_fold(0u32, |value, &c| {
        let digit = (c as char).to_digit(16).ok_or(EINVAL)?;
        value
            .checked_mul(16)
            .and_then(|v| v.checked_add(digit))
            .ok_or(ERANGE)
    })
}

/// `flags`: the flags of the next `firmware` load, as `%x`.
fn flags_show(dev: &Device, page: &mut impl core::fmt::Write) -> Result {
    let flags = with_entry(dev, |e| e.flags)?;
    writeln!(page, "{flags:x}").map_err(|_| EINVAL)
}

/// `flags`: hexadecimal, upstream `FPGA_MGR_*` bits only; a refused write also refuses the
/// loads until a write is taken.
fn flags_store(dev: &Device, buf: &[u8]) -> Result {
    let result = parse_flags(dev, buf);
    with_entry(dev, |e| match result {
        Ok(flags) => {
            e.flags = flags;
            e.refused = false;
        }
        Err(_) => e.refused = true,
    })?;
    result.map(|_| ())
}

/// The flags of a `flags` write: hexadecimal, upstream bits only.
fn parse_flags(dev: &Device, buf: &[u8]) -> Result<u32> {
    let flags = parse_hex(buf).inspect_err(|_| {
        dev_err!(dev, "flags: not a hexadecimal number\n");
    })?;
    if flags & !UPSTREAM_FLAGS != 0 {
        dev_err!(
            dev,
            "flags 0x{:x}: bits 0x{:x} are no upstream FPGA_MGR_* flag (vendor user key or \
             authentication): refused\n",
            flags,
            flags & !UPSTREAM_FLAGS
        );
        return Err(EINVAL);
    }
    Ok(flags)
}

/// `key`: at most [`KEY_MAX`] hexadecimal digits, checked and dropped (no upstream driver
/// takes a user key).
fn key_store(dev: &Device, buf: &[u8]) -> Result {
    let digits = text(buf);
    if digits.is_empty() || digits.len() > KEY_MAX || !digits.iter().all(u8::is_ascii_hexdigit) {
        dev_err!(
            dev,
            "key: 1 to {} hexadecimal digits expected, got {} bytes\n",
            KEY_MAX,
            digits.len()
        );
        return Err(EINVAL);
    }
    Ok(())
}

/// `firmware`: programs the manager with the firmware file named (`/lib/firmware/<name>`, or
/// the firmware loader's path) and the flags of `flags`; returns when the load is done, with
/// its errno.
fn firmware_store(dev: &Device, parent: Option<&Device>, buf: &[u8]) -> Result {
    let name = text(buf);
    if name.is_empty() || name.contains(&0) {
        dev_err!(dev, "firmware: a file name expected\n");
        return Err(EINVAL);
    }
    let mut bytes = KVec::with_capacity(name.len() + 1, GFP_KERNEL)?;
    bytes.extend_from_slice(name, GFP_KERNEL)?;
    bytes.push(0, GFP_KERNEL)?;
    let name = CStr::from_bytes_with_nul(&bytes).map_err(|_| EINVAL)?;
    let shown = name.to_str().unwrap_or("?");
    let (flags, refused) = with_entry(dev, |e| (e.flags, e.refused))?;
    if refused {
        dev_err!(
            dev,
            "firmware {}: the last write to flags was refused: write flags first\n",
            shown
        );
        return Err(EINVAL);
    }
    let parent = parent.ok_or(ENODEV)?;
    let mgr = user::Manager::get(parent).inspect_err(|e| {
        dev_err!(
            dev,
            "firmware {}: the manager is going away: {}\n",
            shown,
            ErrnoName(*e)
        )
    })?;
    if !ptr::eq(mgr.device(), dev) {
        // `fpga_mgr_get()` finds the first manager of a parent device.
        dev_err!(
            dev,
            "firmware {}: another manager shares this manager's parent device\n",
            shown
        );
        return Err(ENODEV);
    }
    let locked = mgr.lock().inspect_err(|e| {
        dev_err!(
            dev,
            "firmware {}: the manager is in use (a region programs it): {}\n",
            shown,
            ErrnoName(*e)
        )
    })?;
    let mut image = user::Image::new(mgr.device())?;
    image.set_flags(flags);
    image.set_firmware(name)?;
    locked
        .load(&mut image)
        .inspect_err(|e| dev_err!(dev, "firmware {}: load failed: {}\n", shown, ErrnoName(*e)))
}

/// The device of a sysfs callback of this module, and its parent.
///
/// # Safety
///
/// `dev` must be a manager's device whose attributes of this module's are in sysfs for `'a`
/// (a callback of one of them, or `add_dev`/`remove_dev`).
unsafe fn devices<'a>(dev: *mut bindings::device) -> (&'a Device, Option<&'a Device>) {
    // SAFETY: `dev` is valid for `'a` (the caller's requirement). Its parent is NULL or valid
    // too: `device_del()` drops the device's reference to its parent after the class
    // interface's `remove_dev`, which removes the attributes and waits for their callbacks.
    unsafe {
        let parent = (*dev).parent;
        (
            Device::from_raw(dev),
            (!parent.is_null()).then(|| Device::from_raw(parent)),
        )
    }
}

/// A sysfs `store` result: the bytes taken, or the errno.
fn stored(result: Result, count: usize) -> isize {
    match result {
        Ok(()) => count as isize,
        Err(e) => e.to_errno() as isize,
    }
}

/// The buffer of a sysfs `store` callback.
///
/// # Safety
///
/// `buf` must be readable for `count` bytes for `'a`.
unsafe fn written<'a>(buf: *const u8, count: usize) -> &'a [u8] {
    // SAFETY: The caller's requirement.
    unsafe { core::slice::from_raw_parts(buf, count) }
}

/// `show` of `flags`.
///
/// # Safety
///
/// Called by sysfs only, with a valid device and its `PAGE_SIZE` page.
unsafe extern "C" fn flags_show_c(
    dev: *mut bindings::device,
    _attr: *mut bindings::device_attribute,
    buf: *mut u8,
) -> isize {
    // SAFETY: sysfs passes a device that lives during the call.
    let (dev, _) = unsafe { devices(dev) };
    // SAFETY: sysfs passes its `PAGE_SIZE` page, ours during the call.
    let mut page = unsafe { Page::from_raw(buf) };
    match flags_show(dev, &mut page) {
        Ok(()) => page.len() as isize,
        Err(e) => e.to_errno() as isize,
    }
}

/// What a write to one of this module's write-only or read-write attributes does.
trait Store {
    /// Takes `buf`, written to the attribute of the manager device `dev` (whose parent is
    /// `parent`).
    fn store(dev: &Device, parent: Option<&Device>, buf: &[u8]) -> Result;
}

/// `flags`.
struct Flags;
/// `key`.
struct Key;
/// `firmware`.
struct Firmware;

impl Store for Flags {
    fn store(dev: &Device, _parent: Option<&Device>, buf: &[u8]) -> Result {
        flags_store(dev, buf)
    }
}

impl Store for Key {
    fn store(dev: &Device, _parent: Option<&Device>, buf: &[u8]) -> Result {
        key_store(dev, buf)
    }
}

impl Store for Firmware {
    fn store(dev: &Device, parent: Option<&Device>, buf: &[u8]) -> Result {
        firmware_store(dev, parent, buf)
    }
}

/// The C `store` of the attribute `S`.
///
/// # Safety
///
/// Called by sysfs only, for one of this module's attributes of a manager's device, with
/// `count` readable bytes at `buf`.
unsafe extern "C" fn store_c<S: Store>(
    dev: *mut bindings::device,
    _attr: *mut bindings::device_attribute,
    buf: *const u8,
    count: usize,
) -> isize {
    // SAFETY: sysfs calls this for a manager's device whose attribute of this module's is in
    // sysfs during the call, with `count` bytes at `buf` (this function's requirements).
    let ((dev, parent), buf) = unsafe { (devices(dev), written(buf, count)) };
    stored(S::store(dev, parent, buf), count)
}

static FLAGS_ATTR: sysfs::DeviceAttr =
    sysfs::DeviceAttr::new(c"flags", 0o644, Some(flags_show_c), Some(store_c::<Flags>));
static FIRMWARE_ATTR: sysfs::DeviceAttr =
    sysfs::DeviceAttr::new(c"firmware", 0o200, None, Some(store_c::<Firmware>));
static KEY_ATTR: sysfs::DeviceAttr =
    sysfs::DeviceAttr::new(c"key", 0o200, None, Some(store_c::<Key>));
static ATTRS: sysfs::AttrList<4> = sysfs::AttrList([
    FLAGS_ATTR.attr(),
    FIRMWARE_ATTR.attr(),
    KEY_ATTR.attr(),
    ptr::null_mut(),
]);
static GROUP: sysfs::AttrGroups = sysfs::AttrGroups::new(&ATTRS);

/// A manager's device was added: its entry, then its attributes.
///
/// # Safety
///
/// Called by the driver core only, with a valid, added device of the `fpga_manager` class.
unsafe extern "C" fn add_dev(dev: *mut bindings::device) -> i32 {
    // SAFETY: The driver core passes a device that lives during the call.
    let (device, _) = unsafe { devices(dev) };
    let entry = Entry {
        dev: key_of(device),
        flags: 0,
        refused: false,
    };
    if ENTRIES.lock().push(entry, GFP_KERNEL).is_err() {
        dev_err!(device, "no vendor attributes: out of memory\n");
        return ENOMEM.to_errno();
    }
    // SAFETY: `dev` is a valid, added device.
    if let Err(e) = unsafe { class_interface::add_group(dev, &GROUP) } {
        dev_err!(device, "no vendor attributes: {}\n", ErrnoName(e));
        ENTRIES.lock().retain(|entry| entry.dev != key_of(device));
        return e.to_errno();
    }
    0
}

/// A manager's device is being removed: its attributes (once their callbacks in flight
/// returned), then its entry.
///
/// # Safety
///
/// Called by the driver core only, with a valid device of the class, for which [`add_dev`]
/// was called.
unsafe extern "C" fn remove_dev(dev: *mut bindings::device) {
    // SAFETY: The driver core passes a device that lives during the call.
    let (device, _) = unsafe { devices(dev) };
    let key = key_of(device);
    if !ENTRIES.lock().iter().any(|e| e.dev == key) {
        // `add_dev` failed: no attributes either.
        return;
    }
    // SAFETY: `dev` is valid, and carries the group: `add_dev` added it with its entry.
    unsafe { class_interface::remove_group(dev, &GROUP) };
    ENTRIES.lock().retain(|e| e.dev != key);
}

static INTERFACE: class_interface::Interface = class_interface::Interface::new(add_dev, remove_dev);

struct CompatSysfs {
    _interface: class_interface::InterfaceRegistration,
}

impl kernel::Module for CompatSysfs {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // SAFETY: Called once, before the interface (the only user of the entries) registers.
        unsafe { ENTRIES.init() };
        // SAFETY: `fpga_mgr_class()` is the registered class of `fpga_mgr.ko`, which stays
        // loaded while this module, which links against it, is; `INTERFACE` is registered
        // only here, once, and unregistered when the registration drops at module exit.
        let interface = unsafe { INTERFACE.register(bindings::fpga_mgr_class())? };
        pr_info!("flags, firmware and key added to each FPGA manager\n");
        Ok(Self {
            _interface: interface,
        })
    }
}
