//! Behind a trusted proxy the client is the forwarded address (the rightmost hop that is
//! not a trusted proxy); from anyone else a forwarded header is ignored. The verification
//! limit, the holder-match budget and sign-in throttling all key on that client.

use registry::config::ForwardedHeader;
use reqwest::StatusCode;
use serde_json::json;

use super::client_from;
use crate::helpers::TestApp;

/// Looks up an unknown token with the given header; returns the status.
async fn lookup(app: &TestApp, client: &reqwest::Client, header: (&str, &str)) -> StatusCode {
    client
        .get(format!("{}/api/v1/verify/NoSuchToken0000000000A", app.base))
        .header(header.0, header.1)
        .send()
        .await
        .expect("sent")
        .status()
}

/// Sends requests until the first 429; returns how many were answered before it.
async fn answered_before_limit(
    app: &TestApp,
    client: &reqwest::Client,
    header: (&str, &str),
) -> usize {
    for n in 0..20 {
        if lookup(app, client, header).await == StatusCode::TOO_MANY_REQUESTS {
            return n;
        }
    }
    panic!("never limited");
}

async fn behind_proxy(header: ForwardedHeader) -> TestApp {
    TestApp::spawn_with(|c| {
        c.verify_rate_per_minute = 4;
        c.trusted_proxies = vec![
            "127.0.0.1/32".parse().unwrap(),
            "10.0.0.0/8".parse().unwrap(),
        ];
        c.forwarded_header = header;
    })
    .await
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_allowance() {
    let app = behind_proxy(ForwardedHeader::XForwardedFor).await;
    let proxy = client_from(1);
    let first = ("x-forwarded-for", "203.0.113.7");
    assert_eq!(answered_before_limit(&app, &proxy, first).await, 1);
    // The same proxy forwarding another client: that client is not blocked.
    assert_eq!(
        lookup(&app, &proxy, ("x-forwarded-for", "203.0.113.8")).await,
        StatusCode::NOT_FOUND
    );
    // A client cannot escape by prepending hops of its own: the rightmost untrusted hop
    // counts, and trusted proxies in the chain are skipped.
    for spoofed in [
        "198.51.100.1, 203.0.113.7",
        "1.2.3.4, 203.0.113.7, 10.1.2.3",
    ] {
        assert_eq!(
            lookup(&app, &proxy, ("x-forwarded-for", spoofed)).await,
            StatusCode::TOO_MANY_REQUESTS,
            "{spoofed}"
        );
    }
}

#[tokio::test]
async fn the_forwarded_header_is_read_when_configured() {
    let app = behind_proxy(ForwardedHeader::Forwarded).await;
    let proxy = client_from(1);
    let first = ("forwarded", "for=\"[2001:db8::7]:4711\";proto=https");
    assert_eq!(answered_before_limit(&app, &proxy, first).await, 1);
    assert_eq!(
        lookup(&app, &proxy, ("forwarded", "for=203.0.113.9")).await,
        StatusCode::NOT_FOUND
    );
    // X-Forwarded-For is not what this proxy writes, so it is not believed.
    assert_eq!(
        lookup(&app, &proxy, ("x-forwarded-for", "203.0.113.10")).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        lookup(&app, &proxy, ("x-forwarded-for", "203.0.113.11")).await,
        StatusCode::TOO_MANY_REQUESTS,
        "both counted as the proxy itself"
    );
}

#[tokio::test]
async fn a_forwarded_address_from_an_untrusted_peer_is_ignored() {
    let app = behind_proxy(ForwardedHeader::XForwardedFor).await;
    // 127.0.0.2 is not a trusted proxy: its header is a client's claim.
    let stranger = client_from(2);
    let mut statuses = Vec::new();
    for n in 0..4 {
        let forged = format!("203.0.113.{}", 100 + n);
        statuses.push(lookup(&app, &stranger, ("x-forwarded-for", &forged)).await);
    }
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn sign_in_throttling_keys_on_the_forwarded_client() {
    let app = behind_proxy(ForwardedHeader::XForwardedFor).await;
    app.bureau().await;
    let proxy = client_from(1);
    let sign_in = |forwarded: &'static str, login: String| {
        let request = proxy
            .post(format!("{}/api/v1/auth/token", app.base))
            .header("x-forwarded-for", forwarded)
            .json(&json!({"login": login, "password": "guess"}));
        async move { request.send().await.expect("sent").status() }
    };
    // One client behind the proxy guesses at ten logins and is locked out ...
    for n in 0..10 {
        let status = sign_in("203.0.113.20", format!("nobody-{n}")).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            app.clock.advance(chrono::Duration::seconds(20));
            sign_in("203.0.113.20", format!("nobody-{n}")).await;
        }
    }
    assert_eq!(
        sign_in("203.0.113.20", "someone".into()).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // ... while another client of the same proxy is not.
    assert_eq!(
        sign_in("203.0.113.21", "someone".into()).await,
        StatusCode::UNAUTHORIZED
    );
}
