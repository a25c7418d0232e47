//! The HTTP edge under attack: sign-in floods, slow clients, forwarded addresses behind a
//! proxy, security headers and refusals on pages, holder-match budgets, owner-only files
//! and log floods. Distinct clients are distinct loopback addresses (127.0.0.x), so no
//! proxy is needed to tell them apart.

mod connections;
mod files;
mod pages;
mod proxies;
mod sign_in;

use std::net::{IpAddr, Ipv4Addr};

/// An HTTP client whose connections come from `127.0.0.<last>`.
pub fn client_from(last: u8) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last)))
        .build()
        .expect("a client")
}
