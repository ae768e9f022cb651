//! A deterministic generator of realistic organisations, for tests and benchmarks:
//! support tiers feeding frontline units feeding external segments, divisions with
//! mostly local links, some cross links and a few loops. About five links per unit.
//!
//! The same (size, seed) gives the same map on every platform and with every crate
//! version: the random numbers come from a self-contained splitmix64.

use std::collections::HashSet;

use crate::org::{OrgMap, ServiceLink, Unit, UnitKind};

/// splitmix64 (Steele, Lea & Flood): tiny, fast, and fixed forever.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The smallest map the generator makes.
pub const MIN_UNITS: usize = 4;

const SEGMENTS: &[&str] = &["Households", "Small businesses", "Corporate clients", "Patients", "Students", "Visitors", "Members", "Partners"];
const FRONTLINE: &[&str] = &["Branch", "Call centre", "Field service", "Sales", "Reception", "Online help", "Delivery drivers", "Account managers"];
const TIER1: &[&str] = &["Scheduling", "Dispatch", "Warehouse", "Quality control", "Billing", "Claims", "Product support", "Training"];
const TIER2: &[&str] = &["Procurement", "Facilities", "Data team", "Legal", "Marketing", "Planning", "Fleet", "Compliance"];
const TIER3: &[&str] = &["Finance", "HR", "IT", "Payroll", "Internal audit", "Security", "Communications", "Executive office"];
const SERVICES: &[&str] = &["payroll", "IT support", "recruitment", "invoices", "stock replenishment", "schedules", "reports", "approvals", "laptops", "training", "contracts", "customer records", "parts", "shift cover", "case handover"];
const QUALITY: &[&str] = &["", "error-free", "complete", "accurate to the cent", "checked by a second person"];
const TIME: &[&str] = &["", "same day", "within 4 hours", "by the 25th", "before the shift starts"];
const DELIVERY: &[&str] = &["", "by email", "in the ticket system", "in person", "on the shared drive"];
const LAGS: &[f64] = &[0.0, 1.0, 2.0, 4.0, 8.0, 24.0, 48.0, 72.0, 168.0];

/// Generates an organisation of `units` units (at least [`MIN_UNITS`]) from `seed`.
pub fn generate(units: usize, seed: u64) -> OrgMap {
    let n = units.max(MIN_UNITS);
    let mut rng = SplitMix64::new(seed ^ 0x5249_5050_4C45); // "RIPPLE"
    let segments = (2 + n / 100).min(24).min(n / 2);
    let internal = n - segments;
    let frontline = (internal / 4).max(1);
    let support = internal - frontline;
    let (t1, t2) = (support * 2 / 5, support * 3 / 10);
    let t3 = support - t1 - t2;
    let width = (n.max(10) - 1).to_string().len();
    // Divisions of about 40 units keep most links local, as in real organisations.
    let divisions = (internal / 40).max(1);

    let mut all: Vec<Unit> = Vec::with_capacity(n);
    let mut add = |prefix: &str, names: &[&str], count: usize, kind: UnitKind, rng: &mut SplitMix64| {
        let first = all.len();
        for i in 0..count {
            let base = names[i % names.len()];
            let name = if count <= names.len() { base.to_owned() } else { format!("{base} {}", i / names.len() + 1) };
            let weight = if kind == UnitKind::External { [1.0, 1.0, 2.0, 0.5, 3.0][rng.below(5)] } else { 1.0 };
            all.push(Unit { id: format!("{prefix}-{:0width$}", i + 1), name, kind, weight });
        }
        first..first + count
    };
    let ext = add("ext", SEGMENTS, segments, UnitKind::External, &mut rng);
    let fl = add("fl", FRONTLINE, frontline, UnitKind::Frontline, &mut rng);
    let s1 = add("op", TIER1, t1, UnitKind::Support, &mut rng);
    let s2 = add("sv", TIER2, t2, UnitKind::Support, &mut rng);
    let s3 = add("corp", TIER3, t3, UnitKind::Support, &mut rng);
    let division = |i: usize| i % divisions;

    let mut links: Vec<ServiceLink> = Vec::with_capacity(n * 5);
    let mut pairs: HashSet<(usize, usize)> = HashSet::with_capacity(n * 5);
    let mut made = 0usize;
    let mut link = |p: usize, c: usize, strong: bool, rng: &mut SplitMix64| {
        if p == c || !pairs.insert((p, c)) {
            return 0;
        }
        let r = rng.unit();
        let strength = if strong { 0.6 + 0.4 * r } else { 0.1 + 0.9 * r.powf(0.8) };
        links.push(ServiceLink {
            provider: all[p].id.clone(),
            customer: all[c].id.clone(),
            service: rng.pick(SERVICES).to_string(),
            strength: ((strength * 100.0).round() / 100.0).clamp(0.01, 1.0),
            lag: *rng.pick(LAGS),
            quality: rng.pick(QUALITY).to_string(),
            time: rng.pick(TIME).to_string(),
            delivery: rng.pick(DELIVERY).to_string(),
        });
        1
    };
    // Picks a customer from `pool`, in the provider's division four times in five.
    let local = |pool: &std::ops::Range<usize>, provider: usize, rng: &mut SplitMix64| -> usize {
        let len = pool.len();
        if len > divisions && rng.below(5) < 4 {
            let d = division(provider);
            let slots = (len - d).div_ceil(divisions);
            pool.start + d + divisions * rng.below(slots)
        } else {
            pool.start + rng.below(len)
        }
    };

    for f in fl.clone() {
        for _ in 0..1 + rng.below(3) {
            let c = ext.start + rng.below(ext.len());
            made += link(f, c, true, &mut rng);
        }
        if rng.below(3) == 0 {
            let c = local(&fl, f, &mut rng); // handover between frontline teams
            made += link(f, c, false, &mut rng);
        }
        if rng.below(25) == 0 && !s1.is_empty() {
            let c = local(&s1, f, &mut rng); // a loop: the frontline feeds back to operations
            made += link(f, c, false, &mut rng);
        }
    }
    // Support units share the rest of the ~5 links per unit.
    let budget = (5 * n).saturating_sub(made);
    let per_support = if support == 0 { 0.0 } else { budget as f64 / support as f64 };
    let tiers = [(s1.clone(), vec![fl.clone(), s1.clone()]), (s2.clone(), vec![s1.clone(), fl.clone(), s2.clone()]), (s3.clone(), vec![s2.clone(), s1.clone(), fl.clone(), s3.clone()])];
    for (tier, pools) in tiers {
        for p in tier {
            let count = (per_support * (0.5 + rng.unit())).round() as usize;
            for _ in 0..count.max(1) {
                // Mostly the next tier down; sometimes further down or a peer.
                let r = rng.below(10);
                let pool = if r < 6 { &pools[0] } else if r < 9 || pools.len() == 2 { &pools[1.min(pools.len() - 1)] } else { &pools[rng.below(pools.len())] };
                if pool.is_empty() {
                    continue;
                }
                let c = local(pool, p, &mut rng);
                link(p, c, false, &mut rng);
            }
        }
    }
    // A few loops from lower to higher tiers (a team that also serves its provider).
    for _ in 0..(n / 200).max(1) {
        if s1.is_empty() || s3.is_empty() {
            break;
        }
        let p = s1.start + rng.below(s1.len());
        let c = s3.start + rng.below(s3.len());
        link(p, c, false, &mut rng);
    }
    OrgMap::new(format!("Generated organisation ({n} units, seed {seed})"), all, links)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_size_and_seed_give_the_same_valid_map() {
        let a = generate(300, 7);
        assert_eq!(a, generate(300, 7));
        assert_ne!(a, generate(300, 8));
        assert_eq!(a.validate(), Ok(()));
        assert_eq!(a.units.len(), 300);
        let per_unit = a.links.len() as f64 / 300.0;
        assert!((4.0..6.0).contains(&per_unit), "{per_unit} links per unit");
    }

    #[test]
    fn splitmix64_matches_its_reference_values() {
        // First outputs for seed 0 of the reference implementation.
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn tiny_maps_are_still_valid() {
        for n in 0..12 {
            let m = generate(n, 1);
            assert_eq!(m.validate(), Ok(()), "size {n}");
            assert!(m.units.iter().any(|u| u.kind == UnitKind::External));
        }
    }
}
