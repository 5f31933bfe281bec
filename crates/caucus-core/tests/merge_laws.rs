//! The laws the merge promises, on the reference model: commutative, associative, idempotent,
//! and 3–7 replicas that receive the same changes in shuffled, duplicated order converge.
//! `CAUCUS_PROPTEST_CASES` raises the case count (default 1,000 per law). A failure prints
//! the minimal failing input and proptest saves its seed under `proptest-regressions/`.

mod common;

use caucus_core::change::Replica;
use common::*;
use proptest::prelude::*;
use proptest::test_runner::Config;

fn replica_of(changes: &[caucus_core::change::Change]) -> Replica {
    let mut r = Replica::default();
    for c in changes {
        r.apply(c);
    }
    r
}

proptest! {
    #![proptest_config(Config { cases: cases(1000), ..Config::default() })]

    #[test]
    fn merge_is_commutative(a in prop::collection::vec(draft(), 0..30), b in prop::collection::vec(draft(), 0..30)) {
        let all = changes(&[a.clone(), b].concat());
        let (xa, xb) = all.split_at(a.len());
        let (ra, rb) = (replica_of(xa), replica_of(xb));
        let mut ab = ra.clone();
        ab.merge(&rb);
        let mut ba = rb.clone();
        ba.merge(&ra);
        prop_assert_eq!(ab.state(), ba.state(), "A ⊔ B must equal B ⊔ A");
    }

    #[test]
    fn merge_is_associative(d in prop::collection::vec(draft(), 0..45), cut1 in 0usize..45, cut2 in 0usize..45) {
        let all = changes(&d);
        let (i, j) = (cut1.min(cut2).min(all.len()), cut1.max(cut2).min(all.len()));
        let (a, b, c) = (replica_of(&all[..i]), replica_of(&all[i..j]), replica_of(&all[j..]));
        let mut left = a.clone();
        left.merge(&b);
        left.merge(&c);
        let mut bc = b.clone();
        bc.merge(&c);
        let mut right = a.clone();
        right.merge(&bc);
        prop_assert_eq!(left.state(), right.state(), "(A ⊔ B) ⊔ C must equal A ⊔ (B ⊔ C)");
    }

    #[test]
    fn merge_is_idempotent(d in prop::collection::vec(draft(), 0..40)) {
        let r = replica_of(&changes(&d));
        let mut twice = r.clone();
        twice.merge(&r);
        prop_assert_eq!(twice.state(), r.state(), "A ⊔ A must equal A");
        // Applying every change again is ignored as a duplicate.
        let mut again = r.clone();
        for c in changes(&d) {
            prop_assert!(!again.apply(&c), "a change seen before is a duplicate");
        }
        prop_assert_eq!(again.state(), r.state());
    }

    #[test]
    fn replicas_receiving_the_same_changes_in_any_order_converge(
        (d, orders) in (prop::collection::vec(draft(), 1..40), 3usize..=7).prop_flat_map(|(d, n)| {
            let len = d.len();
            (Just(d), prop::collection::vec(delivery(len), n))
        }),
    ) {
        let all = changes(&d);
        let reference = replica_of(&all);
        for order in orders {
            let mut r = Replica::default();
            for i in order {
                r.apply(&all[i]);
            }
            prop_assert_eq!(r.state(), reference.state(), "every delivery order must reach the same state");
        }
    }
}
