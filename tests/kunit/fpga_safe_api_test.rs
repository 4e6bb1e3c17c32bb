// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the safe Rust API (`fpga/`) on the manager core: a driver's `write_sg`
//! and compat id (`manager.rs`, `sg_image.rs`), and a driver that programs its own FPGA through
//! the user API (`user.rs`), the case of a PCIe or multi-function driver.
//!
//! The test drivers are written as those of `lowlevel/`, without `unsafe`; the tests use C only
//! to build scatter-gather tables, to count module references and to observe a device of their own.

use kernel::prelude::*;

#[path = "../../fpga/mod.rs"]
pub mod fpga;
#[expect(
    dead_code,
    reason = "the safe API hides `ERR_PTR()`s: `ptr_err` goes unused here"
)]
#[path = "../common/kunit_util.rs"]
mod kunit_util;
#[path = "../common/observed_device.rs"]
mod observed_device;
#[path = "../common/page_table.rs"]
mod page_table;

use fpga::bindings;

module! {
    type: FpgaSafeApiTest,
    name: "fpga_safe_api_test",
    authors: ["fpga-rs developers"],
    description: "KUnit tests of the fpga-rs safe Rust API",
    license: "GPL",
}

struct FpgaSafeApiTest;

impl kernel::Module for FpgaSafeApiTest {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(Self)
    }
}

/// The test drivers and images the suites share.
mod fixture {
    use super::fpga::{
        manager::{
            Ops,
            Registration, //
        },
        sg_image::SgImage, //
    };
    use core::{
        ptr,
        sync::atomic::{
            AtomicBool,
            Ordering, //
        }, //
    };
    use kernel::{
        alloc::VVec,
        faux,
        new_mutex,
        prelude::*,
        sync::{
            Arc,
            Mutex, //
        }, //
    };

    /// What a test FPGA received.
    #[derive(Default)]
    pub(crate) struct Seen {
        /// The image's bytes, in the order they arrived.
        pub(crate) bytes: KVec<u8>,
        /// How many chunks they came in (`write` calls, or chunks of `write_sg`'s walk).
        pub(crate) chunks: usize,
        /// The largest chunk.
        pub(crate) largest_chunk: usize,
        /// `write_sg` calls.
        pub(crate) write_sg_calls: u32,
        /// The address of the table `write_sg` got.
        pub(crate) table: usize,
    }

    /// A simulated FPGA that keeps every byte it receives.
    #[pin_data]
    pub(crate) struct Fpga {
        #[pin]
        seen: Mutex<Seen>,
    }

    impl Fpga {
        fn new() -> impl PinInit<Self, Error> {
            try_pin_init!(Self {
                seen <- new_mutex!(Seen::default()),
            })
        }

        fn receive(&self, chunk: &[u8]) -> Result {
            let mut seen = self.seen.lock();
            seen.bytes.extend_from_slice(chunk, GFP_KERNEL)?;
            seen.chunks += 1;
            seen.largest_chunk = seen.largest_chunk.max(chunk.len());
            Ok(())
        }

        /// Calls `f` with what the FPGA received.
        pub(crate) fn seen<R>(&self, f: impl FnOnce(&Seen) -> R) -> R {
            f(&self.seen.lock())
        }

        /// Whether the FPGA received exactly `image`.
        pub(crate) fn received(&self, image: &[u8]) -> bool {
            self.seen(|s| s.bytes[..] == *image)
        }
    }

    /// A driver that takes the image through `write`.
    #[pin_data]
    pub(crate) struct WriteFpga {
        #[pin]
        pub(crate) fpga: Fpga,
    }

    #[vtable]
    impl Ops for WriteFpga {
        fn write(&self, data: &[u8]) -> Result {
            self.fpga.receive(data)
        }
    }

    /// A driver with `write_sg` only, which reads the table page by page, as `sim_zynq`.
    #[pin_data]
    pub(crate) struct SgFpga {
        #[pin]
        pub(crate) fpga: Fpga,
    }

    #[vtable]
    impl Ops for SgFpga {
        fn write_sg(&self, image: &SgImage) -> Result {
            {
                let mut seen = self.fpga.seen.lock();
                seen.write_sg_calls += 1;
                seen.table = ptr::from_ref(image.sg_table()) as usize;
            }
            image.for_each_chunk(|chunk| self.fpga.receive(chunk))
        }
    }

    /// A driver without ops whose data reports when it is dropped.
    pub(crate) struct DropFpga {
        /// Set when the data is dropped.
        pub(crate) dropped: Arc<AtomicBool>,
    }

    impl Drop for DropFpga {
        fn drop(&mut self) {
            self.dropped.store(true, Ordering::Release);
        }
    }

    #[vtable]
    impl Ops for DropFpga {}

    /// The data of a fresh [`WriteFpga`].
    pub(crate) fn write_fpga() -> impl PinInit<WriteFpga, Error> {
        try_pin_init!(WriteFpga { fpga <- Fpga::new() })
    }

    /// The data of a fresh [`SgFpga`].
    pub(crate) fn sg_fpga() -> impl PinInit<SgFpga, Error> {
        try_pin_init!(SgFpga { fpga <- Fpga::new() })
    }

    /// A manager registered with the safe driver API on a faux device of its own (dropped in
    /// this order: unregistered, then the device).
    pub(crate) struct TestMgr<T: Ops> {
        pub(crate) reg: Registration<T>,
        pub(crate) dev: faux::Registration,
    }

    impl<T: Ops> TestMgr<T> {
        /// Registers a manager with driver data `data` on a new faux device `name`.
        pub(crate) fn new(name: &'static CStr, data: impl PinInit<T, Error>) -> Result<Self> {
            let dev = faux::Registration::new(name, None)?;
            let reg = Registration::new(
                super::fpga::faux_device(&dev),
                name,
                data,
                &crate::THIS_MODULE,
            )?;
            Ok(Self { reg, dev })
        }
    }

    /// The byte at `i` of a test image: no two pages alike.
    fn pattern(i: usize) -> u8 {
        (i ^ (i >> 8) ^ (i >> 16)) as u8
    }

    /// A test image of `len` bytes in vmalloc memory: on 32-bit kernels with `CONFIG_HIGHMEM`,
    /// its pages are highmem pages, which the CPU reaches only while they are mapped.
    pub(crate) fn vimage(len: usize) -> Result<VVec<u8>> {
        let mut img = VVec::from_elem(0u8, len, GFP_KERNEL)?;
        for (i, b) in img.iter_mut().enumerate() {
            *b = pattern(i);
        }
        Ok(img)
    }
}

#[kunit_tests(fpga_safe_api_driver)]
mod driver_tests {
    use super::{
        fixture::*,
        fpga::{
            faux_device,
            manager::{
                CompatId,
                Registration, //
            },
            sg_image::SgImage,
            user::{
                Image,
                Manager, //
            }, //
        },
        page_table::PageTable, //
    };
    use core::sync::atomic::{
        AtomicBool,
        Ordering, //
    };
    use kernel::{
        faux,
        page::PAGE_SIZE,
        prelude::*,
        scatterlist::SGTable,
        sync::Arc, //
    };

    /// Three pages and a bit: a table of five entries.
    const IMAGE_SIZE: usize = 3 * PAGE_SIZE + 100;

    /// Loads `image` from a buffer into `t` through the user API.
    fn load_buffer<T: super::fpga::manager::Ops>(t: &TestMgr<T>, image: &[u8]) -> Result {
        let mgr = Manager::get_own(&t.reg)?;
        let mut info = Image::new(mgr.device())?;
        info.set_buffer(image);
        mgr.lock()?.load(&mut info)?;
        Ok(())
    }

    #[test]
    fn write_sg_driver_reads_every_byte_of_a_vmalloc_buffer() -> Result {
        let img = vimage(IMAGE_SIZE)?;
        let t = TestMgr::new(c"fpga-rs-safe-sg-buf", sg_fpga())?;
        let ret = load_buffer(&t, &img);
        let received = t.reg.data().fpga.received(&img);
        let (calls, chunks, largest) = t
            .reg
            .data()
            .fpga
            .seen(|s| (s.write_sg_calls, s.chunks, s.largest_chunk));
        drop(t);
        assert_eq!(ret, Ok(()));
        assert!(received);
        assert_eq!(calls, 1);
        // One mapping per page: the walk never assumes a page is in the linear map.
        assert_eq!(chunks, IMAGE_SIZE.div_ceil(PAGE_SIZE));
        assert!(largest <= PAGE_SIZE);
        Ok(())
    }

    #[test]
    fn write_sg_driver_reads_a_firmware_image() -> Result {
        // tools/testing/run-vm.sh puts this image (1 KiB of 'H', 4 KiB of 'P') in the initramfs.
        let mut want = KVec::from_elem(b'H', 1024, GFP_KERNEL)?;
        want.extend_from_slice(&[b'P'; 4096], GFP_KERNEL)?;
        let t = TestMgr::new(c"fpga-rs-safe-sg-fw", sg_fpga())?;
        let ret = (|| -> Result {
            let mgr = Manager::get_own(&t.reg)?;
            let mut info = Image::new(mgr.device())?;
            info.set_firmware(c"fpga-rs/test-image.bin")?;
            mgr.lock()?.load(&mut info)?;
            Ok(())
        })();
        let received = t.reg.data().fpga.received(&want);
        drop(t);
        assert_eq!(ret, Ok(()));
        assert!(received);
        Ok(())
    }

    #[test]
    fn user_sg_table_reaches_write_sg_as_is() -> Result {
        let img = vimage(IMAGE_SIZE)?;
        let mut pages = PageTable::new(&img)?;
        // SAFETY: The table and the image it describes outlive `table`; nothing changes them.
        let table = unsafe { SGTable::from_raw(pages.as_raw()) };
        let t = TestMgr::new(c"fpga-rs-safe-sg-table", sg_fpga())?;
        let ret = (|| -> Result {
            let mgr = Manager::get_own(&t.reg)?;
            let mut info = Image::new(mgr.device())?;
            info.set_sg_table(table);
            mgr.lock()?.load(&mut info)?;
            Ok(())
        })();
        let received = t.reg.data().fpga.received(&img);
        let got = t.reg.data().fpga.seen(|s| s.table);
        drop(t);
        assert_eq!(ret, Ok(()));
        assert!(received);
        assert_eq!(got, core::ptr::from_ref(table) as usize);
        Ok(())
    }

    #[test]
    fn chunk_walk_covers_exactly_its_range_and_refuses_one_outside() -> Result {
        let img = vimage(IMAGE_SIZE)?;
        let mut pages = PageTable::new(&img)?;
        // SAFETY: The table and the image it describes outlive `image`; nothing changes them.
        let image = SgImage::from_table(unsafe { SGTable::from_raw(pages.as_raw()) });

        let mut inside = KVec::new();
        let ret_inside = image.for_each_chunk_in(100..IMAGE_SIZE - 7, |c| {
            inside.extend_from_slice(c, GFP_KERNEL)?;
            Ok(())
        });
        let mut last = KVec::new();
        let ret_last = image.for_each_chunk_in(IMAGE_SIZE - 1.., |c| {
            last.extend_from_slice(c, GFP_KERNEL)?;
            Ok(())
        });
        let mut calls = 0;
        let mut count = |_: &[u8]| {
            calls += 1;
            Ok(())
        };
        let ret_empty = image.for_each_chunk_in(5..5, &mut count);
        let ret_past = image.for_each_chunk_in(IMAGE_SIZE - 10..=IMAGE_SIZE, &mut count);
        let ret_after = image.for_each_chunk_in(IMAGE_SIZE + 1.., &mut count);
        let mut seen = 0;
        let ret_stop = image.for_each_chunk(|_| {
            seen += 1;
            Err(EIO)
        });
        let len = image.len();

        assert_eq!(len, IMAGE_SIZE);
        assert_eq!(ret_inside, Ok(()));
        assert!(inside[..] == img[100..IMAGE_SIZE - 7]);
        assert_eq!(ret_last, Ok(()));
        assert!(last[..] == img[IMAGE_SIZE - 1..]);
        assert_eq!(ret_empty, Ok(()));
        assert_eq!(ret_past, Err(EINVAL));
        assert_eq!(ret_after, Err(EINVAL));
        assert_eq!(calls, 0);
        assert_eq!((ret_stop, seen), (Err(EIO), 1));
        Ok(())
    }

    #[test]
    fn compat_id_is_registered_with_the_core_and_absent_without_one() -> Result {
        let id = CompatId {
            id_h: 0x0123_4567_89ab_cdef,
            id_l: 0xfedc_ba98_7654_3210,
        };
        let dev = faux::Registration::new(c"fpga-rs-safe-compat", None)?;
        let with = Registration::new_with_compat_id(
            faux_device(&dev),
            c"fpga-rs-safe-compat",
            id,
            write_fpga(),
            &crate::THIS_MODULE,
        )?;
        let registered = with.compat_id();
        drop(with);
        let without = Registration::new(
            faux_device(&dev),
            c"fpga-rs-safe-compat",
            write_fpga(),
            &crate::THIS_MODULE,
        )?;
        let none = without.compat_id();
        drop(without);
        drop(dev);
        assert_eq!(registered, Some(id));
        assert_eq!(none, None);
        Ok(())
    }

    #[test]
    fn foreign_owned_manager_is_unregistered_and_dropped_when_its_parent_unbinds() -> Result {
        let dropped = Arc::new(AtomicBool::new(false), GFP_KERNEL)?;
        let dev = faux::Registration::new(c"fpga-rs-safe-devres", None)?;
        let data = DropFpga {
            dropped: dropped.clone(),
        };
        Registration::new_foreign_owned(
            faux_device(&dev),
            c"fpga-rs-safe-devres",
            Ok::<_, Error>(data),
            &crate::THIS_MODULE,
        )?;
        // A user holds the manager across the unbind, as a region may.
        let held = Manager::get(dev.as_ref());
        let kept_while_bound = !dropped.load(Ordering::Acquire);
        // Destroying the faux device unbinds it: devres drops the registration.
        drop(dev);
        let dropped_at_unbind = dropped.load(Ordering::Acquire);
        let lock_after = match &held {
            Ok(mgr) => Ok(mgr.lock().err()),
            Err(e) => Err(*e),
        };
        drop(held);
        assert!(kept_while_bound);
        assert!(dropped_at_unbind);
        // The holder's handle stays sound; the unregistered manager refuses the lock.
        assert_eq!(lock_after, Ok(Some(ENODEV)));
        Ok(())
    }
}

#[kunit_tests(fpga_safe_api_user)]
mod user_tests {
    use super::{
        fixture::*,
        fpga::{
            bindings,
            faux_device,
            manager::{
                flags,
                Registration, //
            },
            user::{
                Image,
                Manager, //
            }, //
        },
        kunit_util::module_refs,
        observed_device::{
            is_released,
            observed_device, //
        }, //
    };
    use core::{
        ptr,
        sync::atomic::Ordering, //
    };
    use kernel::{
        device::Device,
        page::PAGE_SIZE,
        prelude::*, //
    };

    #[test]
    fn own_device_is_programmed_through_the_user_api_and_unpinned_after() -> Result {
        let img = vimage(2 * PAGE_SIZE + 10)?;
        let t = TestMgr::new(c"fpga-rs-safe-own", write_fpga())?;
        let registered = module_refs();
        let mut held = 0;
        let ret = (|| -> Result {
            let mgr = Manager::get_own(&t.reg)?;
            held = module_refs();
            let mut info = Image::new(mgr.device())?;
            info.set_buffer(&img);
            info.set_flags(flags::PARTIAL_RECONFIG);
            info.set_config_complete_timeout_us(1000);
            let locked = mgr.lock()?;
            locked.load(&mut info)?;
            locked.load(&mut info)?;
            Ok(())
        })();
        let put = module_refs();
        let (bytes, chunks) = t.reg.data().fpga.seen(|s| (s.bytes.len(), s.chunks));
        let first = t.reg.data().fpga.seen(|s| s.bytes[..img.len()] == img[..]);
        drop(t);
        assert_eq!(ret, Ok(()));
        // Two loads of the whole buffer, each in one `write` (no copy, no split).
        assert_eq!((bytes, chunks), (2 * img.len(), 2));
        assert!(first);
        // `/sys/module/fpga_safe_api_test/refcnt`: one pin while held, none after the put.
        assert_eq!(held, registered + 1);
        assert_eq!(put, registered);
        Ok(())
    }

    #[test]
    fn get_by_parent_finds_the_manager_until_it_is_unregistered() -> Result {
        let t = TestMgr::new(c"fpga-rs-safe-get", write_fpga())?;
        let found = Manager::get(t.dev.as_ref()).and_then(|mgr| {
            let own = Manager::get_own(&t.reg)?;
            Ok(core::ptr::eq(mgr.device(), own.device()))
        });
        let TestMgr { reg, dev } = t;
        drop(reg);
        let after = Manager::get(dev.as_ref()).err();
        drop(dev);
        assert_eq!(found, Ok(true));
        assert_eq!(after, Some(ENODEV));
        Ok(())
    }

    #[test]
    fn get_own_refuses_a_manager_shadowed_on_its_parent() -> Result {
        let first = TestMgr::new(c"fpga-rs-safe-shadow", write_fpga())?;
        let second = Registration::new(
            faux_device(&first.dev),
            c"fpga-rs-safe-shadow-2",
            write_fpga(),
            &crate::THIS_MODULE,
        );
        let refs = module_refs();
        let (own_first, own_second) = match &second {
            Ok(second) => (
                Manager::get_own(&first.reg).err(),
                Manager::get_own(second).err(),
            ),
            Err(e) => (Some(*e), Some(*e)),
        };
        let after = module_refs();
        drop(second);
        drop(first);
        assert_eq!(own_first, None);
        assert_eq!(own_second, Some(EINVAL));
        assert_eq!(after, refs);
        Ok(())
    }

    #[test]
    fn lock_is_exclusive_until_the_guard_goes() -> Result {
        let t = TestMgr::new(c"fpga-rs-safe-lock", write_fpga())?;
        let ret = (|| -> Result<(Option<Error>, Option<Error>, bool)> {
            let mgr = Manager::get_own(&t.reg)?;
            let other = Manager::get_own(&t.reg)?;
            let locked = mgr.lock()?;
            let busy = other.lock().err();
            let busy_same = mgr.lock().err();
            drop(locked);
            let free = other.lock().is_ok();
            Ok((busy, busy_same, free))
        })();
        drop(t);
        assert_eq!(ret, Ok((Some(EBUSY), Some(EBUSY), true)));
        Ok(())
    }

    #[test]
    fn image_without_source_is_einval_and_unregistered_manager_is_enodev() -> Result {
        let t = TestMgr::new(c"fpga-rs-safe-einval", write_fpga())?;
        let refs = module_refs();
        let (empty, gone) = match Manager::get_own(&t.reg) {
            Ok(mgr) => {
                let empty = Image::new(mgr.device()).and_then(|mut info| {
                    let ret = mgr.lock()?.load(&mut info);
                    ret
                });
                // The driver unbinds while the user holds the manager: the user's handles stay
                // sound, and locking fails.
                let TestMgr { reg, dev } = t;
                drop(reg);
                let gone = mgr.lock().err();
                drop(mgr);
                drop(dev);
                (empty, gone)
            }
            Err(e) => (Err(e), None),
        };
        let after = module_refs();
        assert_eq!(empty, Err(EINVAL));
        assert_eq!(gone, Some(ENODEV));
        assert_eq!(after, refs);
        Ok(())
    }

    #[test]
    fn image_outlives_the_unregistration_of_its_managers_device() -> Result {
        // The image is for the manager's device, which its driver unregisters (device_del()
        // releases the device's devres memory) while the user still owns the image: the image
        // stays valid, and its settings can change and be freed after.
        let t = TestMgr::new(c"fpga-rs-safe-outlive", write_fpga())?;
        let refs = module_refs();
        let mgr = Manager::get_own(&t.reg)?;
        let mut info = Image::new(mgr.device())?;
        info.set_firmware(c"fpga-rs/first.bin")?;
        let TestMgr { reg, dev } = t;
        drop(reg);
        info.set_flags(super::fpga::manager::flags::PARTIAL_RECONFIG);
        let replaced = info.set_firmware(c"fpga-rs/second.bin");
        let flags = info.flags();
        drop(info);
        drop(mgr);
        drop(dev);
        assert_eq!(replaced, Ok(()));
        assert_eq!(flags, super::fpga::manager::flags::PARTIAL_RECONFIG);
        assert_eq!(module_refs(), refs);
        Ok(())
    }

    #[test]
    fn image_gives_back_its_device_reference_and_replaced_firmware_name() -> Result {
        let img = vimage(100)?;
        let t = TestMgr::new(c"fpga-rs-safe-info", write_fpga())?;
        let (dev, released) = observed_device(c"fpga-rs-safe-info-dev")?;
        let ret = (|| -> Result<(Image<'_>, i32, bool)> {
            // SAFETY: `dev` is an initialized device, which the test's reference keeps alive
            // while this closure runs; `Device` is a transparent wrapper of it.
            let mut info = Image::new(unsafe { Device::from_raw(dev) })?;
            // The devres memory allocated from here on is counted by releasing this group: the
            // image allocates none on its device (its name is its own), only the canary is.
            // SAFETY: `dev` is an initialized device the test holds a reference to.
            let group =
                unsafe { bindings::devres_open_group(dev, ptr::null_mut(), bindings::GFP_KERNEL) };
            if group.is_null() {
                return Err(ENOMEM);
            }
            info.set_firmware(c"fpga-rs/no-such-image.bin")?;
            // SAFETY: `dev` is live and `group` is its open group.
            let canary = unsafe {
                let canary =
                    bindings::devm_kstrdup(dev, c"canary".as_char_ptr(), bindings::GFP_KERNEL);
                bindings::devres_close_group(dev, group);
                canary
            };
            info.set_buffer(&img);
            // Only the canary is devres memory of the device: the image's name is not.
            // SAFETY: `group` is a closed group of `dev`, which is live, released once.
            let left = unsafe { bindings::devres_release_group(dev, group) };
            Manager::get_own(&t.reg)?.lock()?.load(&mut info)?;
            Ok((info, left, !canary.is_null()))
        })();
        // SAFETY: Drops the test's reference: the image's, if it took one, keeps the device.
        unsafe { bindings::put_device(dev) };
        let released_while_held = released.load(Ordering::Acquire);
        let ret = ret.map(|(info, left, canary)| {
            if released_while_held {
                // The device was released under the image, with the info's devres memory: the
                // image must not free it again.
                core::mem::forget(info);
            } else {
                drop(info);
            }
            (left, canary)
        });
        let released_after_drop = is_released(&released);
        let received = t.reg.data().fpga.received(&img);
        drop(t);
        assert_eq!(ret, Ok((1, true)));
        assert!(!released_while_held);
        assert!(released_after_drop);
        // The buffer replaced the (missing) firmware file as the source.
        assert!(received);
        Ok(())
    }

    #[test]
    fn image_handed_to_c_keeps_its_settings_and_is_freed_once_taken_back() -> Result {
        let (dev, released) = observed_device(c"fpga-rs-safe-raw-dev")?;
        let ret = (|| -> Result<_> {
            // SAFETY: `dev` is an initialized device, which the test's reference keeps alive
            // while this closure runs; `Device` is a transparent wrapper of it.
            let mut info: Image<'static> = Image::new(unsafe { Device::from_raw(dev) })?;
            info.set_flags(flags::PARTIAL_RECONFIG);
            info.set_enable_timeout_us(11);
            info.set_disable_timeout_us(22);
            info.set_config_complete_timeout_us(33);
            info.set_firmware(c"fpga-rs/handed-over.bin")?;
            // What `of_fpga_region` does with an overlay's info: `region->info` until the
            // overlay goes.
            let raw = info.into_raw();
            // SAFETY: `raw` is the info `into_raw` handed over, valid until taken back below.
            let seen = unsafe {
                let i = &*raw;
                let name = CStr::from_char_ptr(i.firmware_name);
                (
                    i.flags,
                    i.enable_timeout_us,
                    i.disable_timeout_us,
                    i.config_complete_timeout_us,
                    name == c"fpga-rs/handed-over.bin",
                    i.dev == dev,
                )
            };
            // SAFETY: `raw` comes from `into_raw` and is taken back once.
            drop(unsafe { Image::from_raw(raw) });
            Ok(seen)
        })();
        // SAFETY: Drops the test's reference, the last one once the image gave its own back.
        unsafe { bindings::put_device(dev) };
        let released = is_released(&released);
        assert_eq!(ret, Ok((flags::PARTIAL_RECONFIG, 11, 22, 33, true, true)));
        assert!(released);
        Ok(())
    }
}
