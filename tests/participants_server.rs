//! The participants' server on 127.0.0.1 with a real SQLite file and real
//! WebSockets: joining, answering, resuming, pushes, and every kind of bad input the
//! security model names. Each bad request gets a clear error and nothing saved is lost.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use ripple::api;
use ripple::participants::Round;
use ripple::server::limits::Limits;
use ripple::server::{ParticipantServer, ServerConfig};
use ripple::session::{SessionCommand, WorkshopSession};
use ripple::store::Store;
use ripple::workshop::WorkshopId;

struct Room {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    id: WorkshopId,
    session: WorkshopSession,
    server: Option<ParticipantServer>,
    addr: SocketAddr,
    code: String,
}

/// The demo workshop, live, with its rounds open, served on 127.0.0.1.
fn room() -> Room {
    room_with(Limits::classroom())
}

fn room_with(limits: Limits) -> Room {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ripple.db");
    let store = api::open_app_store(&db).unwrap();
    let id = store.list_workshops().unwrap()[0].id;
    let session = WorkshopSession::start(store, id).unwrap();
    for round in Round::ALL {
        session.apply(SessionCommand::OpenRound { round }).unwrap();
    }
    let code = session.participation().unwrap().code;
    let server = ParticipantServer::start(session.handle(), ServerConfig { bind: "127.0.0.1:0".parse().unwrap(), limits }).unwrap();
    let addr = server.local_addr();
    Room { _dir: dir, db, id, session, server: Some(server), addr, code }
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

struct Phone {
    socket: Socket,
}

impl Phone {
    async fn connect(room: &Room) -> Phone {
        Phone::connect_from(room, "127.0.0.1").await
    }

    /// Connects from another loopback address (a different phone to the server).
    async fn connect_from(room: &Room, local: &str) -> Phone {
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind(format!("{local}:0").parse().unwrap()).unwrap();
        let stream = socket.connect(room.addr).await.unwrap();
        let url = format!("ws://{}/ws", room.addr);
        let (socket, _) = tokio_tungstenite::client_async(url, MaybeTlsStream::Plain(stream)).await.unwrap();
        Phone { socket }
    }

    async fn send_text(&mut self, text: String) {
        self.socket.send(Message::Text(text.into())).await.unwrap();
    }

    async fn next(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(5), self.socket.next()).await.expect("a reply in time");
            match message.expect("the connection is open").expect("a message") {
                Message::Text(text) => return serde_json::from_str(&text).unwrap(),
                Message::Close(frame) => panic!("closed: {frame:?}"),
                _ => {}
            }
        }
    }

    async fn ask(&mut self, request: Value) -> Value {
        self.send_text(request.to_string()).await;
        self.next().await
    }

    async fn join(&mut self, room: &Room, name: &str, unit: &str) -> String {
        let reply = self.ask(json!({"type": "join", "code": room.code, "name": name, "unit": unit})).await;
        assert_eq!(reply["type"], "welcome", "{reply}");
        reply["token"].as_str().unwrap().to_owned()
    }
}

fn customers_answer(unit: &str, rating: u8, need: &str) -> Value {
    json!({"question": "customers", "customers": [
        {"customer": {"unit": unit}, "needs": [{"text": need, "category": "time"}], "two_way": "sometimes", "rating": rating}
    ]})
}

fn submit(token: &str, submission: &str, answer: Value) -> Value {
    json!({"type": "submit", "token": token, "submission": submission, "answer": answer})
}

/// One raw HTTP/1.1 request; the status and the body.
async fn http(addr: SocketAddr, request: String) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut response)).await;
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

fn post(addr: SocketAddr, body: &str) -> String {
    format!(
        "POST /api HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn stored_answers(room: &Room) -> usize {
    Store::open(&room.db).unwrap().load_room(room.id, || panic!("the code exists")).unwrap().answers.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_looks_up_the_code_joins_answers_and_the_answer_is_in_the_file() {
    let room = room();
    let mut phone = Phone::connect(&room).await;
    let found = phone.ask(json!({"type": "lookup", "code": room.code.to_lowercase(), "ref": "r1"})).await;
    assert_eq!(found["type"], "room", "{found}");
    assert_eq!(found["ref"], "r1");
    assert_eq!(found["rounds"]["self_assessment"], true);
    assert!(found["units"].as_array().unwrap().iter().any(|u| u["id"] == "finance" && u["kind"] == "support"));
    let token = phone.join(&room, "Ana", "finance").await;
    assert_eq!(token.len(), 64);
    let ack = phone.ask(submit(&token, "sub-0000001", customers_answer("customer-service", 6, "Payslips on the 25th"))).await;
    assert_eq!(ack["type"], "ack", "{ack}");
    assert_eq!(ack["receipt"]["question"], "customers");
    assert_eq!(stored_answers(&room), 1, "acknowledged means committed to the file");
    let results = room.session.participation().unwrap().results;
    assert_eq!((results.attendees, results.ratings.total), (1, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_that_reconnects_resumes_and_a_resent_answer_is_stored_once() {
    let room = room();
    let mut phone = Phone::connect(&room).await;
    let token = phone.join(&room, "", "it").await;
    let first = phone.ask(submit(&token, "sub-0000001", customers_answer("finance", 7, "Budgets"))).await;
    drop(phone);
    // Flaky Wi-Fi: a new connection, the same identity, the unacknowledged answer again.
    let mut phone = Phone::connect(&room).await;
    let welcome = phone.ask(json!({"type": "resume", "token": token})).await;
    assert_eq!(welcome["type"], "welcome");
    assert!(welcome.get("token").is_none(), "the token is only ever sent in the reply to join");
    assert_eq!(welcome["me"]["participant"]["name"], Value::Null, "an empty name joins anonymously");
    assert_eq!(welcome["me"]["answers"][0]["customers"][0]["rating"], 7);
    let again = phone.ask(submit(&token, "sub-0000001", customers_answer("finance", 7, "Budgets"))).await;
    assert_eq!(again, first);
    assert_eq!(stored_answers(&room), 1);
    assert_eq!(room.session.participation().unwrap().results.ratings.total, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_requests_work_over_http_for_networks_that_break_websockets() {
    let room = room();
    let join = json!({"type": "join", "code": room.code, "name": "Bo", "unit": "warehouse"}).to_string();
    let (status, body) = http(room.addr, post(room.addr, &join)).await;
    assert_eq!(status, 200, "{body}");
    let welcome: Value = serde_json::from_str(&body).unwrap();
    let token = welcome["token"].as_str().unwrap();
    let thanks = submit(token, "thanks-000001", json!({"question": "thanks", "unit": "it", "message": "Thanks for the laptops"}));
    let (status, body) = http(room.addr, post(room.addr, &thanks.to_string())).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(room.session.participation().unwrap().results.thanks[0].message, "Thanks for the laptops");
    let forged = submit(&"0".repeat(64), "thanks-000002", json!({"question": "thanks", "unit": "it", "message": "x"}));
    let (status, body) = http(room.addr, post(room.addr, &forged.to_string())).await;
    assert_eq!(status, 403);
    assert!(body.contains("\"code\":\"bad_token\""), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_is_served_with_a_strict_policy_and_loads_nothing_from_elsewhere() {
    let room = room();
    for path in ["/", "/?c=ABC234", "/participant.js", "/participant.css"] {
        let (status, body) = http(room.addr, format!("GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", room.addr)).await;
        assert_eq!(status, 200, "{path}");
        assert!(!body.is_empty(), "{path}");
        for external in ["https://", "http://", "//cdn", "@import url("] {
            assert!(!body.contains(external), "{path} refers to {external}");
        }
    }
    let mut stream = TcpStream::connect(room.addr).await.unwrap();
    let request = format!("GET / HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", room.addr);
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut head = String::new();
    stream.read_to_string(&mut head).await.unwrap();
    let head = head.to_ascii_lowercase();
    assert!(head.contains("content-security-policy: default-src 'none'; script-src 'self'"), "{head}");
    assert!(head.contains("x-content-type-options: nosniff"));
    let (status, body) = http(room.addr, format!("GET /admin HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", room.addr)).await;
    assert_eq!(status, 404);
    assert!(body.contains("not_found"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_and_messages_are_refused_with_a_clear_error_and_the_connection_survives() {
    let room = room();
    let mut phone = Phone::connect(&room).await;
    let token = phone.join(&room, "Ana", "finance").await;
    let huge_need = "x".repeat(20 * 1024);
    let reply = phone.ask(submit(&token, "sub-0000001", customers_answer("it", 5, &huge_need))).await;
    assert_eq!(reply["code"], "too_large", "{reply}");
    // Still connected, and still able to answer.
    let ack = phone.ask(submit(&token, "sub-0000002", customers_answer("it", 5, "Laptops"))).await;
    assert_eq!(ack["type"], "ack");
    // A message too large to even read closes the connection with 1009.
    phone.send_text("y".repeat(100 * 1024)).await;
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match phone.socket.next().await {
                Some(Ok(Message::Close(Some(frame)))) => return Some(u16::from(frame.code)),
                Some(Ok(_)) => continue,
                _ => return None,
            }
        }
    })
    .await
    .unwrap();
    assert!(closed.is_none() || closed == Some(1009), "{closed:?}");
    // Over HTTP: 413 with the same error.
    let (status, body) = http(room.addr, post(room.addr, &format!("{{\"type\":\"lookup\",\"code\":\"{}\"}}", "A".repeat(17 * 1024)))).await;
    assert_eq!(status, 413);
    assert!(body.contains("too_large"), "{body}");
    assert_eq!(stored_answers(&room), 1, "nothing saved was lost");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_wrong_types_and_unknown_fields_are_named_in_the_error() {
    let room = room();
    let mut phone = Phone::connect(&room).await;
    let token = phone.join(&room, "Ana", "finance").await;
    phone.send_text("{not json".into()).await;
    let reply = phone.next().await;
    assert_eq!(reply["code"], "bad_request", "{reply}");
    let wrong_type = json!({"type": "submit", "token": token, "submission": "sub-0000001",
        "answer": {"question": "customers", "customers": [{"customer": {"unit": "it"}, "two_way": "yes", "rating": "ten"}]}});
    let reply = phone.ask(wrong_type).await;
    assert_eq!(reply["code"], "bad_request");
    assert!(reply["message"].as_str().unwrap().contains("ten"), "{reply}");
    let reply = phone.ask(json!({"type": "lookup", "code": room.code, "admin": true})).await;
    assert_eq!(reply["code"], "bad_request");
    assert!(reply["message"].as_str().unwrap().contains("admin"), "{reply}");
    let reply = phone.ask(json!({"type": "open_round", "round": "thanks"})).await;
    assert_eq!(reply["code"], "bad_request", "trainer actions do not exist over the network: {reply}");
    let reply = phone.ask(submit(&token, "sub-0000002", customers_answer("it", 11, "Laptops"))).await;
    assert_eq!((reply["code"].as_str(), reply["submission"].as_str()), (Some("invalid_input"), Some("sub-0000002")));
    assert!(reply["message"].as_str().unwrap().starts_with("customers[0].rating"), "{reply}");
    let reply = phone.ask(submit(&token, "sub-0000003", customers_answer("nowhere", 5, "x"))).await;
    assert_eq!(reply["code"], "unknown_unit");
    assert_eq!(stored_answers(&room), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_tokens_and_tokens_of_other_workshops_are_refused() {
    let room = room();
    let other = room_in_same_file(&room);
    let mut phone = Phone::connect(&room).await;
    for forged in ["".to_owned(), "0".repeat(64), "<script>".to_owned(), "a".repeat(5000)] {
        let reply = phone.ask(json!({"type": "resume", "token": forged})).await;
        assert_eq!(reply["code"], "bad_token", "{reply}");
    }
    // A token from another workshop (a past session on this laptop) has expired here.
    let stale_token = match other.apply(SessionCommand::Join { code: other.participation().unwrap().code, name: None, unit: "it".into(), manager: false, client: None }) {
        Ok(ripple::session::SessionEvent::ParticipantJoined { token: Some(t), .. }) => t,
        other => panic!("{other:?}"),
    };
    let reply = phone.ask(submit(&stale_token, "sub-0000001", customers_answer("finance", 5, "x"))).await;
    assert_eq!(reply["code"], "bad_token", "{reply}");
    assert!(reply["message"].as_str().unwrap().contains("join"), "the phone is told what to do");
    // The session code of the other workshop does not open this one.
    let reply = phone.ask(json!({"type": "join", "code": other.participation().unwrap().code, "unit": "it"})).await;
    assert_eq!(reply["code"], "bad_code");
}

/// A second workshop in the same database file, live on its own session.
fn room_in_same_file(room: &Room) -> WorkshopSession {
    let mut store = api::open_app_store(&room.db).unwrap();
    let template = api::load_template("demo").unwrap();
    let id = api::create_workshop(&mut store, &template, Some("Other cohort")).unwrap();
    let session = WorkshopSession::start(store, id).unwrap();
    for round in Round::ALL {
        session.apply(SessionCommand::OpenRound { round }).unwrap();
    }
    session
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_the_code_is_slowed_for_that_address_only() {
    let room = room();
    let mut guesser = Phone::connect_from(&room, "127.0.0.2").await;
    for _ in 0..5 {
        let reply = guesser.ask(json!({"type": "lookup", "code": "ZZZZZZ"})).await;
        assert_eq!(reply["code"], "bad_code", "{reply}");
    }
    let reply = guesser.ask(json!({"type": "lookup", "code": "YYYYYY"})).await;
    assert_eq!(reply["code"], "slow_down", "{reply}");
    let wait = reply["retry_ms"].as_u64().unwrap();
    assert!((100..=500).contains(&wait), "{wait}");
    // Even the right code has to wait: the wait is not a hint.
    let reply = guesser.ask(json!({"type": "join", "code": room.code, "unit": "it"})).await;
    assert_eq!(reply["code"], "slow_down");
    // Another phone in the room is not slowed.
    let mut other = Phone::connect_from(&room, "127.0.0.3").await;
    let reply = other.ask(json!({"type": "lookup", "code": room.code})).await;
    assert_eq!(reply["type"], "room");
    // After the wait, each wrong code doubles it.
    tokio::time::sleep(Duration::from_millis(wait + 20)).await;
    let reply = guesser.ask(json!({"type": "lookup", "code": "XXXXXX"})).await;
    assert_eq!(reply["code"], "bad_code");
    let reply = guesser.ask(json!({"type": "lookup", "code": "WWWWWW"})).await;
    assert!(reply["retry_ms"].as_u64().unwrap() > 900, "{reply}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markup_in_every_text_field_is_stored_and_sent_back_as_plain_text() {
    let room = room();
    let mut phone = Phone::connect(&room).await;
    let script = "<script>alert('x')</script><b>bold</b>";
    let reply = phone.ask(json!({"type": "join", "code": room.code, "name": script, "unit": "finance", "manager": true})).await;
    let token = reply["token"].as_str().unwrap().to_owned();
    assert_eq!(reply["me"]["participant"]["name"], script);
    let answers = [
        json!({"question": "customers", "customers": [
            {"customer": {"proposed": script}, "needs": [{"text": script, "category": "quality"}], "two_way": "no", "rating": 3}]}),
        json!({"question": "manager", "morale": script, "team": script}),
        json!({"question": "received_rating", "unit": "it", "rating": 4, "comment": script}),
        json!({"question": "thanks", "unit": "it", "message": script}),
    ];
    for (i, answer) in answers.into_iter().enumerate() {
        let reply = phone.ask(submit(&token, &format!("markup-{i:04}"), answer)).await;
        assert_eq!(reply["type"], "ack", "{reply}");
    }
    let welcome = phone.ask(json!({"type": "resume", "token": token})).await;
    let text = welcome.to_string();
    assert_eq!(text.matches("<script>alert('x')</script><b>bold</b>").count(), 7, "kept as typed, as JSON strings: {text}");
    let results = room.session.participation().unwrap().results;
    assert_eq!(results.thanks[0].message, script);
    assert_eq!(results.proposed[0].name, script);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flooding_phone_is_rate_limited_while_the_others_keep_answering() {
    let room = room();
    let mut flooder = Phone::connect(&room).await;
    let flood_token = flooder.join(&room, "Flood", "it").await;
    let mut others = Vec::new();
    for i in 0..5 {
        let mut phone = Phone::connect(&room).await;
        let token = phone.join(&room, &format!("P{i}"), "finance").await;
        others.push((phone, token));
    }
    let flood = tokio::spawn(async move {
        for i in 0..300 {
            let mut request = submit(&flood_token, &format!("flood-{i:06}"), customers_answer("finance", 5, "spam"));
            request["ref"] = json!(format!("f{i}"));
            flooder.send_text(request.to_string()).await;
        }
        let mut limited = 0;
        let mut acked = 0;
        for _ in 0..300 {
            let reply = flooder.next().await;
            match reply["type"].as_str() {
                Some("ack") => acked += 1,
                _ if reply["code"] == "rate_limited" => {
                    assert!(reply["retry_ms"].as_u64().unwrap() > 0);
                    assert!(reply["ref"].as_str().unwrap().starts_with('f'), "the refused request is named: {reply}");
                    limited += 1
                }
                _ => panic!("{reply}"),
            }
        }
        (acked, limited)
    });
    let mut worst = Duration::ZERO;
    for round in 0..3 {
        for (phone, token) in &mut others {
            let started = Instant::now();
            let reply = phone.ask(submit(token, &format!("honest-{round:04}"), customers_answer("it", 8, "Laptops"))).await;
            assert_eq!(reply["type"], "ack", "{reply}");
            worst = worst.max(started.elapsed());
        }
    }
    let (acked, limited) = flood.await.unwrap();
    assert!(limited >= 250, "most of the flood is refused: {acked} acked, {limited} limited");
    assert!(acked >= 15, "the flooder's burst (less the join) still went through: {acked}");
    assert!(worst < Duration::from_secs(2), "the others were not starved: {worst:?}");
    // Each honest phone's last answer and the flooder's one current answer are kept.
    assert_eq!(stored_answers(&room), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_for_another_host_or_from_another_origin_are_refused() {
    let room = room();
    let (status, body) = http(room.addr, "GET / HTTP/1.1\r\nHost: evil.example:80\r\nConnection: close\r\n\r\n".into()).await;
    assert_eq!(status, 403);
    assert!(body.contains("bad_host"), "{body}");
    let (status, _) = http(room.addr, format!("GET / HTTP/1.1\r\nHost: localhost:{}\r\nConnection: close\r\n\r\n", room.addr.port())).await;
    assert_eq!(status, 200, "localhost is this machine");
    let mut request = format!("ws://{}/ws", room.addr).into_client_request().unwrap();
    request.headers_mut().insert("Origin", "http://evil.example".parse().unwrap());
    let refused = tokio_tungstenite::connect_async(request).await.unwrap_err();
    assert!(refused.to_string().contains("403"), "{refused}");
    let mut request = format!("ws://{}/ws", room.addr).into_client_request().unwrap();
    request.headers_mut().insert("Origin", format!("http://{}", room.addr).parse().unwrap());
    assert!(tokio_tungstenite::connect_async(request).await.is_ok(), "the page's own origin is welcome");
    let form = format!(
        "POST /api HTTP/1.1\r\nHost: {}\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}",
        room.addr
    );
    assert_eq!(http(room.addr, form).await.0, 415, "a cross-site form post is not JSON");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phones_hear_when_a_round_closes_and_when_the_map_changes() {
    let room = room();
    let mut phone = Phone::connect(&room).await;
    let token = phone.join(&room, "Ana", "finance").await;
    room.session.apply(SessionCommand::CloseRound { round: Round::SelfAssessment }).unwrap();
    let news = phone.next().await;
    assert_eq!(news["type"], "welcome", "{news}");
    assert_eq!(news["me"]["rounds"]["self_assessment"], false);
    let reply = phone.ask(submit(&token, "late-000001", customers_answer("it", 5, "x"))).await;
    assert_eq!(reply["code"], "round_closed");
    let mut unit = ripple::workshop::demo_map().units[0].clone();
    unit.id = "night-shift".into();
    unit.name = "Night shift".into();
    room.session.apply(SessionCommand::AddUnit { unit }).unwrap();
    let news = phone.next().await;
    assert_eq!(news["type"], "units");
    assert!(news["units"].as_array().unwrap().iter().any(|u| u["name"] == "Night shift"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn going_offline_tells_the_phones_and_keeps_every_answer() {
    let mut room = room();
    let mut phone = Phone::connect(&room).await;
    let token = phone.join(&room, "Ana", "finance").await;
    phone.ask(submit(&token, "sub-0000001", customers_answer("it", 9, "Laptops"))).await;
    let server = room.server.take().unwrap();
    tokio::task::spawn_blocking(move || server.stop()).await.unwrap();
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match phone.socket.next().await {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => continue,
                _ => return None,
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(closed, Some(1001), "going away");
    assert!(TcpStream::connect(room.addr).await.is_err(), "nothing listens any more");
    assert_eq!(stored_answers(&room), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_predicts_over_the_websocket_and_hears_when_the_ripple_reaches_its_unit() {
    let room = room();
    let mut phone = Phone::connect(&room).await;
    let token = phone.join(&room, "Ana", "customer-service").await;
    let incidents = vec![ripple::engine::Incident::new("finance", 1.0, ripple::engine::IncidentKind::Late)];
    room.session.apply(SessionCommand::StartGameRound { incidents }).unwrap();
    let news = phone.next().await;
    assert_eq!((news["type"].as_str(), news["me"]["game"]["phase"].as_str()), (Some("welcome"), Some("predict")), "{news}");
    let predict = json!({"type": "predict", "token": token, "submission": "pred-000001", "round": 1,
        "prediction": {"units": ["customer-service", "field-engineers"], "customers": true}});
    let ack = phone.ask(predict).await;
    assert_eq!(ack["receipt"]["question"], "prediction:1", "{ack}");
    room.session.apply(SessionCommand::SetGamePhase { round: 1, phase: ripple::game::GamePhase::Ripple }).unwrap();
    let news = phone.next().await;
    let game = &news["me"]["game"];
    assert_eq!(game["phase"], "ripple");
    assert_eq!(game["customers_felt"], true);
    assert!(game["reached_me"]["sentence"].as_str().unwrap().starts_with("Finance is late with"), "{game}");
    let late = json!({"type": "predict", "token": token, "submission": "pred-000002", "round": 1,
        "prediction": {"units": [], "customers": false}});
    assert_eq!(phone.ask(late).await["code"], "round_closed");
}
