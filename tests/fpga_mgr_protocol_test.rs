// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the manager's lifecycle protocol (`common/protocol.rs`), the same source the
//! core compiles, driven through the interleavings that matter.

use kernel::prelude::*;

#[path = "../common/protocol.rs"]
pub mod protocol;
#[path = "../lowlevel/sim/mod.rs"]
pub mod sim;

use sim::dec64;

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
    use super::protocol::{Hold, Refusal, State, Unbalanced};

    #[test]
    fn get_that_found_the_device_before_unregister_is_refused_after_it() {
        // T1 found the device (class lookup, device reference), then T2 began unregistering
        // before T1 entered: T1 must not pin the owner (whose module may be freed).
        let state = State::new();
        assert!(state.begin_unregister());
        assert_eq!(state.enter(Hold::Shared), Err(Refusal::Gone));
        assert_eq!(state.enter(Hold::Exclusive), Err(Refusal::Gone));
        assert!(state.is_idle());
    }

    #[test]
    fn get_that_entered_before_unregister_is_waited_for() {
        // T1 entered (it is pinning the owner) when T2 began unregistering: T2 must wait until
        // T1 left, and T1's leave is the one that wakes it.
        let state = State::new();
        assert_eq!(state.enter(Hold::Shared), Ok(()));
        assert!(state.begin_unregister());
        assert!(!state.is_idle());
        assert!(state.leave_holding());
        assert!(state.is_idle());
        // The get holds: unregistration does not wait for holders.
        assert_eq!(state.holders(), 1);
    }

    #[test]
    fn unregister_waits_until_the_last_op_ends() {
        let state = State::new();
        assert_eq!(state.enter(Hold::Shared), Ok(()));
        assert_eq!(state.enter(Hold::Shared), Ok(()));
        assert!(state.begin_unregister());
        assert!(!state.is_idle());
        // The first leave does not wake the unregistration, the last does.
        assert!(!state.leave(Hold::Shared));
        assert!(!state.is_idle());
        assert!(state.leave(Hold::Shared));
        assert!(state.is_idle());
    }

    #[test]
    fn leave_before_unregister_wakes_nobody() {
        let state = State::new();
        assert_eq!(state.enter(Hold::Shared), Ok(()));
        assert!(!state.leave(Hold::Shared));
        assert!(state.is_idle());
        assert!(state.begin_unregister());
    }

    #[test]
    fn ops_and_locks_are_refused_after_unregister_begins() {
        let state = State::new();
        assert!(state.begin_unregister());
        assert_eq!(state.enter(Hold::Shared), Err(Refusal::Gone));
        assert_eq!(state.lock(), Err(Refusal::Gone));
    }

    #[test]
    fn lock_is_an_exclusive_flag() {
        let state = State::new();
        assert_eq!(state.lock(), Ok(()));
        assert!(state.is_locked());
        assert_eq!(state.lock(), Err(Refusal::Busy));
        assert!(state.unlock());
        assert!(!state.unlock());
        assert_eq!(state.lock(), Ok(()));
    }

    #[test]
    fn exclusive_get_is_refused_while_held_and_after_unregister() {
        let state = State::new();
        assert_eq!(state.enter(Hold::Exclusive), Ok(()));
        // The get pinned the owner and leaves its pinning section, keeping the hold.
        assert!(!state.leave_holding());
        assert!(state.is_locked());
        assert_eq!(state.holders(), 1);
        assert_eq!(state.enter(Hold::Exclusive), Err(Refusal::Busy));
        assert_eq!(state.lock(), Err(Refusal::Busy));
        // Shared sections (ops of the holder) still enter.
        assert_eq!(state.enter(Hold::Shared), Ok(()));
        assert!(!state.leave(Hold::Shared));
        assert!(state.unlock());
        assert_eq!(state.put_holder(), Ok(()));
        assert_eq!(state.enter(Hold::Exclusive), Ok(()));
        assert!(!state.leave(Hold::Exclusive));
        assert!(state.begin_unregister());
        assert_eq!(state.enter(Hold::Exclusive), Err(Refusal::Gone));
    }

    #[test]
    fn unregister_waits_for_an_exclusive_programming() {
        let state = State::new();
        assert_eq!(state.enter(Hold::Exclusive), Ok(()));
        assert!(state.begin_unregister());
        assert!(!state.is_idle());
        assert!(state.is_locked());
        assert!(state.leave(Hold::Exclusive));
        assert!(state.is_idle());
        assert!(!state.is_locked());
    }

    #[test]
    fn failed_exclusive_get_gives_the_hold_back() {
        // The owner's module was going: the get leaves with the hold it took.
        let state = State::new();
        assert_eq!(state.enter(Hold::Exclusive), Ok(()));
        assert!(!state.leave(Hold::Exclusive));
        assert!(!state.is_locked());
        assert_eq!(state.lock(), Ok(()));
    }

    #[test]
    fn second_unregister_is_a_no_op() {
        let state = State::new();
        assert!(state.begin_unregister());
        assert!(!state.begin_unregister());
    }

    #[test]
    fn put_without_get_is_reported_and_not_counted() {
        let state = State::new();
        assert_eq!(state.enter(Hold::Shared), Ok(()));
        assert!(!state.leave_holding());
        assert_eq!(state.holders(), 1);
        assert!(state.is_idle());
        assert_eq!(state.lock(), Ok(()));
        assert_eq!(state.put_holder(), Ok(()));
        assert_eq!(state.put_holder(), Err(Unbalanced));
        assert_eq!(state.holders(), 0);
        // The unbalanced put left the other fields as they were.
        assert!(state.is_locked());
        assert!(state.is_idle());
        assert!(state.begin_unregister());
    }

    #[test]
    fn many_holders_and_sections_do_not_spill_into_each_other() {
        let state = State::new();
        for _ in 0..1000 {
            assert_eq!(state.enter(Hold::Shared), Ok(()));
            assert!(!state.leave_holding());
            assert_eq!(state.enter(Hold::Shared), Ok(()));
        }
        assert_eq!(state.holders(), 1000);
        assert!(!state.is_idle());
        for _ in 0..1000 {
            assert!(!state.leave(Hold::Shared));
        }
        assert!(state.is_idle());
        assert_eq!(state.holders(), 1000);
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
