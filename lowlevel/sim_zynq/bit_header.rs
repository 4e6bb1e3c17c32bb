// SPDX-License-Identifier: GPL-2.0

//! The header of a Xilinx .bit file, which `parse_header` reads and the core skips: a fixed
//! 13-byte start, then the fields `a` (design name), `b` (part), `c` (date), `d` (time), each a
//! big-endian u16 length and a NUL-terminated string, then `e` and the big-endian u32 length of
//! the configuration data that follows. A .bin file (raw configuration data) has no header.

use crate::fault::Fault;
use crate::manager::status;
use crate::name::Name;
use kernel::prelude::*;

/// The first bytes of every .bit file.
pub(crate) const MAGIC: [u8; 13] = [
    0x00, 0x09, 0x0f, 0xf0, 0x0f, 0xf0, 0x0f, 0xf0, 0x0f, 0xf0, 0x00, 0x00, 0x01,
];

/// What a .bit header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BitHeader {
    /// Field `a`: the design name (with its tool options).
    pub(crate) design: Name,
    /// Field `b`: the part the bitstream was built for, e.g. `7z020clg400`.
    pub(crate) part: Name,
    /// Where the configuration data starts.
    pub(crate) data_offset: usize,
    /// Field `e`: bytes of configuration data.
    pub(crate) data_len: usize,
}

/// The result of reading the start of an image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Parsed {
    /// A .bit file.
    Bit(BitHeader),
    /// Raw configuration data (.bin): nothing to skip.
    Raw,
    /// The header continues past the bytes given: this many are needed.
    NeedMore(usize),
}

/// Reads the .bit header at the start of `image`, if there is one.
pub(crate) fn parse(image: &[u8]) -> Result<Parsed, Fault> {
    let known = image.len().min(MAGIC.len());
    if image[..known] != MAGIC[..known] {
        return Ok(Parsed::Raw);
    }
    if known < MAGIC.len() {
        return Ok(Parsed::NeedMore(MAGIC.len()));
    }
    let mut at = MAGIC.len();
    let mut strings = [Name::EMPTY; 4];
    for (key, string) in [b'a', b'b', b'c', b'd'].into_iter().zip(strings.iter_mut()) {
        let Some(field) = image.get(at..at + 3) else {
            return Ok(Parsed::NeedMore(at + 3));
        };
        if field[0] != key {
            return Err(Fault::new(
                EINVAL,
                status::INCOMPATIBLE_IMAGE_ERR,
                "malformed .bit header: unexpected field key at offset",
                at as u64,
            ));
        }
        let len = usize::from(u16::from_be_bytes([field[1], field[2]]));
        at += 3;
        let Some(value) = image.get(at..at + len) else {
            return Ok(Parsed::NeedMore(at + len));
        };
        *string = Name::new(value);
        at += len;
    }
    let Some(field) = image.get(at..at + 5) else {
        return Ok(Parsed::NeedMore(at + 5));
    };
    if field[0] != b'e' {
        return Err(Fault::new(
            EINVAL,
            status::INCOMPATIBLE_IMAGE_ERR,
            "malformed .bit header: no data length field at offset",
            at as u64,
        ));
    }
    let data_len = u32::from_be_bytes([field[1], field[2], field[3], field[4]]) as usize;
    Ok(Parsed::Bit(BitHeader {
        design: strings[0],
        part: strings[1],
        data_offset: at + 5,
        data_len,
    }))
}

/// The .bit header parser on headers built as `tools/testing/gen-images.py` builds them.
/// Compiled only into the KUnit module `sim_zynq_test`, which provides `crate::sim_images`
/// (`tests/common/sim_images.rs`): the one crate for which Kbuild sets this `fpga_rs_kunit`
/// value (`Documentation/testing.rst`).
#[cfg(fpga_rs_kunit = "sim_zynq_bit_header")]
#[kunit_tests(sim_zynq_bit_header)]
mod tests {
    use super::{
        parse,
        Parsed, //
    };
    use crate::sim_images::bit_header;
    use kernel::prelude::*;

    #[test]
    fn bit_header_fields_and_data_offset() -> Result {
        let header = bit_header(b"top;UserID=0XFFFFFFFF", b"7z020clg400", 4096)?;
        let Ok(Parsed::Bit(h)) = parse(&header) else {
            return Err(EINVAL);
        };
        assert_eq!(h.design.as_bytes(), b"top;UserID=0XFFFFFFFF");
        assert_eq!(h.part.as_bytes(), b"7z020clg400");
        assert_eq!(h.data_offset, header.len());
        assert_eq!(h.data_len, 4096);
        Ok(())
    }

    #[test]
    fn short_buffers_ask_for_the_bytes_the_header_needs() -> Result {
        let header = bit_header(b"design", b"7z020clg400", 64)?;
        for len in [5, 13, 15, header.len() - 1] {
            match parse(&header[..len]) {
                Ok(Parsed::NeedMore(n)) => assert!(n > len && n <= header.len()),
                _ => return Err(EINVAL),
            }
        }
        Ok(())
    }

    #[test]
    fn raw_bin_has_no_header_and_bad_keys_are_refused() -> Result {
        assert!(matches!(parse(&[0xff; 64]), Ok(Parsed::Raw)));
        let mut header = bit_header(b"design", b"7z020clg400", 64)?;
        // The key of field `b`: 13 bytes of magic, then `a`, its length and "design\0".
        header[13 + 3 + 7] = b'x';
        assert_eq!(parse(&header).map_err(|f| f.errno), Err(EINVAL));
        Ok(())
    }
}
