//! Parsing files that anyone can send (spreadsheets to import, PDFs to check): off the
//! async workers, a few at a time, within a time limit, so a hostile file costs one
//! bounded slot and never the server. The size limits live with each parser
//! (`imports::sheet`, `verification::attachment`); this module bounds how many run at
//! once and for how long a request waits for one.

use std::{io::Read, path::Path, time::Duration};

use tokio::sync::Semaphore;

/// How many uploaded files are parsed at once in this process. Each parse is bounded in
/// memory by its parser's limits, so this bounds the sum; a process-wide count, like the
/// blocking pool it guards, rather than a setting.
static SLOTS: Semaphore = Semaphore::const_new(2);

/// Why a parse gave no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overrun {
    /// No answer within the time limit (waiting for a slot included).
    TimedOut,
    /// The parser panicked: a bug that a hostile file found, logged.
    Crashed,
}

/// Runs `parse` on the blocking pool once a slot is free, and gives up waiting after
/// `limit`. A parse that overruns keeps its slot until it ends, so overrunning parses
/// cannot pile up beyond the slots.
pub async fn parse<T: Send + 'static>(
    limit: Duration,
    parse: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Overrun> {
    let work = async {
        let slot = SLOTS.acquire().await.map_err(|_| Overrun::Crashed)?;
        tokio::task::spawn_blocking(move || {
            let _slot = slot;
            parse()
        })
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "parsing an uploaded file panicked");
            Overrun::Crashed
        })
    };
    tokio::time::timeout(limit, work)
        .await
        .map_err(|_| Overrun::TimedOut)?
}

/// Reads at most `limit` bytes of the file at `path`: `Ok(None)` when it holds more.
pub fn read_file(path: &Path, limit: usize) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() <= limit).then_some(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_parse_answers_a_panic_is_crashed_and_a_slow_one_times_out() {
        assert_eq!(parse(Duration::from_secs(5), || 7).await, Ok(7));
        let crashed = parse(Duration::from_secs(5), || -> u8 {
            panic!("a hostile file")
        });
        assert_eq!(crashed.await, Err(Overrun::Crashed));
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        // Blocks until the test lets it go: no sleeping, no timing assumption.
        let slow = parse(Duration::from_millis(1), move || rx.recv().is_ok());
        assert_eq!(slow.await, Err(Overrun::TimedOut));
        drop(tx);
    }

    #[test]
    fn a_file_over_the_limit_is_not_read_whole() {
        let path = std::env::temp_dir().join(format!("untrusted-{}", uuid::Uuid::new_v4()));
        std::fs::write(&path, [0u8; 10]).expect("write");
        assert_eq!(
            read_file(&path, 10).expect("read").map(|b| b.len()),
            Some(10)
        );
        assert_eq!(read_file(&path, 9).expect("read"), None);
        std::fs::remove_file(path).ok();
    }
}
