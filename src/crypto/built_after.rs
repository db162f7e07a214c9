//! A value built on the `n`th time it is asked for, and kept: a key's table
//! of multiples costs what a few dozen checks save, so a key gets one only
//! once it has checked that many signatures (`ed25519_table`,
//! `ecdsa_table`).

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

/// Counts the times it is asked for its value, and builds the value (once,
/// shared by every thread asking) when the count passes a threshold. A
/// value the builder could not make (`None`) is not asked for again.
pub struct BuiltAfter<T> {
    asked: AtomicU32,
    value: OnceLock<Option<T>>,
}

// By hand: a derive would ask `T: Default`, which no table is.
impl<T> Default for BuiltAfter<T> {
    fn default() -> Self {
        Self { asked: AtomicU32::new(0), value: OnceLock::new() }
    }
}

impl<T> BuiltAfter<T> {
    /// The value, once it has been asked for more than `after` times
    /// (built by `build` on the first of those; the other threads asking
    /// meanwhile wait for it).
    pub fn get(&self, after: u32, build: impl FnOnce() -> Option<T>) -> Option<&T> {
        if let Some(v) = self.value.get() {
            return v.as_ref();
        }
        if self.asked.fetch_add(1, Ordering::Relaxed) < after {
            return None;
        }
        self.value.get_or_init(build).as_ref()
    }

    /// Builds the value now, whatever the count.
    pub fn build(&self, build: impl FnOnce() -> Option<T>) {
        self.value.get_or_init(build);
    }

    /// The value, if it is built already (without counting an ask).
    pub fn built(&self) -> Option<&T> {
        self.value.get().and_then(Option::as_ref)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_is_built_on_the_ask_after_the_threshold_and_once() {
        let cell = BuiltAfter::default();
        let mut builds = 0;
        for _ in 0..3 {
            assert_eq!(cell.get(3, || unreachable!("built before its fourth ask")), None::<&u32>);
        }
        assert_eq!(cell.built(), None);
        assert_eq!(
            cell.get(3, || {
                builds += 1;
                Some(7)
            }),
            Some(&7)
        );
        assert_eq!(
            cell.get(3, || {
                builds += 1;
                Some(8)
            }),
            Some(&7)
        );
        assert_eq!((builds, cell.built()), (1, Some(&7)));
    }

    #[test]
    fn a_value_that_could_not_be_built_is_not_tried_again() {
        let cell: BuiltAfter<u32> = BuiltAfter::default();
        assert_eq!(cell.get(0, || None), None);
        assert_eq!(cell.get(0, || Some(1)), None);
        let now: BuiltAfter<u32> = BuiltAfter::default();
        now.build(|| Some(5));
        assert_eq!(now.get(u32::MAX, || None), Some(&5));
    }
}
