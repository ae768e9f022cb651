//! An acknowledged change survives the app being killed the next instant: a child
//! process applies edits through a workshop session and is killed with SIGKILL at
//! random moments; after each kill every change it acknowledged is in the database
//! and the database passes `PRAGMA integrity_check`.

use std::collections::HashMap;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use ripple::api;
use ripple::store::Store;

const KILLS: usize = 60;

/// The slot change `n` writes to, as `ripple torture` picks it: (is an activity, index).
fn slot(n: u64, units: usize, activities: usize) -> (bool, usize) {
    if n.is_multiple_of(3) {
        (true, (n / 3) as usize % activities)
    } else {
        (false, n as usize % units)
    }
}

fn number(text: &str) -> Option<u64> {
    text.strip_prefix("change ").and_then(|n| n.parse().ok())
}

/// A small xorshift: random kill moments without a dependency; the seed is printed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn crash_at_random_moments_loses_no_acknowledged_change_and_leaves_the_database_sound() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ripple.db");
    let workshop = {
        let mut store = api::open_app_store(&db).unwrap();
        api::create_workshop(&mut store, &api::load_template("demo").unwrap(), Some("Torture")).unwrap()
    };
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    println!("kill moments seed: {seed}");
    let mut rng = Rng(seed);
    let started = Instant::now();
    // The highest acknowledged change per slot: the database must hold it or a later one.
    let mut acknowledged: HashMap<(bool, usize), u64> = HashMap::new();
    let mut total_acks = 0;
    let mut killed_mid_stream = 0;
    for kill in 0..KILLS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ripple"))
            .args(["torture", "--db", db.to_str().unwrap(), "--workshop", &workshop.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // From before the database is open to well into the stream of commits.
        std::thread::sleep(Duration::from_millis(5 + rng.below(120)));
        child.kill().unwrap(); // SIGKILL on Unix
        let status = child.wait().unwrap();
        let mut stdout = String::new();
        child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
        let mut stderr = String::new();
        child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        assert!(status.code().is_none(), "kill {kill}: the child ended by itself ({status}): {stderr}");

        let store = Store::open(&db).unwrap();
        store.integrity_check().unwrap_or_else(|e| panic!("kill {kill} (seed {seed}): {e}"));
        let map = store.load_map(workshop).unwrap();
        let agenda = store.load_agenda(workshop).unwrap();
        let (units, activities) = (map.units.len(), agenda.activities.len());
        // A line without its newline was being written when the child died: not acknowledged.
        let complete = stdout.rsplit_once('\n').map_or("", |(lines, _)| lines);
        for n in complete.lines().map(|l| l.parse::<u64>().unwrap()) {
            let best = acknowledged.entry(slot(n, units, activities)).or_default();
            *best = (*best).max(n);
            total_acks += 1;
        }
        if !complete.is_empty() {
            killed_mid_stream += 1;
        }
        for (&(is_activity, index), &n) in &acknowledged {
            let stored = if is_activity { &agenda.activities[index].title } else { &map.units[index].name };
            let stored_n = number(stored).unwrap_or(0);
            assert!(
                stored_n >= n,
                "kill {kill} (seed {seed}): change {n} was acknowledged but the slot holds '{stored}'"
            );
        }
    }
    println!("{KILLS} kills, {total_acks} acknowledged changes, {killed_mid_stream} kills mid-stream, {:?}", started.elapsed());
    assert!(killed_mid_stream >= KILLS / 2, "most kills must land while changes stream: {killed_mid_stream}");
    assert!(total_acks >= KILLS, "too few changes to prove anything: {total_acks}");
}
