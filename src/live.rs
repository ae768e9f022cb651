//! The projector's feed of live results: a room answering at once commits hundreds
//! of answers a second, far more than a window can draw, so changes are coalesced —
//! the first after a quiet spell goes out at once, then at most one per interval,
//! always the results as they stand.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::ApiError;
use crate::session::{Participation, SessionEvent, SessionHandle};

/// How often the projector hears of new results while answers pour in.
pub const PROJECTOR_INTERVAL: Duration = Duration::from_millis(100);

/// Runs until dropped (or until its session ends).
pub struct ProjectorFeed {
    stopped: Arc<AtomicBool>,
}

/// Does this change alter what the projector shows of the room?
fn changes_results(event: &SessionEvent) -> bool {
    matches!(
        event,
        SessionEvent::ParticipantJoined { .. }
            | SessionEvent::AnswersChanged { .. }
            | SessionEvent::RoundChanged { .. }
            | SessionEvent::GameChanged { .. }
            | SessionEvent::MapChanged { .. }
            | SessionEvent::CyclesChanged { .. }
    )
}

impl ProjectorFeed {
    /// Calls `emit` (on the feed's own thread) with the participation as it stands
    /// after each burst of changes, at most once per `interval`. `emit` is also told
    /// when the participation it sends was read.
    pub fn start(
        session: SessionHandle,
        interval: Duration,
        mut emit: impl FnMut(Participation, Instant) + Send + 'static,
    ) -> Result<ProjectorFeed, ApiError> {
        let stopped = Arc::new(AtomicBool::new(false));
        let (changed, changes) = channel::<()>();
        let still_wanted = Arc::clone(&stopped);
        session.subscribe_fn(move |event| {
            if still_wanted.load(Ordering::Relaxed) {
                return false;
            }
            !changes_results(event) || changed.send(()).is_ok()
        })?;
        let halted = Arc::clone(&stopped);
        std::thread::Builder::new()
            .name("projector-feed".into())
            .spawn(move || {
                // Ends when the session drops its subscribers (it ended, or this feed stopped).
                let mut pending = false;
                let mut sent: Option<u64> = None;
                loop {
                    if !pending && changes.recv().is_err() {
                        return;
                    }
                    while changes.try_recv().is_ok() {}
                    if halted.load(Ordering::Relaxed) {
                        return;
                    }
                    let read_at = Instant::now();
                    let Ok(participation) = session.participation() else { return };
                    // Already sent as it stands (the change came in while it was being read).
                    if sent == Some(participation.seq) {
                        pending = false;
                        continue;
                    }
                    sent = Some(participation.seq);
                    emit(participation, read_at);
                    // Whatever arrives meanwhile waits for the interval to pass.
                    pending = false;
                    let next = read_at + interval;
                    while let Some(left) = next.checked_duration_since(Instant::now()).filter(|d| !d.is_zero()) {
                        match changes.recv_timeout(left) {
                            Ok(()) => pending = true,
                            Err(RecvTimeoutError::Timeout) => {}
                            Err(RecvTimeoutError::Disconnected) => return,
                        }
                    }
                }
            })
            .map_err(|e| ApiError::new("internal", format!("cannot start the projector's feed: {e}")))?;
        Ok(ProjectorFeed { stopped })
    }
}

impl Drop for ProjectorFeed {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::participants::Round;
    use crate::session::{SessionCommand, WorkshopSession};
    use std::sync::Mutex;

    #[test]
    fn a_burst_of_changes_reaches_the_projector_coalesced_and_the_last_state_always_arrives() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::api::open_app_store(&dir.path().join("ripple.db")).unwrap();
        let id = store.list_workshops().unwrap()[0].id;
        let session = WorkshopSession::start(store, id).unwrap();
        let heard: Arc<Mutex<Vec<(u64, Instant)>>> = Arc::default();
        let sink = Arc::clone(&heard);
        // Timed by when each emission was read, which is what the feed spaces out (the
        // callback itself may run late on a loaded machine).
        let _feed = ProjectorFeed::start(session.handle(), Duration::from_millis(50), move |p, read_at| {
            sink.lock().unwrap().push((p.seq, read_at));
        })
        .unwrap();
        let code = session.participation().unwrap().code;
        let first = Instant::now();
        session.apply(SessionCommand::OpenRound { round: Round::SelfAssessment }).unwrap();
        for _ in 0..40 {
            session.apply(SessionCommand::Join { code: code.clone(), name: None, unit: "it".into(), manager: false, client: None }).unwrap();
        }
        let last_seq = session.participation().unwrap().seq;
        let deadline = Instant::now() + Duration::from_secs(5);
        while heard.lock().unwrap().last().map(|h| h.0) != Some(last_seq) {
            assert!(Instant::now() < deadline, "the last state never arrived: {:?}", heard.lock().unwrap());
            std::thread::sleep(Duration::from_millis(5));
        }
        let emitted = heard.lock().unwrap().clone();
        assert!(emitted.len() < 41, "coalesced: {} emissions for 41 changes", emitted.len());
        assert!(emitted[0].1 - first < Duration::from_millis(500), "the first change goes out at once");
        for pair in emitted.windows(2) {
            assert!(pair[1].1 - pair[0].1 >= Duration::from_millis(50), "at most one per interval: {emitted:?}");
            assert!(pair[1].0 > pair[0].0, "each emission is newer");
        }
        // A rename is not a change to the results: nothing more is sent.
        session.apply(SessionCommand::Rename { name: "Renamed".into() }).unwrap();
        std::thread::sleep(Duration::from_millis(120));
        assert_eq!(heard.lock().unwrap().len(), emitted.len());
    }
}
