// SPDX-License-Identifier: GPL-2.0

//! Exporting Rust functions to other modules under their C names.

/// Exports a `#[no_mangle] extern "C"` function with `EXPORT_SYMBOL_GPL` semantics.
///
/// The function must be declared by the kernel's C headers (it is checked at compile time against
/// the bindgen declaration in [`super::bindings`], as the kernel's `#[export]` attribute does), so
/// C modules built against those headers link to it unchanged.
///
/// It emits the same `.export_symbol` record as the C macro `EXPORT_SYMBOL_GPL()`
/// ([`include/linux/export.h`](srctree/include/linux/export.h)): modpost reads it from the module
/// object, writes the symbol into `Module.symvers` and generates the `__ksymtab` entry in the
/// module's `.mod.c`. No C file is needed to export from Rust.
///
/// The record ends with the symbol's address, pointer-sized and aligned as `__EXPORT_SYMBOL_REF`
/// writes it: `.balign 8` / `.quad` on 64-bit kernels, `.balign 4` / `.long` on 32-bit ones
/// (ARMv7), where a `.quad` relocation does not even assemble.
macro_rules! export_symbol_gpl {
    ($name:ident) => {
        // The Rust definition must have the C declaration's type: both branches of an `if` must
        // coerce to the same function pointer type.
        const _: () = {
            if true {
                $crate::ffi::bindings::$name
            } else {
                $name
            };
        };

        #[cfg(CONFIG_64BIT)]
        export_symbol_record!($name, ".balign 8\n.quad ");
        #[cfg(not(CONFIG_64BIT))]
        export_symbol_record!($name, ".balign 4\n.long ");
    };
}

/// The `.export_symbol` record of [`export_symbol_gpl!`], with `$reference` the directives that
/// align and emit the symbol's address.
macro_rules! export_symbol_record {
    ($name:ident, $reference:literal) => {
        ::core::arch::global_asm!(concat!(
            ".section \".export_symbol\",\"a\"\n",
            "__export_symbol_",
            stringify!($name),
            ":\n",
            ".asciz \"GPL\"\n",
            ".ascii \"\\0\"\n",
            $reference,
            stringify!($name),
            "\n",
            ".previous\n",
        ));
    };
}
