// SPDX-License-Identifier: GPL-2.0

//! The attributes of a configfs image (`firmware`, `overlay`, `flags`, the timeouts, `config`,
//! `status`...): what a write parses and a read shows. The load behind `config` is the image's
//! (`image.rs`).
//!
//! ABI: `Documentation/ABI/testing/configfs-fpga-region`.

use super::{
    ImageItem,
    Status,
    StepErrno,
    FLAG_WORDS,
    NAME_MAX, //
};
use crate::{
    configfs::show_line,
    ffi::{
        bindings,
        errno,
        page::Page, //
    }, //
};
use kernel::{
    configfs,
    page::PAGE_SIZE,
    prelude::*,
    str::CString, //
};

/// The text of a write, without its line end.
fn text(page: &[u8]) -> Result<&str> {
    let s = core::str::from_utf8(page).map_err(|_| EINVAL)?;
    Ok(s.strip_suffix('\n').unwrap_or(s))
}

/// A file name written to `firmware` or `overlay`: `None` when empty.
fn file_name(page: &[u8]) -> Result<Option<CString>> {
    let name = text(page)?;
    if name.is_empty() {
        return Ok(None);
    }
    if name.len() > NAME_MAX {
        return Err(errno::errno(bindings::ENAMETOOLONG));
    }
    if name.contains('\0') {
        return Err(EINVAL);
    }
    Ok(Some(CString::try_from_fmt(fmt!("{}", name))?))
}

/// Shows a file name setting.
fn show_name(page: &mut [u8; PAGE_SIZE], name: &Option<CString>) -> Result<usize> {
    match name {
        Some(name) => show_line(page, format_args!("{}", name.to_str().map_err(|_| EINVAL)?)),
        None => show_line(page, format_args!("")),
    }
}

/// A decimal `u32` (a timeout in µs).
fn parse_u32(page: &[u8]) -> Result<u32> {
    text(page)?.trim().parse::<u32>().map_err(|_| EINVAL)
}

/// `firmware`.
#[vtable]
impl configfs::AttributeOperations<0> for ImageItem {
    type Data = ImageItem;

    fn show(image: &ImageItem, page: &mut [u8; PAGE_SIZE]) -> Result<usize> {
        show_name(page, &image.state.lock().settings.firmware)
    }

    fn store(image: &ImageItem, page: &[u8]) -> Result {
        let name = file_name(page)?;
        image.set(|s| {
            s.firmware = name;
            Ok(())
        })
    }
}

/// `overlay`: device-tree regions only.
#[vtable]
impl configfs::AttributeOperations<1> for ImageItem {
    type Data = ImageItem;

    fn show(image: &ImageItem, page: &mut [u8; PAGE_SIZE]) -> Result<usize> {
        show_name(page, &image.state.lock().settings.overlay)
    }

    fn store(image: &ImageItem, page: &[u8]) -> Result {
        let name = file_name(page)?;
        if name.is_some() && !crate::overlay::supported(image.shared().region()) {
            dev_err!(
                image.shared().dev(),
                "image '{}': overlays are for device-tree regions only\n",
                image.label()
            );
            return Err(errno::errno(bindings::EOPNOTSUPP));
        }
        image.set(|s| {
            s.overlay = name;
            Ok(())
        })
    }
}

/// `flags`.
#[vtable]
impl configfs::AttributeOperations<2> for ImageItem {
    type Data = ImageItem;

    fn show(image: &ImageItem, page: &mut [u8; PAGE_SIZE]) -> Result<usize> {
        let flags = image.state.lock().settings.flags;
        let mut w = Page::new(page);
        for (i, (word, _)) in FLAG_WORDS
            .iter()
            .filter(|(_, bit)| flags & bit != 0)
            .enumerate()
        {
            w.write(format_args!("{}{}", if i == 0 { "" } else { " " }, word))?;
        }
        w.end_line()
    }

    fn store(image: &ImageItem, page: &[u8]) -> Result {
        let mut flags = 0;
        for word in text(page)?.split_whitespace() {
            let Some((_, bit)) = FLAG_WORDS.iter().find(|(w, _)| *w == word) else {
                dev_err!(
                    image.shared().dev(),
                    "image '{}': unknown flag '{}' (partial external encrypted lsb_first compressed)\n",
                    image.label(),
                    word
                );
                return Err(EINVAL);
            };
            flags |= bit;
        }
        image.set(|s| {
            s.flags = flags;
            Ok(())
        })
    }
}

/// A timeout attribute (µs) of `Settings`.
macro_rules! timeout_attr {
    ($id:literal, $field:ident) => {
        #[doc = concat!("`", stringify!($field), "`.")]
        #[vtable]
        impl configfs::AttributeOperations<$id> for ImageItem {
            type Data = ImageItem;

            fn show(image: &ImageItem, page: &mut [u8; PAGE_SIZE]) -> Result<usize> {
                show_line(page, format_args!("{}", image.state.lock().settings.$field))
            }

            fn store(image: &ImageItem, page: &[u8]) -> Result {
                let us = parse_u32(page)?;
                image.set(|s| {
                    s.$field = us;
                    Ok(())
                })
            }
        }
    };
}

timeout_attr!(3, enable_timeout_us);
timeout_attr!(4, disable_timeout_us);
timeout_attr!(5, config_complete_timeout_us);

/// `config`: 1 loads, 0 unloads; reads 1 while loaded.
#[vtable]
impl configfs::AttributeOperations<6> for ImageItem {
    type Data = ImageItem;

    fn show(image: &ImageItem, page: &mut [u8; PAGE_SIZE]) -> Result<usize> {
        let loaded = matches!(image.state.lock().status, Status::Loaded(_));
        show_line(page, format_args!("{}", u8::from(loaded)))
    }

    fn store(image: &ImageItem, page: &[u8]) -> Result {
        match text(page)?.trim() {
            "1" => image.load(),
            "0" => {
                let unloaded = {
                    let mut state = image.state.lock();
                    if matches!(state.status, Status::Loading) {
                        return Err(EBUSY);
                    }
                    image.unload(&mut state)?
                };
                if unloaded {
                    image.notify("unloaded", None);
                }
                Ok(())
            }
            _ => Err(EINVAL),
        }
    }
}

/// `status`: `unloaded`, `loaded` or `error <step> <ERRNO>`.
#[vtable]
impl configfs::AttributeOperations<7> for ImageItem {
    type Data = ImageItem;

    fn show(image: &ImageItem, page: &mut [u8; PAGE_SIZE]) -> Result<usize> {
        match &image.state.lock().status {
            Status::Unloaded | Status::Loading => show_line(page, format_args!("unloaded")),
            Status::Loaded(_) => show_line(page, format_args!("loaded")),
            Status::Error(f) => show_line(page, format_args!("error {}", StepErrno(f))),
        }
    }
}
