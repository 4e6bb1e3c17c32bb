// SPDX-License-Identifier: GPL-2.0

//! Checking the C API's Rust definitions against the kernel's C declarations.

/// Checks at compile time that the `#[no_mangle] extern "C"` function `$name` has the type of its
/// C declaration.
///
/// The declaration is the one bindgen generated in [`super::bindings`] from the kernel's
/// [`include/linux/fpga/`](srctree/include/linux/fpga/) headers (or from `ffi/fpga-rs.h` for the
/// fpga-rs extensions), so C code compiled against those headers calls the function with the
/// argument and return types it is defined with. The kernel's `#[export]` attribute does the same
/// check against `kernel::bindings`.
///
/// Each function so checked is one of the core's exports: the core's C file in `ffi/exports/`
/// exports it with `EXPORT_SYMBOL_GPL()` (`tools/testing/lint.sh` checks that the two lists are
/// the same).
macro_rules! c_abi_checked {
    ($name:ident) => {
        // Both branches of an `if` must coerce to the same function pointer type.
        const _: () = {
            if true {
                $crate::ffi::bindings::$name
            } else {
                $name
            };
        };
    };
}
