//! Ripple: the library behind the desktop app, the participants' server and the
//! `ripple` command line. All behaviour lives here and is tested without a window.

pub mod agenda;
pub mod api;
pub mod app;
pub mod error;
pub mod export;
pub mod layout;
pub mod live;
pub mod loadtest;
pub mod org;
pub mod participants;
pub mod scorecard;
pub mod server;
pub mod session;
pub mod store;
pub mod workshop;
pub mod analysis;
pub mod cycle;
pub mod engine;
pub mod game;
pub mod generate;
pub mod mapio;
