//! Rate limits (DESIGN.md, "Security model"): a token bucket per participant's
//! connection and per address, and a growing wait for an address that keeps typing
//! wrong session codes, so a code cannot be guessed by trying them all.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The limits a server enforces; [`Limits::classroom`] unless a test or the load test says otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Requests per second one connection may make, and the burst it may save up.
    pub per_connection: Rate,
    /// Requests and new connections per second from one address.
    pub per_address: Rate,
    /// Wrong session codes an address may type before each attempt has to wait.
    pub free_wrong_codes: u32,
    /// The first wait after the free attempts; each further wrong code doubles it.
    pub first_wait: Duration,
    /// The longest wait.
    pub longest_wait: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub per_second: f64,
    pub burst: f64,
}

impl Limits {
    /// A room of phones, each on its own address.
    pub fn classroom() -> Limits {
        Limits {
            per_connection: Rate { per_second: 10.0, burst: 20.0 },
            per_address: Rate { per_second: 20.0, burst: 60.0 },
            free_wrong_codes: 5,
            first_wait: Duration::from_millis(500),
            longest_wait: Duration::from_secs(30),
        }
    }

    /// Thousands of simulated phones on one address (the load test): the per-address
    /// limit is lifted, the per-connection one stays.
    pub fn one_address_for_everyone() -> Limits {
        Limits { per_address: Rate { per_second: 1e9, burst: 1e9 }, ..Limits::classroom() }
    }
}

/// A token bucket: `take` succeeds while tokens are left; they refill at a steady rate.
#[derive(Debug, Clone)]
pub struct Bucket {
    rate: Rate,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    pub fn new(rate: Rate, now: Instant) -> Bucket {
        Bucket { rate, tokens: rate.burst, at: now }
    }

    /// Takes one token; `Err` says how long until the next one.
    pub fn take(&mut self, now: Instant) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate.per_second).min(self.rate.burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - self.tokens) / self.rate.per_second))
        }
    }

    /// Full again (nothing was taken for long enough): can be forgotten.
    fn is_full(&self, now: Instant) -> bool {
        self.tokens + now.saturating_duration_since(self.at).as_secs_f64() * self.rate.per_second >= self.rate.burst
    }
}

/// Buckets per address, forgotten once full so the map stays small.
pub struct AddressBuckets {
    rate: Rate,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl AddressBuckets {
    pub fn new(rate: Rate) -> AddressBuckets {
        AddressBuckets { rate, buckets: Mutex::new(HashMap::new()) }
    }

    pub fn take(&self, address: IpAddr, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > 10_000 {
            buckets.retain(|_, b| !b.is_full(now));
        }
        buckets.entry(address).or_insert_with(|| Bucket::new(self.rate, now)).take(now)
    }
}

/// Wrong session codes per address.
pub struct WrongCodes {
    free: u32,
    first_wait: Duration,
    longest_wait: Duration,
    seen: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

/// A streak of wrong codes is forgotten after this long without one.
const FORGET_AFTER: Duration = Duration::from_secs(15 * 60);

impl WrongCodes {
    pub fn new(limits: &Limits) -> WrongCodes {
        WrongCodes {
            free: limits.free_wrong_codes,
            first_wait: limits.first_wait,
            longest_wait: limits.longest_wait,
            seen: Mutex::new(HashMap::new()),
        }
    }

    fn wait_after(&self, wrong: u32) -> Duration {
        if wrong < self.free {
            return Duration::ZERO;
        }
        let doublings = (wrong - self.free).min(16);
        self.first_wait.saturating_mul(1 << doublings).min(self.longest_wait)
    }

    /// How long `address` must still wait before it may try a code (`None`: now).
    pub fn must_wait(&self, address: IpAddr, now: Instant) -> Option<Duration> {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let &(wrong, last) = seen.get(&address)?;
        let ready = last + self.wait_after(wrong);
        (ready > now).then(|| ready - now)
    }

    pub fn wrong(&self, address: IpAddr, now: Instant) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() > 10_000 {
            seen.retain(|_, (_, last)| now.saturating_duration_since(*last) < FORGET_AFTER);
        }
        let entry = seen.entry(address).or_insert((0, now));
        if now.saturating_duration_since(entry.1) >= FORGET_AFTER {
            entry.0 = 0;
        }
        *entry = (entry.0 + 1, now);
    }

    /// A right code ends the streak.
    pub fn right(&self, address: IpAddr) {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).remove(&address);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate() {
        let t0 = Instant::now();
        let mut bucket = Bucket::new(Rate { per_second: 10.0, burst: 3.0 }, t0);
        assert!((0..3).all(|_| bucket.take(t0).is_ok()));
        let wait = bucket.take(t0).unwrap_err();
        assert_eq!(wait.as_millis(), 100);
        assert!(bucket.take(t0 + 50 * MS).is_err());
        assert!(bucket.take(t0 + 101 * MS).is_ok());
        assert!(bucket.take(t0 + 10_000 * MS).is_ok(), "refilled, but never beyond the burst");
        assert!((0..2).all(|_| bucket.take(t0 + 10_000 * MS).is_ok()));
        assert!(bucket.take(t0 + 10_000 * MS).is_err());
    }

    #[test]
    fn addresses_have_separate_buckets() {
        let t0 = Instant::now();
        let buckets = AddressBuckets::new(Rate { per_second: 1.0, burst: 1.0 });
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        assert!(buckets.take(a, t0).is_ok());
        assert!(buckets.take(a, t0).is_err());
        assert!(buckets.take(b, t0).is_ok());
    }

    #[test]
    fn wrong_codes_make_an_address_wait_twice_as_long_each_time_and_a_right_one_ends_it() {
        let t0 = Instant::now();
        let codes = WrongCodes::new(&Limits::classroom());
        let a: IpAddr = "10.0.0.7".parse().unwrap();
        for _ in 0..4 {
            codes.wrong(a, t0);
            assert_eq!(codes.must_wait(a, t0), None, "the first wrong codes are free (typos)");
        }
        codes.wrong(a, t0);
        assert_eq!(codes.must_wait(a, t0), Some(500 * MS));
        codes.wrong(a, t0);
        assert_eq!(codes.must_wait(a, t0), Some(1000 * MS));
        assert_eq!(codes.must_wait(a, t0 + 400 * MS), Some(600 * MS));
        assert_eq!(codes.must_wait(a, t0 + 1000 * MS), None);
        for _ in 0..30 {
            codes.wrong(a, t0);
        }
        assert_eq!(codes.must_wait(a, t0), Some(Duration::from_secs(30)), "capped");
        assert_eq!(codes.must_wait("10.0.0.8".parse().unwrap(), t0), None, "other addresses are not slowed");
        codes.right(a);
        assert_eq!(codes.must_wait(a, t0), None);
    }
}
