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
