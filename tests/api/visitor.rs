//! A browser without a browser, for page tests over plain HTTP: keeps cookies, follows no
//! redirect, reads hidden fields, signs in through the form. (Real-browser tests are in
//! `browser/`.)

use std::collections::BTreeMap;

use reqwest::{StatusCode, header, redirect::Policy};

use crate::helpers::TestApp;

/// A browser without a browser: keeps cookies, follows no redirect, reads hidden fields.
pub struct Visitor<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    pub cookies: BTreeMap<String, String>,
}

pub struct Answer {
    pub status: StatusCode,
    pub location: Option<String>,
    pub body: String,
    /// SQL statements the request ran, when the server counts them
    /// (`statement_count_header`).
    pub statements: Option<u32>,
}

impl<'a> Visitor<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            client: reqwest::Client::builder()
                .redirect(Policy::none())
                .build()
                .expect("client"),
            cookies: BTreeMap::new(),
        }
    }

    pub async fn send(&mut self, request: reqwest::RequestBuilder) -> Answer {
        let jar: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let request = if jar.is_empty() {
            request
        } else {
            request.header(header::COOKIE, jar.join("; "))
        };
        let response = request.send().await.expect("sent");
        for set in response.headers().get_all(header::SET_COOKIE) {
            let set = set.to_str().expect("ascii cookie");
            let pair = set.split(';').next().expect("pair");
            let (name, value) = pair.split_once('=').expect("name=value");
            let removed = set.contains("Max-Age=0") || value.is_empty();
            if removed {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let statements = response
            .headers()
            .get("x-db-statements")
            .and_then(|v| v.to_str().ok()?.parse().ok());
        Answer {
            statements,
            status: response.status(),
            location: response
                .headers()
                .get(header::LOCATION)
                .map(|v| v.to_str().expect("location").to_owned()),
            body: response.text().await.expect("body"),
        }
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let request = self.client.get(format!("{}{path}", self.app.base));
        self.send(request).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        let request = self
            .client
            .post(format!("{}{path}", self.app.base))
            .form(form);
        self.send(request).await
    }

    /// Signs in through the form; returns the answer to the post.
    pub async fn sign_in(&mut self, login: &str, password: &str) -> Answer {
        let form = self.get("/sign-in").await;
        let csrf = hidden(&form.body, "csrf");
        self.post(
            "/sign-in",
            &[
                ("csrf", &csrf),
                ("login", login),
                ("password", password),
                ("next", "/"),
            ],
        )
        .await
    }
}

/// The value of the hidden input `name` in a page.
pub fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {body}"))
        + marker.len();
    body[start..].split('"').next().expect("value").to_owned()
}

/// Downloads `path` with the visitor's cookies: the status and the bytes.
pub async fn download(
    app: &crate::helpers::TestApp,
    visitor: &Visitor<'_>,
    path: &str,
) -> (reqwest::StatusCode, Vec<u8>) {
    let jar: Vec<String> = visitor
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let response = reqwest::Client::new()
        .get(format!("{}{path}", app.base))
        .header(reqwest::header::COOKIE, jar.join("; "))
        .send()
        .await
        .expect("sent");
    let status = response.status();
    (status, response.bytes().await.expect("bytes").to_vec())
}
