// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the manager's lifecycle protocol (`common/protocol.rs`), the same source the
//! core compiles, driven through the interleavings that matter.

use kernel::prelude::*;

#[path = "../common/dec64.rs"]
mod dec64;
#[path = "../common/protocol.rs"]
mod protocol;

module! {
    type: ProtocolTest,
    name: "fpga_mgr_protocol_test",
    authors: ["fpga-rs developers"],
    description: "KUnit tests of the fpga-rs manager lifecycle protocol",
    license: "GPL",
}

struct ProtocolTest;

impl kernel::Module for ProtocolTest {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(Self)
    }
}

#[kunit_tests(fpga_mgr_protocol)]
mod tests {
    use super::protocol::{Lifecycle, Refusal};

    #[test]
    fn get_that_found_the_device_before_unregister_is_refused_after_it() {
        // T1 found the device (class lookup, device reference), then T2 unregistered before T1
        // took the lifecycle lock: T1 must not pin the owner (whose module may be freed).
        let mut life = Lifecycle::new();
        assert!(life.begin_unregister());
        assert_eq!(life.begin_get(), Err(Refusal::Gone));
        assert_eq!(life.holders(), 0);
    }

    #[test]
    fn get_before_unregister_holds_and_unregister_does_not_wait_for_holders() {
        let mut life = Lifecycle::new();
        assert_eq!(life.begin_get(), Ok(()));
        life.got();
        assert!(life.begin_unregister());
        // Holders are not ops: unregistration need not wait for them.
        assert!(!life.must_wait());
        assert_eq!(life.holders(), 1);
        life.put();
        assert_eq!(life.holders(), 0);
    }

    #[test]
    fn ops_are_refused_after_unregister_begins() {
        let mut life = Lifecycle::new();
        assert!(life.begin_unregister());
        assert_eq!(life.begin_op(), Err(Refusal::Gone));
        assert_eq!(life.lock(), Err(Refusal::Gone));
    }

    #[test]
    fn unregister_waits_until_the_last_op_ends() {
        let mut life = Lifecycle::new();
        assert_eq!(life.begin_op(), Ok(()));
        assert_eq!(life.begin_op(), Ok(()));
        assert!(life.begin_unregister());
        assert!(life.must_wait());
        // The first end does not wake the unregistration, the last does.
        assert!(!life.end_op());
        assert!(life.must_wait());
        assert!(life.end_op());
        assert!(!life.must_wait());
    }

    #[test]
    fn lock_is_an_exclusive_flag() {
        let mut life = Lifecycle::new();
        assert_eq!(life.lock(), Ok(()));
        assert_eq!(life.lock(), Err(Refusal::Busy));
        assert!(life.unlock());
        assert!(!life.unlock());
        assert_eq!(life.lock(), Ok(()));
    }

    #[test]
    fn exclusive_get_is_refused_while_held_and_after_unregister() {
        let mut life = Lifecycle::new();
        assert_eq!(life.begin_exclusive_get(), Ok(()));
        life.got_exclusive();
        assert_eq!(life.holders(), 1);
        assert_eq!(life.begin_exclusive_get(), Err(Refusal::Busy));
        assert!(life.put_exclusive());
        assert_eq!(life.holders(), 0);
        assert_eq!(life.begin_exclusive_get(), Ok(()));
        assert!(life.begin_unregister());
        assert_eq!(life.begin_exclusive_get(), Err(Refusal::Gone));
    }

    #[test]
    fn unregister_waits_for_an_exclusive_op() {
        let mut life = Lifecycle::new();
        assert_eq!(life.begin_exclusive_get(), Ok(()));
        life.got_exclusive_op();
        assert!(life.begin_unregister());
        assert!(life.must_wait());
        assert!(life.end_op());
        assert!(life.put_exclusive());
        assert!(!life.must_wait());
    }

    #[test]
    fn second_unregister_is_a_no_op() {
        let mut life = Lifecycle::new();
        assert!(life.begin_unregister());
        assert!(!life.begin_unregister());
    }
}

/// `common/dec64.rs`: decimal 64-bit values without 64-bit division. On 32-bit ARM, `{}` of a
/// `u64` of 1000 or more reaches the kernel's panicking `__aeabi_uldivmod`: these cases are a
/// BUG() there if `Dec64` falls back to it.
#[kunit_tests(fpga_rs_dec64)]
mod dec64_tests {
    use super::dec64::Dec64;
    use kernel::{prelude::*, str::CString};

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
