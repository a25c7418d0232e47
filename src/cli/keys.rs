//! `registry keys`: rotating the credential signing key and printing the DID document.
//! A rotation starts from the ring the database records (the one every instance uses)
//! and records the rotated ring, so instances still on the old ring refuse to start until
//! they have the new `keys/signing/`.

use clap::Subcommand;

use crate::{
    certificates::credential::{KeyRing, did_web},
    clock::Now,
    config::Config,
    instance,
    startup::{open_database, signing_keys},
};

#[derive(Subcommand)]
pub(super) enum KeysCommand {
    /// Make a new current signing key; the old one stays published in did.json as
    /// retired, so credentials it signed keep verifying. The database records the new
    /// ring: restart every server with this `keys/signing/` afterwards.
    Rotate,
    /// Print the DID document (current and retired keys).
    Show,
}

pub(super) async fn run(config: &Config, command: KeysCommand, now: Now) -> anyhow::Result<()> {
    let mut ring = signing_keys(config)?;
    if let KeysCommand::Rotate = command {
        rotate(config, &mut ring, now).await?;
    }
    println!("{:#}", ring.did_document(&did_web(&config.base_url)));
    Ok(())
}

/// Rotates the signing key of a ring that matches the one recorded in the database, and
/// records the rotated ring.
async fn rotate(config: &Config, ring: &mut KeyRing, now: Now) -> anyhow::Result<()> {
    let db = open_database(config).await?;
    let shared = instance::Shared {
        signing: Some(ring),
        ..Default::default()
    };
    instance::ensure_shared(&db, &shared, now).await?;
    ring.rotate(&config.data_dir)
        .map_err(|e| anyhow::anyhow!("rotating the signing key: {e}"))?;
    instance::record_signing_keys(&db, ring, now).await?;
    println!(
        "新的签名密钥：{}（已登记到数据库；请用同一 keys/signing/ 重启各实例）",
        ring.current().id
    );
    Ok(())
}
