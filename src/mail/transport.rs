//! Where messages go: an SMTP server from `REGISTRY_SMTP_URL` (lettre's URL form:
//! `smtp://user:pass@host:587?tls=required` for STARTTLS, `smtps://…:465` for TLS, plain
//! `smtp://host:port` only for a local relay), or, without one, `.eml` files under the
//! data directory's `mail/` (lettre's file transport).

use std::path::{Path, PathBuf};

use anyhow::Context;
use lettre::{
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    transport::smtp,
};

/// How the server answered an attempt that did not deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Try again later: a 4xx reply, or no usable connection (refused, reset, timed out).
    Temporary(String),
    /// Do not try again: a 5xx reply, or a message the server can never take.
    Permanent(String),
}

/// The configured way out.
#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files {
        dir: PathBuf,
        transport: AsyncFileTransport<Tokio1Executor>,
    },
}

impl std::fmt::Debug for Transport {
    // Never prints the URL: it may carry the server's password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Smtp(_) => f.write_str("Transport::Smtp"),
            Self::Files { dir, .. } => write!(f, "Transport::Files({})", dir.display()),
        }
    }
}

impl Transport {
    /// The SMTP server at `url` (lettre's connection URL), or files under
    /// `data_dir/mail/` when there is none.
    pub fn new(url: Option<&str>, data_dir: &Path) -> anyhow::Result<Self> {
        match url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("REGISTRY_SMTP_URL is not an SMTP URL lettre accepts (smtp://host:port, smtp://user:pass@host:587?tls=required or smtps://user:pass@host:465)")?
                    .timeout(Some(std::time::Duration::from_secs(60)))
                    .build();
                Ok(Self::Smtp(transport))
            }
            None => {
                let dir = data_dir.join("mail");
                // The files hold names, addresses and certificates: owner only.
                crate::private_files::create_dir(&dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                Ok(Self::Files {
                    transport: AsyncFileTransport::new(&dir),
                    dir,
                })
            }
        }
    }

    /// Sends `message`; `Ok` carries the server's answer (or the file written).
    pub async fn send(&self, message: Message) -> Result<String, Refusal> {
        match self {
            Self::Smtp(smtp) => match smtp.send(message).await {
                Ok(response) => Ok(format!(
                    "{} {}",
                    response.code(),
                    response.message().collect::<Vec<_>>().join(" ")
                )),
                Err(e) => Err(classify(&e)),
            },
            Self::Files { dir, transport } => match transport.send(message).await {
                Ok(id) => Ok(format!("written to {}/{id}.eml", dir.display())),
                Err(e) => Err(Refusal::Temporary(format!("writing the .eml file: {e}"))),
            },
        }
    }
}

/// A 5xx reply is final; everything else (4xx, connection, TLS set-up, timeouts) may
/// succeed later.
fn classify(e: &smtp::Error) -> Refusal {
    let answer = e.to_string();
    if e.is_permanent() {
        Refusal::Permanent(answer)
    } else {
        Refusal::Temporary(answer)
    }
}
