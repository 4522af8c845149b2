//! Who sent a request: the peer itself, or, when the peer is a reverse proxy the operator named
//! (`--trusted-proxy`), the client that proxy says it forwarded. Headers that name a client
//! (`Forwarded`, `X-Forwarded-For`, `X-Forwarded-Proto`) are believed from that proxy alone:
//! from anyone else they are whatever the sender chose to type, and believing them would let
//! one person throttle another's logins or write any address into the log.

use actix_web::HttpRequest;
use actix_web::http::header::HeaderMap;
use std::net::{IpAddr, SocketAddr};

/// The sender of a request as far as it can be trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// The client's address; `None` when not known (a proxy that named no client).
    pub address: Option<IpAddr>,
    /// Whether the client's own request came over HTTPS (to the proxy, behind one).
    pub https: bool,
}

impl Client {
    pub fn of(req: &HttpRequest, trusted: &[IpAddr]) -> Self {
        Self::from_parts(req.peer_addr(), req.headers(), trusted)
    }

    pub fn from_parts(peer: Option<SocketAddr>, headers: &HeaderMap, trusted: &[IpAddr]) -> Self {
        let peer = peer.map(|p| p.ip());
        let direct = Client {
            address: peer,
            https: false,
        };
        if !peer.is_some_and(|p| trusted.contains(&p)) {
            return direct;
        }
        // The proxy appends the address it took the request from: the last element is the
        // one it vouches for (earlier ones came from the client and prove nothing). The
        // `X-Forwarded-*` headers come first: a proxy that sets them (nginx, as
        // docs/deploying.md sets it up) passes a `Forwarded` header the client sent on as it
        // came, so `Forwarded` is read only from a proxy that sets no `X-Forwarded-*`.
        let forwarded = || last_value(headers, "forwarded").map(parse_forwarded);
        let address = match last_value(headers, "x-forwarded-for") {
            Some(value) => parse_address(value),
            None => forwarded().and_then(|f| f.address),
        };
        let proto = match last_value(headers, "x-forwarded-proto") {
            Some(value) => Some(value.to_ascii_lowercase()),
            None => forwarded().and_then(|f| f.proto),
        };
        Client {
            address: address.or(peer),
            https: proto.as_deref() == Some("https"),
        }
    }

    /// The address as text, for throttling and the log.
    pub fn address_text(&self) -> String {
        self.address
            .map_or_else(|| "unknown".into(), |a| a.to_string())
    }
}

/// The last comma-separated element of the last header named `name`.
fn last_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(name)
        .filter_map(|v| v.to_str().ok())
        .next_back()
        .and_then(|v| v.rsplit(',').next())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

struct Forwarded {
    address: Option<IpAddr>,
    proto: Option<String>,
}

/// One element of RFC 7239's `Forwarded`: `for=192.0.2.60;proto=https;by=...`.
fn parse_forwarded(element: &str) -> Forwarded {
    let mut out = Forwarded {
        address: None,
        proto: None,
    };
    for pair in element.split(';') {
        let Some((key, value)) = pair.split_once('=') else {
            continue;
        };
        let value = value.trim().trim_matches('"');
        match key.trim().to_ascii_lowercase().as_str() {
            "for" => out.address = parse_address(value),
            "proto" => out.proto = Some(value.to_ascii_lowercase()),
            _ => {}
        }
    }
    out
}

/// `192.0.2.60`, `192.0.2.60:4711`, `2001:db8::1` or `[2001:db8::1]:4711`.
fn parse_address(raw: &str) -> Option<IpAddr> {
    let raw = raw.trim();
    raw.parse::<IpAddr>()
        .ok()
        .or_else(|| raw.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            raw.strip_prefix('[')
                .and_then(|r| r.split_once(']'))
                .and_then(|(ip, _)| ip.parse().ok())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    const PROXY: &str = "10.0.0.5";

    fn client(peer: &str, headers: &[(&str, &str)]) -> Client {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        let peer: SocketAddr = format!("{peer}:50000").parse().unwrap();
        Client::from_parts(Some(peer), &map, &[PROXY.parse().unwrap()])
    }

    fn ip(raw: &str) -> Option<IpAddr> {
        Some(raw.parse().unwrap())
    }

    #[test]
    fn a_trusted_proxy_names_the_client_it_forwarded() {
        let seen = client(
            PROXY,
            &[
                ("x-forwarded-for", "203.0.113.9, 198.51.100.7"),
                ("x-forwarded-proto", "https"),
            ],
        );
        assert_eq!(
            seen.address,
            ip("198.51.100.7"),
            "the proxy's own entry, last"
        );
        assert!(seen.https);
    }

    #[test]
    fn the_forwarded_header_is_read_from_a_proxy_that_sets_no_x_forwarded_headers() {
        let seen = client(
            PROXY,
            &[(
                "forwarded",
                "for=203.0.113.9, for=\"[2001:db8::1]:4711\";proto=https",
            )],
        );
        assert_eq!(seen.address, ip("2001:db8::1"));
        assert!(seen.https);
    }

    #[test]
    fn a_forwarded_header_the_client_sent_through_nginx_is_not_believed() {
        // nginx appends the peer to X-Forwarded-For and passes the client's Forwarded on.
        let seen = client(
            PROXY,
            &[
                ("forwarded", "for=1.2.3.4;proto=https"),
                ("x-forwarded-for", "198.51.100.7"),
                ("x-forwarded-proto", "http"),
            ],
        );
        assert_eq!(seen.address, ip("198.51.100.7"));
        assert!(!seen.https);
    }

    #[test]
    fn anyone_else_is_who_the_connection_says() {
        let seen = client(
            "203.0.113.50",
            &[
                ("x-forwarded-for", "198.51.100.7"),
                ("forwarded", "for=198.51.100.8;proto=https"),
                ("x-forwarded-proto", "https"),
            ],
        );
        assert_eq!(seen.address, ip("203.0.113.50"));
        assert!(!seen.https);
    }

    #[test]
    fn a_proxy_that_names_no_client_stands_for_it() {
        assert_eq!(client(PROXY, &[]).address, ip(PROXY));
        assert_eq!(
            client(PROXY, &[("x-forwarded-for", "garbage")]).address,
            ip(PROXY)
        );
    }
}
