//! The participants' server: HTTP + WebSocket on the room's network (DESIGN.md,
//! "Architecture", "Security model"). It exposes only what participants may do —
//! look up a session code, join, resume, submit — and serves the participant page.

use serde::Serialize;
use ts_rs::TS;

pub mod protocol;

/// An address of this machine the server can be reached at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct LanAddress {
    /// The IP address, as it goes into a URL's host.
    pub ip: String,
    /// The network interface it belongs to (`wlan0`, `Ethernet`).
    pub interface: String,
    /// Only this machine can reach it (kiosk mode, tests).
    pub loopback: bool,
}

/// How participants join: shown on the projector while the workshop is online.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct JoinInfo {
    /// `http://192.168.1.20:8765/?c=ABC234`: what the QR code carries.
    pub url: String,
    /// The same without the code, short enough to type: `192.168.1.20:8765`.
    pub address: String,
    pub code: String,
    /// The QR code of `url`, as a standalone SVG document.
    pub qr_svg: String,
}

/// Whether the live workshop is online, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OnlineStatus {
    /// `None`: offline (no server runs).
    pub join: Option<JoinInfo>,
    /// Every address the server could be bound to; the trainer picks one when there are several.
    pub addresses: Vec<LanAddress>,
    /// The URL of the kiosk page on this machine (for the app window), while online.
    pub kiosk_url: Option<String>,
}

mod connection;
pub mod lan;
pub mod limits;

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tokio::sync::{broadcast, watch};

use crate::error::ApiError;
use crate::session::{SessionEvent, SessionHandle};
use limits::{AddressBuckets, Limits, WrongCodes};
use protocol::{unit_choices, UnitChoice};

/// A WebSocket message or a `POST /api` body, at most.
pub const MESSAGE_MAX: usize = 16 * 1024;

/// What the server is asked to do.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Where to listen; port 0 picks a free one.
    pub bind: SocketAddr,
    pub limits: Limits,
}

impl ServerConfig {
    pub fn new(bind: SocketAddr) -> ServerConfig {
        ServerConfig { bind, limits: Limits::classroom() }
    }
}

/// What every request handler shares.
struct Shared {
    session: SessionHandle,
    /// `Host` headers the server answers to (against DNS rebinding).
    hosts: HashSet<String>,
    limits: Limits,
    per_address: AddressBuckets,
    wrong_codes: WrongCodes,
    /// The workshop's name and units, kept current from the session's events.
    room: RwLock<RoomCache>,
    news: broadcast::Sender<News>,
    stop: watch::Receiver<bool>,
    /// Each open WebSocket holds a clone: a stop waits until the phones were told.
    phones: Arc<()>,
    /// Needs were proposed or voted on since the phones were last told.
    needs_changed: std::sync::atomic::AtomicBool,
}

/// How often phones hear of needs proposed and votes cast by others.
pub const NEEDS_PUSH_INTERVAL: Duration = Duration::from_millis(500);

struct RoomCache {
    workshop: String,
    units: Arc<Vec<UnitChoice>>,
}

/// What connected phones are told without asking.
#[derive(Debug, Clone)]
enum News {
    Units(Arc<Vec<UnitChoice>>),
    /// A round opened, closed or was reset, the game or the walkthrough moved on, or
    /// needs were proposed: each phone is sent what the server now holds for it.
    Rounds,
}

/// The participants' server, running on its own threads until stopped or dropped.
pub struct ParticipantServer {
    addr: SocketAddr,
    stop: watch::Sender<bool>,
    runtime: Option<tokio::runtime::Runtime>,
    /// Hears when the HTTP connections have closed after a stop.
    done: std::sync::mpsc::Receiver<()>,
    /// Counts the open WebSockets (they outlive their HTTP connection's upgrade).
    phones: Arc<()>,
}

/// The participant page, embedded: nothing is fetched from anywhere else.
const PAGE: &str = include_str!("../../ui/participant/index.html");
const SCRIPT: &str = include_str!("../../ui/participant/participant.js");
const STYLE: &str = include_str!("../../ui/participant/participant.css");

impl ParticipantServer {
    /// Starts serving `session`'s participants at `config.bind`.
    pub fn start(session: SessionHandle, config: ServerConfig) -> Result<ParticipantServer, ApiError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("participants-server")
            .enable_all()
            .build()
            .map_err(|e| ApiError::new("internal", format!("cannot start the participants' server: {e}")))?;
        // Bound here, not on the runtime: `start` may be called from async code (tests).
        let cannot_listen =
            |e: std::io::Error| ApiError::new("cannot_listen", format!("cannot listen on {}: {e} (is another program using the port?)", config.bind));
        let listener = std::net::TcpListener::bind(config.bind).map_err(cannot_listen)?;
        listener.set_nonblocking(true).map_err(cannot_listen)?;
        let addr = listener.local_addr().map_err(cannot_listen)?;
        let listener = {
            let _entered = runtime.enter();
            tokio::net::TcpListener::from_std(listener).map_err(cannot_listen)?
        };
        let state = session.state()?;
        let (news, _) = broadcast::channel(64);
        let (stop_tx, stop) = watch::channel(false);
        let shared = Arc::new(Shared {
            session: session.clone(),
            hosts: allowed_hosts(addr),
            per_address: AddressBuckets::new(config.limits.per_address),
            wrong_codes: WrongCodes::new(&config.limits),
            limits: config.limits,
            room: RwLock::new(RoomCache { workshop: state.name, units: Arc::new(unit_choices(&state.map)) }),
            news,
            stop,
            phones: Arc::new(()),
            needs_changed: std::sync::atomic::AtomicBool::new(false),
        });
        // Proposed needs and votes reach the phones at most every NEEDS_PUSH_INTERVAL.
        let gathering = Arc::downgrade(&shared);
        runtime.spawn(async move {
            let mut tick = tokio::time::interval(NEEDS_PUSH_INTERVAL);
            loop {
                tick.tick().await;
                let Some(shared) = gathering.upgrade() else { break };
                if *shared.stop.borrow() {
                    break;
                }
                if shared.needs_changed.swap(false, std::sync::atomic::Ordering::Relaxed) {
                    let _ = shared.news.send(News::Rounds);
                }
            }
        });
        // The session's changes reach the phones; the subscription ends with the server.
        let hearing = Arc::downgrade(&shared);
        session.subscribe_fn(move |event| match hearing.upgrade() {
            Some(shared) if !*shared.stop.borrow() => {
                shared.hear(event);
                true
            }
            _ => false,
        })?;
        let app = Router::new()
            .route("/", get(page))
            .route("/participant.js", get(script))
            .route("/participant.css", get(style))
            .route("/ws", get(connection::websocket))
            .route("/api", post(connection::http_api))
            .fallback(not_found)
            .layer(axum::middleware::from_fn_with_state(Arc::clone(&shared), connection::guard))
            .with_state(Arc::clone(&shared));
        let mut stopped = shared.stop.clone();
        let (done_tx, done) = std::sync::mpsc::channel();
        runtime.spawn(async move {
            let service = app.into_make_service_with_connect_info::<SocketAddr>();
            let _ = axum::serve(listener, service)
                .with_graceful_shutdown(async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                })
                .await;
            let _ = done_tx.send(());
        });
        Ok(ParticipantServer { addr, stop: stop_tx, runtime: Some(runtime), done, phones: Arc::clone(&shared.phones) })
    }

    /// Starts on `ip`, at `port` or, if none is given, at the first free port from
    /// [`lan::DEFAULT_PORT`] on (so a second app or a stale server does not stop the room).
    pub fn start_on(session: SessionHandle, ip: IpAddr, port: Option<u16>, limits: Limits) -> Result<ParticipantServer, ApiError> {
        let config = |port| ServerConfig { bind: SocketAddr::new(ip, port), limits: limits.clone() };
        if let Some(port) = port {
            return ParticipantServer::start(session, config(port));
        }
        let mut last = None;
        for port in lan::DEFAULT_PORT..lan::DEFAULT_PORT + 10 {
            match ParticipantServer::start(session.clone(), config(port)) {
                Ok(server) => return Ok(server),
                Err(e) if e.code == "cannot_listen" => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| ApiError::new("cannot_listen", "no free port")))
    }

    /// The address it listens on (with the port picked, if 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// How participants join this server: its link with `code`, the address to type, the QR code.
    pub fn join_info(&self, code: &str) -> Result<JoinInfo, ApiError> {
        let ip = if self.addr.ip().is_unspecified() {
            lan::best_address().ip.parse().unwrap_or(IpAddr::from([127, 0, 0, 1]))
        } else {
            self.addr.ip()
        };
        lan::join_info(ip, self.addr.port(), code)
    }

    /// Closes every connection (phones are told the server is going away) and stops.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        let _ = self.stop.send(true);
        if let Some(runtime) = self.runtime.take() {
            // Phones get a moment to hear the close; whatever lingers is dropped.
            let deadline = std::time::Instant::now() + Duration::from_secs(2);
            let _ = self.done.recv_timeout(Duration::from_secs(2));
            // Only this handle and `Shared`'s own are left once every phone was told.
            while Arc::strong_count(&self.phones) > 2 && std::time::Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            runtime.shutdown_background();
        }
    }
}

impl Drop for ParticipantServer {
    fn drop(&mut self) {
        self.shut_down();
    }
}

impl Shared {
    /// Called on the session's thread with each committed change: must not block.
    fn hear(&self, event: &SessionEvent) {
        match event {
            SessionEvent::MapChanged { map, .. } => {
                let units = Arc::new(unit_choices(map));
                self.room.write().unwrap_or_else(|e| e.into_inner()).units = Arc::clone(&units);
                let _ = self.news.send(News::Units(units));
            }
            SessionEvent::Renamed { name, .. } => {
                self.room.write().unwrap_or_else(|e| e.into_inner()).workshop.clone_from(name);
            }
            SessionEvent::RoundChanged { .. } | SessionEvent::GameChanged { .. } | SessionEvent::CyclesChanged { .. } => {
                let _ = self.news.send(News::Rounds);
            }
            // Proposed needs and votes change what every phone at the stage shows, but a
            // room voting at once must not mean a push per vote: they are gathered.
            SessionEvent::AnswersChanged { receipt, .. } if receipt.question.starts_with("need:") || receipt.question.starts_with("vote:") => {
                self.needs_changed.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            _ => {}
        }
    }

    fn room(&self) -> (String, Arc<Vec<UnitChoice>>) {
        let room = self.room.read().unwrap_or_else(|e| e.into_inner());
        (room.workshop.clone(), Arc::clone(&room.units))
    }
}

/// `host:port` forms a browser may send in `Host` for this server: its own address,
/// and when it listens on every interface, each of this machine's addresses; `localhost` too.
fn allowed_hosts(addr: SocketAddr) -> HashSet<String> {
    let port = addr.port();
    let mut ips: Vec<IpAddr> = vec![addr.ip(), IpAddr::from([127, 0, 0, 1])];
    if addr.ip().is_unspecified() {
        ips.extend(if_addrs::get_if_addrs().unwrap_or_default().iter().map(if_addrs::Interface::ip));
    }
    let mut hosts: HashSet<String> = ips
        .into_iter()
        .map(|ip| match ip {
            IpAddr::V4(ip) => format!("{ip}:{port}"),
            IpAddr::V6(ip) => format!("[{ip}]:{port}"),
        })
        .collect();
    hosts.insert(format!("localhost:{port}"));
    hosts
}

/// Headers every page response carries: the page may load only its own script and
/// style and talk only to this server.
fn page_headers(content_type: &'static str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; \
             base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers
}

async fn page() -> impl IntoResponse {
    (page_headers("text/html; charset=utf-8"), PAGE)
}

async fn script() -> impl IntoResponse {
    (page_headers("text/javascript; charset=utf-8"), SCRIPT)
}

async fn style() -> impl IntoResponse {
    (page_headers("text/css; charset=utf-8"), STYLE)
}

async fn not_found(State(_): State<Arc<Shared>>) -> Response {
    connection::error_response(StatusCode::NOT_FOUND, ApiError::new("not_found", "there is nothing here; open the join link"))
}
