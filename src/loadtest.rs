//! `ripple loadtest`: a room of simulated phones against a real server on
//! 127.0.0.1 (DESIGN.md, "Performance budgets"). Each participant connects over a
//! WebSocket, joins, and submits its answers — its internal customers (questions
//! 1–4), a rating of a service it receives, a thanks note, and the managers'
//! questions or a second received rating — at a moment spread over the burst. The
//! projector's feed runs as in the app; its latency is how long after an answer was
//! sent the projector had results that include it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::api;
use crate::error::ApiError;
use crate::live::{ProjectorFeed, PROJECTOR_INTERVAL};
use crate::participants::Round;
use crate::server::limits::Limits;
use crate::server::protocol::ParticipantReply;
use crate::server::{ParticipantServer, ServerConfig};
use crate::session::{SessionCommand, WorkshopSession};

/// Answers each simulated participant submits.
pub const ANSWERS_EACH: usize = 4;

/// How long a phone waits for an acknowledgement before counting the answer lost.
const ACK_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, PartialEq)]
pub struct LoadReport {
    pub participants: usize,
    /// Answers acknowledged (of `participants × ANSWERS_EACH`).
    pub acknowledged: usize,
    /// Answers sent and never acknowledged, or refused.
    pub lost: usize,
    /// Acknowledgement latency of the answers.
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// The longest time from sending an answer to the projector having it.
    pub projector_ms: f64,
    /// Self-ratings (one per participant's customers answer) in the projector's last
    /// results: nothing acknowledged went missing on the way to the projector.
    pub ratings_on_projector: usize,
    pub errors: Vec<String>,
}

impl std::fmt::Display for LoadReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "participants={} acknowledged={} lost={} p50_ms={:.1} p99_ms={:.1} projector_ms={:.1}",
            self.participants, self.acknowledged, self.lost, self.p50_ms, self.p99_ms, self.projector_ms
        )
    }
}

/// One answer as a phone saw it.
struct Sent {
    at: Instant,
    acked: Option<Instant>,
}

/// Lets this process hold a socket per phone on both ends.
#[cfg(unix)]
fn raise_open_files_limit() {
    // SAFETY: getrlimit/setrlimit only read and write the struct passed.
    unsafe {
        let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

#[cfg(not(unix))]
fn raise_open_files_limit() {}

/// Runs the load test in a temporary database and reports.
pub fn run(participants: usize, burst: Duration) -> Result<LoadReport, ApiError> {
    raise_open_files_limit();
    let dir = std::env::temp_dir().join(format!("ripple-loadtest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| ApiError::new("io", format!("cannot create {}: {e}", dir.display())))?;
    let report = run_in(&dir.join("ripple.db"), participants, burst);
    let _ = std::fs::remove_dir_all(&dir);
    report
}

fn run_in(db: &std::path::Path, participants: usize, burst: Duration) -> Result<LoadReport, ApiError> {
    let store = api::open_app_store(db)?;
    let id = store.list_workshops()?.first().map(|w| w.id).ok_or_else(|| ApiError::new("internal", "no demo workshop"))?;
    let session = WorkshopSession::start(store, id)?;
    for round in Round::ALL {
        session.apply(SessionCommand::OpenRound { round })?;
    }
    let code = session.participation()?.code;
    let map = session.state()?.map;
    let units: Vec<String> = map.units.iter().filter(|u| u.kind != crate::org::UnitKind::External).map(|u| u.id.clone()).collect();

    // The projector: when each update was read, and how many answers it counted.
    let projector: Arc<Mutex<Vec<(Instant, Instant, usize)>>> = Arc::default();
    let heard = Arc::clone(&projector);
    let feed = ProjectorFeed::start(session.handle(), PROJECTOR_INTERVAL, move |p, read_at| {
        let ratings = p.results.ratings.total as usize;
        heard.lock().unwrap_or_else(|e| e.into_inner()).push((read_at, Instant::now(), ratings));
    })?;
    let server = ParticipantServer::start(
        session.handle(),
        ServerConfig { bind: "127.0.0.1:0".parse().expect("an address"), limits: Limits::one_address_for_everyone() },
    )?;
    let url = format!("ws://{}/ws", server.local_addr());

    let clients = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| ApiError::new("internal", e.to_string()))?;
    let start = Instant::now() + Duration::from_millis(200);
    let outcomes = clients.block_on(async {
        let mut phones = Vec::with_capacity(participants);
        for i in 0..participants {
            let offset = burst.mul_f64(i as f64 / participants.max(1) as f64);
            let (url, code) = (url.clone(), code.clone());
            let unit = units[i % units.len()].clone();
            let customer = units[(i * 7 + 3) % units.len()].clone();
            phones.push(tokio::spawn(async move {
                tokio::time::sleep_until((start + offset).into()).await;
                phone(i, &url, &code, &unit, &customer).await
            }));
        }
        let mut outcomes = Vec::with_capacity(participants);
        for phone in phones {
            outcomes.push(phone.await.unwrap_or_else(|e| Err(format!("a phone's task failed: {e}"))));
        }
        outcomes
    });
    // Let the projector catch up with the last answers before reading it.
    std::thread::sleep(PROJECTOR_INTERVAL * 3);
    drop(feed);
    server.stop();

    let mut sent: Vec<Sent> = Vec::new();
    let mut errors = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(answers) => sent.extend(answers),
            Err(e) => errors.push(e),
        }
    }
    let expected = participants * ANSWERS_EACH;
    let acknowledged = sent.iter().filter(|s| s.acked.is_some()).count();
    let mut latencies: Vec<f64> = sent.iter().filter_map(|s| s.acked.map(|a| (a - s.at).as_secs_f64() * 1000.0)).collect();
    latencies.sort_by(f64::total_cmp);
    let projector = projector.lock().unwrap_or_else(|e| e.into_inner()).clone();
    // An answer is on the projector with the first update read after it was acknowledged.
    let projector_ms = sent
        .iter()
        .filter_map(|s| {
            let acked = s.acked?;
            let shown = projector.iter().find(|(read_at, _, _)| *read_at >= acked).map(|(_, emitted, _)| *emitted);
            Some(shown.map_or(f64::INFINITY, |shown| (shown - s.at).as_secs_f64() * 1000.0))
        })
        .fold(0.0, f64::max);
    Ok(LoadReport {
        participants,
        acknowledged,
        lost: expected - acknowledged,
        p50_ms: percentile(&latencies, 0.50),
        p99_ms: percentile(&latencies, 0.99),
        projector_ms,
        ratings_on_projector: projector.last().map_or(0, |p| p.2),
        errors,
    })
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// One simulated phone: connect, join, answer; when each answer went and came back.
async fn phone(i: usize, url: &str, code: &str, unit: &str, customer: &str) -> Result<Vec<Sent>, String> {
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.map_err(|e| format!("phone {i}: cannot connect: {e}"))?;
    let manager = i.is_multiple_of(5);
    let join = json!({"type": "join", "code": code, "name": format!("Participant {i}"), "unit": unit, "manager": manager});
    let token = match ask(&mut socket, join.to_string()).await? {
        ParticipantReply::Welcome { token: Some(token), .. } => token,
        other => return Err(format!("phone {i}: join answered {other:?}")),
    };
    let mut answers = vec![
        json!({"question": "customers", "customers": [{"customer": {"unit": customer}, "two_way": "sometimes", "rating": 1 + i % 10,
            "needs": [{"text": "Accurate figures on time", "category": "time"}, {"text": "Clear forms", "category": "quality"}]}]}),
        json!({"question": "received_rating", "unit": customer, "rating": 1 + (i * 3) % 10, "comment": "Mostly fine"}),
        json!({"question": "thanks", "unit": customer, "message": format!("Thank you from participant {i}")}),
    ];
    answers.push(if manager {
        json!({"question": "manager", "morale": "Frustration spreads quickly", "team": "Ask our customers what they need"})
    } else {
        json!({"question": "received_rating", "unit": unit, "rating": 7, "comment": ""})
    });
    let mut sent = Vec::with_capacity(ANSWERS_EACH);
    for (n, answer) in answers.into_iter().enumerate() {
        let submission = format!("load-{i:06}-{n}");
        let request = json!({"type": "submit", "token": token, "submission": submission, "answer": answer});
        let at = Instant::now();
        let acked = match ask(&mut socket, request.to_string()).await {
            Ok(ParticipantReply::Ack { receipt, .. }) if receipt.submission == submission => Some(Instant::now()),
            _ => None,
        };
        sent.push(Sent { at, acked });
    }
    let _ = socket.close(None).await;
    Ok(sent)
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Sends a request and waits for its reply (news in between is skipped).
async fn ask(socket: &mut Socket, request: String) -> Result<ParticipantReply, String> {
    socket.send(Message::Text(request.into())).await.map_err(|e| e.to_string())?;
    let deadline = tokio::time::Instant::now() + ACK_TIMEOUT;
    loop {
        let message = tokio::time::timeout_at(deadline, socket.next()).await.map_err(|_| "no reply in time".to_owned())?;
        match message {
            Some(Ok(Message::Text(text))) => {
                let reply: ParticipantReply = serde_json::from_str(&text).map_err(|e| e.to_string())?;
                if !matches!(reply, ParticipantReply::Units { .. } | ParticipantReply::Welcome { token: None, reference: None, .. }) {
                    return Ok(reply);
                }
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e.to_string()),
            None => return Err("the connection closed".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_the_value_at_or_above_the_share() {
        let xs: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&xs, 0.5), 50.0);
        assert_eq!(percentile(&xs, 0.99), 99.0);
        assert_eq!(percentile(&[7.0], 0.99), 7.0);
        assert!(percentile(&[], 0.5).is_nan());
    }
}
