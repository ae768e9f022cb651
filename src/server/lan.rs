//! Where participants reach the server: this machine's addresses, the join link
//! and its QR code.

use std::net::IpAddr;

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use super::{JoinInfo, LanAddress};
use crate::error::ApiError;

/// The port the server tries first.
pub const DEFAULT_PORT: u16 = 8765;

/// This machine's IPv4 addresses, the ones phones most likely reach first: private
/// LAN addresses (192.168/16, 10/8, 172.16/12), then other ones, link-local, and
/// loopback last. IPv6 is left out: nobody types it from a projector.
pub fn addresses() -> Vec<LanAddress> {
    let mut found: Vec<(u8, LanAddress)> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|interface| match interface.ip() {
            IpAddr::V4(ip) => {
                let rank = if ip.is_private() {
                    0
                } else if ip.is_loopback() {
                    3
                } else if ip.is_link_local() {
                    2
                } else {
                    1
                };
                Some((rank, LanAddress { ip: ip.to_string(), interface: interface.name.clone(), loopback: ip.is_loopback() }))
            }
            IpAddr::V6(_) => None,
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.interface.cmp(&b.1.interface)));
    found.dedup_by(|a, b| a.1.ip == b.1.ip);
    if !found.iter().any(|(_, a)| a.loopback) {
        found.push((3, LanAddress { ip: "127.0.0.1".into(), interface: "lo".into(), loopback: true }));
    }
    found.into_iter().map(|(_, a)| a).collect()
}

/// The address to serve on when the trainer has not picked one.
pub fn best_address() -> LanAddress {
    addresses().into_iter().next().unwrap_or(LanAddress { ip: "127.0.0.1".into(), interface: "lo".into(), loopback: true })
}

/// The link, the address to type, the code and the QR code for a server at `host:port`.
pub fn join_info(host: IpAddr, port: u16, code: &str) -> Result<JoinInfo, ApiError> {
    let address = match host {
        IpAddr::V6(ip) => format!("[{ip}]:{port}"),
        IpAddr::V4(ip) => format!("{ip}:{port}"),
    };
    let url = format!("http://{address}/?c={code}");
    Ok(JoinInfo { qr_svg: qr_svg(&url)?, url, address, code: code.to_owned() })
}

/// A QR code of `text` as an SVG document: black on white with the quiet zone a
/// phone camera needs, medium error correction (a projector is not always sharp).
pub fn qr_svg(text: &str) -> Result<String, ApiError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|e| ApiError::new("internal", format!("the join link does not fit a QR code: {e}")))?;
    Ok(code
        .render::<svg::Color>()
        .min_dimensions(256, 256)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .quiet_zone(true)
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_lan_addresses_come_first_and_loopback_is_always_there_last() {
        let found = addresses();
        assert!(found.last().unwrap().loopback, "{found:?}");
        assert!(found.iter().any(|a| a.ip == "127.0.0.1"));
        assert!(found.iter().all(|a| a.ip.parse::<std::net::Ipv4Addr>().is_ok()));
        let first_loopback = found.iter().position(|a| a.loopback).unwrap();
        assert!(found[..first_loopback].iter().all(|a| !a.loopback));
    }

    #[test]
    fn the_join_link_carries_the_address_and_the_code_and_its_qr_code_is_an_svg() {
        let info = join_info("192.168.1.20".parse().unwrap(), 8765, "ABC234").unwrap();
        assert_eq!(info.url, "http://192.168.1.20:8765/?c=ABC234");
        assert_eq!(info.address, "192.168.1.20:8765");
        assert!(info.qr_svg.contains("<svg") && info.qr_svg.contains("</svg>"), "{}", &info.qr_svg[..100]);
        // A link of this length fits version 3 at level M: 29 modules a side, coarse
        // enough for a phone across a room.
        let code = QrCode::with_error_correction_level(info.url.as_bytes(), EcLevel::M).unwrap();
        assert_eq!(code.width(), 29);
        assert_ne!(qr_svg("http://a/?c=X").unwrap(), info.qr_svg);
    }
}
