//! Hybrid logical clock: 48 bits of wall-clock milliseconds and a 16-bit counter in one `u64`,
//! so clocks compare as integers. Ties between sites are broken by the site id (see
//! [`crate::change::Stamp`]).
//!
//! The clock is pure: callers pass the wall time in, so tests control it.

use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};

/// How far a remote clock may run ahead of ours before we refuse its changes. A clock far in
/// the future would win every later merge and silently freeze edits for everyone else.
pub const MAX_DRIFT_MS: u64 = 5 * 60 * 1000;

const COUNTER_BITS: u32 = 16;
const COUNTER_MAX: u64 = (1 << COUNTER_BITS) - 1;
const MS_MAX: u64 = (1 << 48) - 1;

/// One hybrid logical timestamp.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Hlc(pub u64);

impl Hlc {
    /// The clock at `ms` milliseconds since the epoch (capped), with `counter` for events in the
    /// same millisecond.
    pub fn new(ms: u64, counter: u16) -> Self {
        Hlc((ms.min(MS_MAX) << COUNTER_BITS) | counter as u64)
    }
    /// Its wall-clock part, in milliseconds since the epoch.
    pub fn ms(self) -> u64 {
        self.0 >> COUNTER_BITS
    }
    /// Its counter: events within one millisecond.
    pub fn counter(self) -> u16 {
        (self.0 & COUNTER_MAX) as u16
    }
}

/// A site's clock: the last timestamp it issued or observed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clock {
    last: Hlc,
}

impl Clock {
    /// A clock that has issued or seen `last` (read back from the log at open).
    pub fn starting_at(last: Hlc) -> Self {
        Clock { last }
    }

    /// The last timestamp it issued or observed.
    pub fn last(&self) -> Hlc {
        self.last
    }

    /// A new timestamp for a local event, strictly greater than every one seen so far.
    pub fn tick(&mut self, wall_ms: u64) -> Hlc {
        let next = if wall_ms > self.last.ms() {
            Hlc::new(wall_ms, 0)
        } else if self.last.counter() as u64 == COUNTER_MAX {
            // Counter exhausted within one millisecond: borrow the next millisecond.
            Hlc::new(self.last.ms() + 1, 0)
        } else {
            Hlc(self.last.0 + 1)
        };
        self.last = next;
        next
    }

    /// Checks a remote timestamp without moving the clock: refuses one more than
    /// [`MAX_DRIFT_MS`] ahead of `wall_ms`.
    pub fn check_remote(remote: Hlc, wall_ms: u64) -> Result<()> {
        if remote.ms() > wall_ms.saturating_add(MAX_DRIFT_MS) {
            let minutes = (remote.ms() - wall_ms) / 60_000;
            return Err(CoreError::Clock {
                reason: format!(
                    "a change is stamped {minutes} minutes in the future; the sending device's clock is wrong and its changes were not applied"
                ),
            });
        }
        Ok(())
    }

    /// Moves the clock past a remote timestamp that was applied (call after the batch commits,
    /// so a failed batch never advances the clock).
    pub fn observe(&mut self, remote: Hlc) {
        if remote > self.last {
            self.last = remote;
        }
    }
}

/// Milliseconds since the Unix epoch by the system clock.
pub fn wall_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The calendar day of `ms` shifted by `offset_ms` (a time zone), as YYYY-MM-DD.
pub fn day_of(ms: u64, offset_ms: i64) -> String {
    let days = (ms as i64 + offset_ms).div_euclid(86_400_000);
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn ticks_strictly_increase_whatever_the_wall_clock_does(walls in prop::collection::vec(0u64..10_000, 1..200)) {
            let mut c = Clock::default();
            let mut prev = Hlc(0);
            for w in walls {
                let t = c.tick(w);
                prop_assert!(t > prev, "a tick must exceed every earlier tick, even when the wall clock goes back");
                prev = t;
            }
        }

        #[test]
        fn observing_a_remote_clock_keeps_later_ticks_after_it(remote_ms in 0u64..1_000_000, wall in 0u64..1_000_000) {
            let mut c = Clock::default();
            let remote = Hlc::new(remote_ms, 7);
            c.observe(remote);
            prop_assert!(c.tick(wall) > remote, "causality: an event after receiving a change is stamped after it");
        }
    }

    #[test]
    fn far_future_clocks_are_refused_with_a_reason() {
        let now = 1_000_000_000;
        assert!(Clock::check_remote(Hlc::new(now + MAX_DRIFT_MS, 0), now).is_ok());
        let err = Clock::check_remote(Hlc::new(now + MAX_DRIFT_MS + 60_001, 0), now)
            .expect_err("six minutes ahead is past the limit");
        assert_eq!(err.code(), "clock");
    }

    #[test]
    fn counter_overflow_moves_to_the_next_millisecond() {
        let mut c = Clock::starting_at(Hlc::new(5, u16::MAX));
        let t = c.tick(0);
        assert_eq!((t.ms(), t.counter()), (6, 0));
    }

    #[test]
    fn days_follow_the_calendar_and_the_time_zone() {
        assert_eq!(day_of(0, 0), "1970-01-01");
        // 2026-11-27T23:30:00Z
        let ms = 1_795_822_200_000;
        assert_eq!(day_of(ms, 0), "2026-11-27");
        assert_eq!(
            day_of(ms, 60 * 60_000),
            "2026-11-28",
            "an hour east: the next day"
        );
        assert_eq!(day_of(ms, -24 * 60 * 60_000), "2026-11-26");
        assert_eq!(day_of(951_782_400_000, 0), "2000-02-29");
    }
}
