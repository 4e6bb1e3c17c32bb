// SPDX-License-Identifier: GPL-2.0

//! The interleavings of two or three tasks using one FPGA manager, bridge or region while its
//! driver's module is removed or its device unbound (`src/lib.rs` checks each step): all of them
//! for two tasks, those with up to three preemptions for three (the unbounded three-task runs
//! did not end within 10 minutes).

use fpga_rs_model::{protocol::Hold, Module, Object};
use loom::{sync::Arc, thread};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// Runs `model` over every interleaving (or those within `preemptions` preemptions) and prints
/// how many loom explored.
fn explore(name: &str, preemptions: Option<usize>, model: impl Fn() + Sync + Send + 'static) {
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let before = RUNS.load(Relaxed);
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = preemptions;
    builder.check(move || {
        RUNS.fetch_add(1, Relaxed);
        model();
    });
    let bound = preemptions.map_or("all".into(), |p| format!("up to {p} preemptions"));
    println!(
        "fpga-rs model: {name}: {} interleavings ({bound})",
        RUNS.load(Relaxed) - before
    );
}

/// A registered object owned by a live module.
fn object() -> (Arc<Module>, Arc<Object>) {
    let module = Arc::new(Module::new());
    (module.clone(), Arc::new(Object::new(module)))
}

/// At the end: the module is either unloaded, or loaded with every pin undone; no holder left.
fn every_pin_undone(module: &Module, obj: &Object) {
    assert!(module.unloaded() || module.idle(), "a pin was not undone");
    assert_eq!(obj.holders(), 0, "a holder was not counted out");
    assert!(!obj.is_locked(), "the exclusive hold was not given back");
}

#[test]
fn get_op_put_against_rmmod() {
    // The LKML race: a user gets the manager and loads through it while the driver's module is
    // removed. rmmod is refused exactly while the get pins the module.
    explore("get/op/put vs rmmod", None, || {
        let (module, obj) = object();
        let user = {
            let obj = obj.clone();
            thread::spawn(move || {
                if obj.get(Hold::Shared).is_ok() {
                    obj.op(|| {}).expect("an op of a held, registered manager");
                    obj.put(Hold::Shared);
                    true
                } else {
                    false
                }
            })
        };
        let removed = obj.rmmod_owner();
        let got = user.join().unwrap();
        // Whoever came first, the other saw it: a get after the module went is refused.
        if removed {
            assert!(module.unloaded());
        } else {
            assert!(got, "rmmod refused though nobody held the module");
        }
        every_pin_undone(&module, &obj);
    });
}

#[test]
#[should_panic(expected = "try_module_get() of a freed struct module")]
fn the_model_finds_the_lkml_race_in_upstreams_order() {
    // The check of the check: the same model with upstream's get (pin after the lookup's lock is
    // released) must find the use-after-free.
    explore("upstream's get vs rmmod (must fail)", None, || {
        let (_module, obj) = object();
        let user = {
            let obj = obj.clone();
            thread::spawn(move || {
                if obj.get_upstream_order().is_ok() {
                    obj.put(Hold::Shared);
                }
            })
        };
        obj.rmmod_owner();
        user.join().unwrap();
    });
}

#[test]
fn ops_against_unbind_without_rmmod() {
    // The device is unbound (unregistration from the driver's remove), the module stays: a holder's
    // op either runs before unregistration returns or is refused; its put still works.
    explore("holder's ops vs unbind", None, || {
        let (module, obj) = object();
        obj.get(Hold::Shared).unwrap();
        let user = {
            let obj = obj.clone();
            thread::spawn(move || {
                let _ = obj.op(|| {});
                let _ = obj.op(|| {});
                obj.put(Hold::Shared);
            })
        };
        assert!(obj.unregister().is_some());
        user.join().unwrap();
        assert!(obj.get(Hold::Shared).is_err(), "a get after unregistration");
        every_pin_undone(&module, &obj);
    });
}

#[test]
fn exclusive_gets_against_each_other_and_unbind() {
    // Two regions get the same bridge while its device is unbound: at most one holds it at a
    // time, and neither gets it after unregistration began.
    explore("two exclusive gets vs unbind", Some(3), || {
        let (module, obj) = object();
        let inside = Arc::new(AtomicUsizeLoom::new(0));
        let users: Vec<_> = (0..2)
            .map(|_| {
                let (obj, inside) = (obj.clone(), inside.clone());
                thread::spawn(move || {
                    if obj.get(Hold::Exclusive).is_ok() {
                        assert_eq!(inside.fetch_add(1), 0, "two exclusive holders");
                        let _ = obj.op(|| {});
                        inside.fetch_sub(1);
                        obj.put(Hold::Exclusive);
                    }
                })
            })
            .collect();
        obj.unregister();
        for user in users {
            user.join().unwrap();
        }
        every_pin_undone(&module, &obj);
    });
}

#[test]
fn lock_load_unlock_against_rmmod() {
    // fpga_mgr_lock(), a load, fpga_mgr_unlock() by a holder, while the module is removed.
    explore("get/lock/load/unlock/put vs rmmod", None, || {
        let (module, obj) = object();
        let user = {
            let obj = obj.clone();
            thread::spawn(move || {
                if obj.get(Hold::Shared).is_ok() {
                    if obj.lock().is_ok() {
                        obj.op(|| {}).expect("a load by the lock's holder");
                        assert!(obj.unlock());
                    }
                    obj.put(Hold::Shared);
                }
            })
        };
        obj.rmmod_owner();
        user.join().unwrap();
        every_pin_undone(&module, &obj);
    });
}

#[test]
fn two_users_against_rmmod() {
    // Two users (one programming a region: an exclusive get and an op) and rmmod: three tasks.
    explore("get/put + program vs rmmod", Some(3), || {
        let (module, obj) = object();
        let users: Vec<_> = [Hold::Shared, Hold::Exclusive]
            .into_iter()
            .map(|hold| {
                let obj = obj.clone();
                thread::spawn(move || {
                    if obj.get(hold).is_ok() {
                        let _ = obj.op(|| {});
                        obj.put(hold);
                    }
                })
            })
            .collect();
        obj.rmmod_owner();
        for user in users {
            user.join().unwrap();
        }
        every_pin_undone(&module, &obj);
    });
}

#[test]
fn a_second_unregistration_is_a_no_op() {
    explore("unregister vs unregister", None, || {
        let (module, obj) = object();
        let other = {
            let obj = obj.clone();
            thread::spawn(move || obj.unregister().is_some())
        };
        let mine = obj.unregister().is_some();
        assert!(
            mine ^ other.join().unwrap(),
            "exactly one unregistration is the first"
        );
        every_pin_undone(&module, &obj);
    });
}

/// A loom counter for the exclusivity check.
struct AtomicUsizeLoom(loom::sync::atomic::AtomicUsize);

impl AtomicUsizeLoom {
    fn new(v: usize) -> Self {
        Self(loom::sync::atomic::AtomicUsize::new(v))
    }
    fn fetch_add(&self, v: usize) -> usize {
        self.0.fetch_add(v, std::sync::atomic::Ordering::SeqCst)
    }
    fn fetch_sub(&self, v: usize) -> usize {
        self.0.fetch_sub(v, std::sync::atomic::Ordering::SeqCst)
    }
}
