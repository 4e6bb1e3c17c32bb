// SPDX-License-Identifier: GPL-2.0

//! Decimal formatting of 64-bit integers that works on 32-bit kernels.
//!
//! On 32-bit ARM, `core`'s `Display` for `u64` and `i64` divides by powers of ten with
//! `__aeabi_uldivmod` once a value reaches 1000 (rustc 1.96), and the kernel defines that
//! intrinsic to panic ([`rust/compiler_builtins.rs`](srctree/rust/compiler_builtins.rs):
//! "`u64` division/modulo should not be used"): `{}` of a large 64-bit value is a `BUG()` there. [`Dec64`] prints the
//! same digits with 32-bit divisions only. Plain safe Rust, compiled into the crates that print
//! 64-bit counters. The kernel crate's `kernel::fmt::Display` for `u64` and `i64`, which `fmt!`
//! and the print macros use, forwards to `core`'s
//! (`Documentation/upstream/0004-rust-fmt-format-u64-and-i64-without-core-s-64-bit-division-on-32-bit.patch`).

use core::fmt;

/// `n / d` and `n % d` by shifts and subtractions, with no 64-bit division.
const fn div_rem(n: u64, d: u32) -> (u64, u32) {
    let d = d as u64;
    let (mut q, mut r) = (0u64, 0u64);
    let mut bit = 64;
    while bit > 0 {
        bit -= 1;
        // `r < d <= u32::MAX` before the shift, so it cannot overflow.
        r = (r << 1) | ((n >> bit) & 1);
        if r >= d {
            r -= d;
            q |= 1 << bit;
        }
    }
    (q, r as u32)
}

/// A `u64` that formats in decimal like `{}` does, on every architecture (without width, fill
/// or sign flags, which it ignores). `Debug` prints the same: the derived one would go through
/// `core`'s `u64` formatting.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Dec64(pub u64);

impl fmt::Debug for Dec64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Dec64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Up to three 9-digit groups: u64::MAX has 20 digits.
        const GROUP: u32 = 1_000_000_000;
        let (upper, low) = div_rem(self.0, GROUP);
        if upper == 0 {
            return write!(f, "{low}");
        }
        let (top, mid) = div_rem(upper, GROUP);
        if top == 0 {
            return write!(f, "{mid}{low:09}");
        }
        // `top <= u64::MAX / 10^18 = 18`.
        write!(f, "{}{mid:09}{low:09}", top as u32)
    }
}

impl kernel::fmt::Display for Dec64 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Decimal 64-bit values without 64-bit division. On 32-bit ARM, `{}` of a `u64` of 1000 or more
/// reaches the kernel's panicking `__aeabi_uldivmod`: these cases are a BUG() there if `Dec64`
/// falls back to it. Compiled only into the KUnit module `fpga_mgr_protocol_test` (the
/// `fpga_rs_kunit` value Kbuild sets for it, `Documentation/testing.rst`).
#[cfg(fpga_rs_kunit = "fpga_rs_dec64")]
#[kernel::prelude::kunit_tests(fpga_rs_dec64)]
mod tests {
    use super::Dec64;
    use kernel::{
        prelude::*,
        str::CString, //
    };

    fn text(v: u64) -> Result<CString> {
        CString::try_from_fmt(fmt!("{}", Dec64(v)))
    }

    #[test]
    fn small_values_print_as_u32_does() -> Result {
        assert_eq!(text(0)?.to_bytes(), b"0");
        assert_eq!(text(999)?.to_bytes(), b"999");
        assert_eq!(text(1000)?.to_bytes(), b"1000");
        assert_eq!(text(9999)?.to_bytes(), b"9999");
        assert_eq!(text(10000)?.to_bytes(), b"10000");
        assert_eq!(text(999_999_999)?.to_bytes(), b"999999999");
        Ok(())
    }

    #[test]
    fn groups_of_nine_digits_keep_their_zeros() -> Result {
        assert_eq!(text(1_000_000_000)?.to_bytes(), b"1000000000");
        assert_eq!(text(4_294_967_296)?.to_bytes(), b"4294967296");
        assert_eq!(
            text(1_000_000_000_000_000_007)?.to_bytes(),
            b"1000000000000000007"
        );
        assert_eq!(
            text(999_999_999_999_999_999)?.to_bytes(),
            b"999999999999999999"
        );
        assert_eq!(
            text(1_000_000_000_000_000_000)?.to_bytes(),
            b"1000000000000000000"
        );
        assert_eq!(text(u64::MAX)?.to_bytes(), b"18446744073709551615");
        Ok(())
    }
}
