//! The load test at classroom size: 200 simulated phones over real WebSockets on
//! 127.0.0.1 join and answer within two seconds; not one answer may be lost. (The
//! 2,000-phone figures are a benchmark: `ripple loadtest`, see the README.)

use std::process::Command;

#[test]
fn two_hundred_phones_answering_at_once_lose_nothing() {
    let output = Command::new(env!("CARGO_BIN_EXE_ripple"))
        .args(["loadtest", "--participants", "200", "--burst-seconds", "2"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let last = stdout.lines().last().unwrap();
    let field = |name: &str| -> f64 {
        last.split(' ').find_map(|kv| kv.strip_prefix(&format!("{name}="))).unwrap_or_else(|| panic!("{name} in {last}")).parse().unwrap()
    };
    assert_eq!(field("participants"), 200.0, "{last}");
    assert_eq!(field("lost"), 0.0, "{last}");
    assert_eq!(field("acknowledged"), 800.0, "{last}");
    assert!(field("p99_ms").is_finite() && field("projector_ms").is_finite(), "{last}");
    assert!(stdout.contains("ratings on the projector: 200"), "every acknowledged answer reached the projector: {stdout}");
}

#[test]
fn a_load_test_of_no_one_is_refused_as_bad_input() {
    let output = Command::new(env!("CARGO_BIN_EXE_ripple")).args(["loadtest", "--participants", "0"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--participants 0"));
}
