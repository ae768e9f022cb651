//! Ripple: the library behind the desktop app, the participants' server and the
//! `ripple` command line. All behaviour lives here and is tested without a window.

pub mod error;
pub mod org;
