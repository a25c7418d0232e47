//! Who the client is: the socket peer, or, when the peer is one of the configured trusted
//! proxies, the address that proxy forwarded (the rightmost hop that is not itself a
//! trusted proxy, so a client cannot choose its address by sending hops of its own).
//! Rate limits, sign-in throttling and the request log all use this one address.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequestParts, Request},
    http::{HeaderMap, request::Parts},
};

use crate::config::ForwardedHeader;

/// The client a request comes from, put on every request by [`identify`]; an IPv4
/// address written as IPv6 is its IPv4 address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// For a request that reached a handler without passing [`identify`] (none does).
    pub const UNKNOWN: Self = Self(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));

    /// The key limits count under: the address itself, or for IPv6 its /64 network, the
    /// block one subscriber is given (so rotating addresses inside it does not help).
    pub fn bucket(self) -> IpAddr {
        match self.0 {
            IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & (u128::MAX << 64))),
            v4 => v4,
        }
    }
}

impl std::fmt::Display for ClientAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The trusted proxies and the header they write.
#[derive(Debug, Clone)]
pub struct Proxies {
    trusted: Vec<ipnet::IpNet>,
    header: ForwardedHeader,
}

impl Proxies {
    pub fn new(trusted: Vec<ipnet::IpNet>, header: ForwardedHeader) -> Self {
        Self { trusted, header }
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.trusted.iter().any(|net| net.contains(&ip))
    }

    /// The client behind a request from `peer` carrying `headers`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> ClientAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return ClientAddr(peer);
        }
        // Right to left: each hop was appended by the one after it; the first hop a
        // trusted proxy did not write is as far as the chain can be believed.
        let mut client = peer;
        for hop in self.hops(headers).into_iter().rev() {
            match hop {
                Some(ip) => {
                    client = canonical(ip);
                    if !self.trusts(client) {
                        break;
                    }
                }
                // An obfuscated or unreadable hop: stop at the last one we could read.
                None => break,
            }
        }
        ClientAddr(client)
    }

    /// Every hop of the configured header, in order, `None` for one that is no address.
    fn hops(&self, headers: &HeaderMap) -> Vec<Option<IpAddr>> {
        let (name, parse): (_, HopParser) = match self.header {
            ForwardedHeader::XForwardedFor => ("x-forwarded-for", x_forwarded_for),
            ForwardedHeader::Forwarded => ("forwarded", forwarded),
        };
        headers
            .get_all(name)
            .iter()
            .flat_map(|v| match v.to_str() {
                Ok(text) => parse(text),
                Err(_) => vec![None],
            })
            .collect()
    }
}

/// Reads the hops of one header value.
type HopParser = fn(&str) -> Vec<Option<IpAddr>>;

/// An IPv4 address written as IPv6 (`::ffff:a.b.c.d`) is the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// `X-Forwarded-For: 203.0.113.7, 10.0.0.2` (an entry may carry a port).
fn x_forwarded_for(value: &str) -> Vec<Option<IpAddr>> {
    value.split(',').map(|hop| address(hop.trim())).collect()
}

/// `Forwarded: for=203.0.113.7;proto=https, for="[2001:db8::1]:4711"` (RFC 7239).
fn forwarded(value: &str) -> Vec<Option<IpAddr>> {
    value
        .split(',')
        .map(|element| {
            element
                .split(';')
                .filter_map(|pair| pair.split_once('='))
                .find(|(key, _)| key.trim().eq_ignore_ascii_case("for"))
                .and_then(|(_, node)| address(node.trim().trim_matches('"')))
        })
        .collect()
}

/// An address with or without a port: `a.b.c.d`, `a.b.c.d:p`, `v6`, `[v6]`, `[v6]:p`.
fn address(text: &str) -> Option<IpAddr> {
    if let Ok(ip) = text.parse() {
        return Some(ip);
    }
    if let Ok(socket) = text.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    text.strip_prefix('[')
        .and_then(|rest| rest.split(']').next())
        .and_then(|inner| inner.parse().ok())
}

/// The layer that works out the client of each request once and puts it on the request
/// (a plain mapping of the request: nothing is boxed or allocated per request).
pub fn identify(
    proxies: Proxies,
) -> tower::util::MapRequestLayer<impl FnMut(Request) -> Request + Clone> {
    let proxies = std::sync::Arc::new(proxies);
    tower::util::MapRequestLayer::new(move |mut req: Request| {
        let peer = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(ClientAddr::UNKNOWN.0, |c| c.0.ip());
        let client = proxies.client(peer, req.headers());
        req.extensions_mut().insert(client);
        req
    })
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(of(parts))
    }
}

/// The client of the request in `parts`.
pub fn of(parts: &Parts) -> ClientAddr {
    parts
        .extensions
        .get::<ClientAddr>()
        .copied()
        .unwrap_or(ClientAddr::UNKNOWN)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn proxies(header: ForwardedHeader) -> Proxies {
        let trusted = ["10.0.0.0/8", "192.0.2.1/32", "2001:db8:ffff::/48"]
            .iter()
            .map(|n| n.parse().unwrap())
            .collect();
        Proxies::new(trusted, header)
    }

    fn client(header: ForwardedHeader, peer: &str, values: &[(&'static str, &str)]) -> String {
        let mut headers = HeaderMap::new();
        for (name, value) in values {
            headers.append(*name, HeaderValue::from_str(value).unwrap());
        }
        proxies(header)
            .client(peer.parse().unwrap(), &headers)
            .to_string()
    }

    #[test]
    fn the_rightmost_hop_a_trusted_proxy_did_not_write_is_the_client() {
        let xff = ForwardedHeader::XForwardedFor;
        let cases = [
            // (peer, header, client)
            ("203.0.113.5", "198.51.100.1", "203.0.113.5"),
            ("10.0.0.2", "198.51.100.1", "198.51.100.1"),
            ("10.0.0.2", "6.6.6.6, 198.51.100.1", "198.51.100.1"),
            ("10.0.0.2", "198.51.100.1, 10.9.9.9", "198.51.100.1"),
            ("10.0.0.2", "10.1.1.1, 10.9.9.9", "10.1.1.1"),
            ("10.0.0.2", "garbage, 198.51.100.1:5555", "198.51.100.1"),
            ("10.0.0.2", "198.51.100.1, garbage", "10.0.0.2"),
            ("::ffff:10.0.0.2", "::ffff:198.51.100.1", "198.51.100.1"),
            ("2001:db8:ffff::1", "[2001:db8::7]:443", "2001:db8::7"),
        ];
        for (peer, header, expected) in cases {
            assert_eq!(
                client(xff, peer, &[("x-forwarded-for", header)]),
                expected,
                "{peer} {header}"
            );
        }
        assert_eq!(client(xff, "10.0.0.2", &[]), "10.0.0.2", "no header");
        assert_eq!(
            client(
                xff,
                "10.0.0.2",
                &[
                    ("x-forwarded-for", "6.6.6.6"),
                    ("x-forwarded-for", "198.51.100.1")
                ]
            ),
            "198.51.100.1",
            "repeated headers are one list"
        );
    }

    #[test]
    fn the_forwarded_header_is_read_by_its_for_parameter() {
        let fwd = ForwardedHeader::Forwarded;
        let cases = [
            ("for=198.51.100.1", "198.51.100.1"),
            ("For=\"198.51.100.1:80\";proto=https", "198.51.100.1"),
            ("for=6.6.6.6, for=\"[2001:db8::7]:4711\"", "2001:db8::7"),
            ("for=198.51.100.1;by=10.0.0.2, for=10.3.3.3", "198.51.100.1"),
            ("for=_hidden, for=10.3.3.3", "10.3.3.3"),
            ("for=unknown", "10.0.0.2"),
        ];
        for (header, expected) in cases {
            assert_eq!(
                client(fwd, "10.0.0.2", &[("forwarded", header)]),
                expected,
                "{header}"
            );
        }
        assert_eq!(
            client(fwd, "10.0.0.2", &[("x-forwarded-for", "198.51.100.1")]),
            "10.0.0.2",
            "the header the proxy does not write is ignored"
        );
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_block() {
        let a = ClientAddr("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = ClientAddr("2001:db8:1:2:bbbb::9".parse().unwrap());
        assert_eq!(a.bucket(), b.bucket());
        assert_eq!(a.bucket().to_string(), "2001:db8:1:2::");
        let v4 = ClientAddr("198.51.100.1".parse().unwrap());
        assert_eq!(v4.bucket(), v4.0);
    }
}
