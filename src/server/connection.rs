//! One phone's requests: the checks every request passes (Host, Origin, rate), the
//! WebSocket with the news it hears, `POST /api`, and the one handler both call.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use axum::body::{to_bytes, Body};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::{broadcast, oneshot};

use super::limits::Bucket;
use super::protocol::{ParticipantReply, ParticipantRequest, REF_MAX};
use super::{News, Shared, MESSAGE_MAX};
use crate::error::ApiError;
use crate::participants;
use crate::session::{ParticipantView, SessionCommand, SessionEvent};

/// A message bigger than this closes the WebSocket (1009); up to it, a too large
/// message is answered with `too_large` and the connection stays.
const FRAME_HARD_MAX: usize = 4 * MESSAGE_MAX;

fn closed() -> ApiError {
    ApiError::new("session_closed", "the workshop is not live any more")
}

fn error_reply(error: ApiError, reference: Option<String>) -> ParticipantReply {
    ParticipantReply::Error { code: error.code, message: error.message, submission: None, retry_ms: None, reference }
}

fn wait_reply(code: &str, message: &str, wait: std::time::Duration) -> ParticipantReply {
    let ms = wait.as_millis().max(1) as u64;
    ParticipantReply::Error {
        code: code.to_owned(),
        message: format!("{message}; try again in {:.1} s", ms as f64 / 1000.0),
        submission: None,
        retry_ms: Some(ms),
        reference: None,
    }
}

/// The HTTP status of a failed request over `POST /api`.
fn status_of(code: &str) -> StatusCode {
    match code {
        "too_large" => StatusCode::PAYLOAD_TOO_LARGE,
        "rate_limited" | "slow_down" => StatusCode::TOO_MANY_REQUESTS,
        "bad_token" | "bad_code" | "bad_origin" | "bad_host" => StatusCode::FORBIDDEN,
        "session_closed" => StatusCode::SERVICE_UNAVAILABLE,
        "not_found" => StatusCode::NOT_FOUND,
        _ => StatusCode::BAD_REQUEST,
    }
}

pub(super) fn error_response(status: StatusCode, error: ApiError) -> Response {
    reply_response(status, &error_reply(error, None))
}

fn reply_response(status: StatusCode, reply: &ParticipantReply) -> Response {
    let body = serde_json::to_string(reply).unwrap_or_else(|_| "{}".to_owned());
    (status, [(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "no-store")], body).into_response()
}

/// Every request: its `Host` must be this server (a web page elsewhere cannot reach
/// it through DNS rebinding), an `Origin`, if sent, must be this server too, and its
/// address must be within its rate.
pub(super) async fn guard(State(shared): State<Arc<Shared>>, ConnectInfo(peer): ConnectInfo<SocketAddr>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default().to_ascii_lowercase();
    if !shared.hosts.contains(&host) {
        return error_response(StatusCode::FORBIDDEN, ApiError::new("bad_host", format!("this server does not answer to '{host}'")));
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or_default().to_ascii_lowercase();
        if origin != format!("http://{host}") {
            return error_response(StatusCode::FORBIDDEN, ApiError::new("bad_origin", "requests from other web pages are refused"));
        }
    }
    if let Err(wait) = shared.per_address.take(peer.ip(), Instant::now()) {
        return reply_response(StatusCode::TOO_MANY_REQUESTS, &wait_reply("rate_limited", "too many requests from this address", wait));
    }
    next.run(request).await
}

pub(super) async fn websocket(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade
        .max_message_size(FRAME_HARD_MAX)
        .max_frame_size(FRAME_HARD_MAX)
        .on_upgrade(move |socket| phone(shared, peer.ip(), socket))
}

/// `POST /api`: one request in the body, its reply in the response.
pub(super) async fn http_api(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let json = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"));
    if !json {
        // Also keeps plain cross-site form posts out.
        let error = ApiError::new("bad_request", "the request must be JSON (Content-Type: application/json)");
        return error_response(StatusCode::UNSUPPORTED_MEDIA_TYPE, error);
    }
    let Ok(bytes) = to_bytes(body, MESSAGE_MAX).await else {
        return error_response(StatusCode::PAYLOAD_TOO_LARGE, too_large());
    };
    let text = String::from_utf8_lossy(&bytes);
    let reply = handle(&shared, peer.ip(), &text, &mut None).await;
    match &reply {
        ParticipantReply::Error { code, .. } => reply_response(status_of(code), &reply),
        _ => reply_response(StatusCode::OK, &reply),
    }
}

fn too_large() -> ApiError {
    ApiError::new("too_large", format!("a request is at most {} KiB", MESSAGE_MAX / 1024))
}

/// A phone's WebSocket: its requests in order, and news about rounds and units once
/// it has joined or resumed.
async fn phone(shared: Arc<Shared>, address: IpAddr, socket: WebSocket) {
    // Held until this phone has been told the server is going away.
    let _open = Arc::clone(&shared.phones);
    let (mut sink, mut stream) = socket.split();
    let mut news = shared.news.subscribe();
    let mut stop = shared.stop.clone();
    let mut bucket = Bucket::new(shared.limits.per_connection, Instant::now());
    // The participant this connection speaks for, once known.
    let mut token: Option<String> = None;
    loop {
        let reply = tokio::select! {
            message = stream.next() => match message {
                Some(Ok(Message::Text(text))) => match bucket.take(Instant::now()) {
                    Ok(()) => Some(handle(&shared, address, text.as_str(), &mut token).await),
                    Err(wait) => Some(with_ref(wait_reply("rate_limited", "too many requests from this phone", wait), reference_of(&text))),
                },
                Some(Ok(Message::Binary(_))) => Some(error_reply(ApiError::new("bad_request", "messages are JSON text"), None)),
                Some(Ok(Message::Close(_))) | None => break,
                Some(Ok(_)) => None,
                Some(Err(_)) => {
                    // Too large for even reading (or broken): say so and hang up.
                    let frame = CloseFrame { code: 1009, reason: "message too large".into() };
                    let _ = sink.send(Message::Close(Some(frame))).await;
                    break;
                }
            },
            heard = news.recv() => match heard {
                Ok(News::Units(units)) => Some(ParticipantReply::Units { units: units.to_vec() }),
                Ok(News::Rounds) => welcome_again(&shared, token.as_deref()).await,
                // Fell behind: a fresh picture instead of the missed news.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let units = shared.room().1.to_vec();
                    if sink.send(text(&ParticipantReply::Units { units })).await.is_err() {
                        break;
                    }
                    welcome_again(&shared, token.as_deref()).await
                }
                Err(broadcast::error::RecvError::Closed) => break,
            },
            _ = async { stop.wait_for(|stop| *stop).await.is_ok() } => {
                let frame = CloseFrame { code: 1001, reason: "the trainer went offline".into() };
                let _ = sink.send(Message::Close(Some(frame))).await;
                break;
            }
        };
        if let Some(reply) = reply {
            if sink.send(text(&reply)).await.is_err() {
                break;
            }
        }
    }
}

fn text(reply: &ParticipantReply) -> Message {
    Message::Text(serde_json::to_string(reply).unwrap_or_else(|_| "{}".to_owned()).into())
}

/// What the phone of `token` is sent after a round changed.
async fn welcome_again(shared: &Shared, token: Option<&str>) -> Option<ParticipantReply> {
    let me = participant(shared, token?).await.ok()?;
    let (workshop, units) = shared.room();
    Some(ParticipantReply::Welcome { token: None, workshop, units: units.to_vec(), me: Box::new(me), reference: None })
}

async fn apply(shared: &Shared, command: SessionCommand) -> Result<SessionEvent, ApiError> {
    let (tx, rx) = oneshot::channel();
    shared.session.apply_then(command, move |outcome| {
        let _ = tx.send(outcome);
    });
    rx.await.unwrap_or_else(|_| Err(closed()))
}

async fn participant(shared: &Shared, token: &str) -> Result<ParticipantView, ApiError> {
    let (tx, rx) = oneshot::channel();
    shared.session.participant_then(token, move |outcome| {
        let _ = tx.send(outcome);
    });
    rx.await.unwrap_or_else(|_| Err(closed()))
}

/// The one handler of a participant's request, over the WebSocket and `POST /api`.
/// `bound` is the token the connection speaks for; join and resume set it.
pub(super) async fn handle(shared: &Shared, address: IpAddr, text: &str, bound: &mut Option<String>) -> ParticipantReply {
    if text.len() > MESSAGE_MAX {
        return error_reply(too_large(), None);
    }
    let request: ParticipantRequest = match participants::parse(text) {
        Ok(request) => request,
        Err(error) => return error_reply(error, None),
    };
    let reference = request.reference().map(str::to_owned);
    if reference.as_ref().is_some_and(|r| r.len() > REF_MAX) {
        return error_reply(ApiError::new("bad_request", format!("ref: at most {REF_MAX} characters")), None);
    }
    let failed = |error: ApiError| error_reply(error, reference.clone());
    match request {
        ParticipantRequest::Lookup { code, .. } => {
            if let Some(wait) = shared.wrong_codes.must_wait(address, Instant::now()) {
                return with_ref(wait_reply("slow_down", "too many wrong codes from this device", wait), reference);
            }
            let (tx, rx) = oneshot::channel();
            shared.session.lookup_then(&code, move |outcome| {
                let _ = tx.send(outcome);
            });
            match rx.await.unwrap_or_else(|_| Err(closed())) {
                Ok(room) => {
                    shared.wrong_codes.right(address);
                    let units = super::protocol::unit_choices(&room.map);
                    ParticipantReply::Room { workshop: room.workshop, units, rounds: room.rounds, reference }
                }
                Err(error) => {
                    if error.code == "bad_code" {
                        shared.wrong_codes.wrong(address, Instant::now());
                    }
                    failed(error)
                }
            }
        }
        ParticipantRequest::Join { code, name, unit, manager, client, .. } => {
            if let Some(wait) = shared.wrong_codes.must_wait(address, Instant::now()) {
                return with_ref(wait_reply("slow_down", "too many wrong codes from this device", wait), reference);
            }
            let joined = apply(shared, SessionCommand::Join { code, name, unit, manager, client }).await;
            let token = match joined {
                Ok(SessionEvent::ParticipantJoined { token: Some(token), .. }) => token,
                Ok(other) => return failed(ApiError::new("internal", format!("joining answered {other:?}"))),
                Err(error) => {
                    if error.code == "bad_code" {
                        shared.wrong_codes.wrong(address, Instant::now());
                    }
                    return failed(error);
                }
            };
            shared.wrong_codes.right(address);
            match participant(shared, &token).await {
                Ok(me) => {
                    *bound = Some(token.clone());
                    let (workshop, units) = shared.room();
                    ParticipantReply::Welcome { token: Some(token), workshop, units: units.to_vec(), me: Box::new(me), reference }
                }
                Err(error) => failed(error),
            }
        }
        ParticipantRequest::Resume { token, .. } => match participant(shared, &token).await {
            Ok(me) => {
                *bound = Some(token);
                let (workshop, units) = shared.room();
                ParticipantReply::Welcome { token: None, workshop, units: units.to_vec(), me: Box::new(me), reference }
            }
            Err(error) => failed(error),
        },
        ParticipantRequest::Predict { token, submission, round, prediction, .. } => {
            acknowledge(apply(shared, SessionCommand::Predict { token, submission: submission.clone(), round, prediction }).await, submission, reference)
        }
        ParticipantRequest::ProposeNeed { token, submission, stage, need, .. } => {
            acknowledge(apply(shared, SessionCommand::ProposeNeed { token, submission: submission.clone(), stage, need }).await, submission, reference)
        }
        ParticipantRequest::VoteNeed { token, submission, proposal, vote, .. } => {
            acknowledge(apply(shared, SessionCommand::VoteNeed { token, submission: submission.clone(), proposal, vote }).await, submission, reference)
        }
        ParticipantRequest::Submit { token, submission, answer, .. } => {
            acknowledge(apply(shared, SessionCommand::Submit { token, submission: submission.clone(), answer }).await, submission, reference)
        }
    }
}

/// The reply to a stored (or refused) answer or prediction.
fn acknowledge(outcome: Result<SessionEvent, ApiError>, submission: String, reference: Option<String>) -> ParticipantReply {
    match outcome {
        Ok(SessionEvent::AnswersChanged { receipt, .. }) => ParticipantReply::Ack { receipt, reference },
        Ok(other) => error_reply(ApiError::new("internal", format!("submitting answered {other:?}")), reference),
        Err(error) => ParticipantReply::Error {
            code: error.code,
            message: error.message,
            submission: Some(submission).filter(|s| s.len() <= participants::SUBMISSION_ID_MAX),
            retry_ms: None,
            reference,
        },
    }
}

/// The `ref` of a request not otherwise read (so a refused one can be matched).
fn reference_of(text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Reference {
        #[serde(rename = "ref")]
        reference: Option<String>,
    }
    serde_json::from_str::<Reference>(text).ok()?.reference.filter(|r| r.len() <= REF_MAX)
}

fn with_ref(reply: ParticipantReply, reference: Option<String>) -> ParticipantReply {
    match reply {
        ParticipantReply::Error { code, message, submission, retry_ms, .. } => {
            ParticipantReply::Error { code, message, submission, retry_ms, reference }
        }
        other => other,
    }
}
