//! The running server's control channel, for commands that need the database while `serve`
//! holds it (sled allows one process at a time). The server listens on a loopback port and
//! writes that address and a random token to `DATA/control` (mode 0600: readable only by the
//! account that runs the server). A command reads the file and sends one line,
//! `TOKEN backup /absolute/dir`; the server answers one line, `ok RECORDS` or `error MESSAGE`.
//!
//! Anything that can reach the loopback port may connect, token or not, so the channel guards
//! itself: a connection silent for too long is closed, only a few are served at once (others
//! are turned away at once), and a line longer than any request of ours is refused whole rather
//! than cut and run.

use crate::storage::{SharedStore, StoreError};
use anyhow::Context;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
use tokio::sync::Semaphore;

const FILE_NAME: &str = "control";
/// A request line longer than this is not one of ours.
const MAX_LINE: u64 = 8192;
/// What is read and dropped of a refused request before the connection closes.
const MAX_DRAIN: u64 = 64 << 10;

/// How long the channel waits for a connection's request, and how many it serves at once.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub idle: Duration,
    pub connections: usize,
}

impl Default for Limits {
    /// A command sends its line as soon as it connects; one operator runs one at a time.
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(10),
            connections: 4,
        }
    }
}

pub fn file_in(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE_NAME)
}

/// The listening side, bound when the server is built and served while it runs.
pub struct Channel {
    listener: std::net::TcpListener,
    token: String,
    file: PathBuf,
    limits: Limits,
}

impl Channel {
    /// Binds a loopback port and publishes its address and a fresh token in the data directory.
    pub fn open(data_dir: &Path) -> anyhow::Result<Self> {
        Self::open_with(data_dir, Limits::default())
    }

    pub fn open_with(data_dir: &Path, limits: Limits) -> anyhow::Result<Self> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .context("cannot open the control port on 127.0.0.1")?;
        let token = hex::encode(rand::random::<[u8; 32]>());
        let file = file_in(data_dir);
        write_private(&file, &format!("{}\n{token}\n", listener.local_addr()?))
            .with_context(|| format!("cannot write {}", file.display()))?;
        Ok(Self {
            listener,
            token,
            file,
            limits,
        })
    }

    /// Answers requests until the task is dropped; `Drop` removes the file.
    pub async fn serve(self, store: SharedStore) {
        let listener = match self.listener.try_clone().and_then(|l| {
            l.set_nonblocking(true)?;
            tokio::net::TcpListener::from_std(l)
        }) {
            Ok(listener) => listener,
            Err(e) => {
                tracing::error!(error = %e, "control channel unavailable");
                return;
            }
        };
        let slots = Arc::new(Semaphore::new(self.limits.connections));
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                continue;
            };
            let Ok(slot) = slots.clone().try_acquire_owned() else {
                actix_web::rt::spawn(async move {
                    let _ = stream.write_all(b"error busy\n").await;
                    let _ = stream.shutdown().await;
                });
                continue;
            };
            let token = self.token.clone();
            let store = store.clone();
            let idle = self.limits.idle;
            actix_web::rt::spawn(async move {
                if let Err(e) = answer(stream, &token, store, idle).await {
                    tracing::warn!(error = %e, "control request failed");
                }
                drop(slot);
            });
        }
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.file);
    }
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let _ = std::fs::remove_file(path);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

/// Compares without stopping at the first difference, so timing does not reveal the token.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

async fn answer(
    stream: tokio::net::TcpStream,
    token: &str,
    store: SharedStore,
    idle: Duration,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    // One byte more than a line may hold tells a line of the limit from a longer one.
    let mut reader = tokio::io::BufReader::new(read.take(MAX_LINE + 1));
    let reply = match tokio::time::timeout(idle, reader.read_line(&mut line)).await {
        Err(_) => "error no request in time\n".to_owned(),
        Ok(read) => {
            if read? as u64 > MAX_LINE {
                "error request too long\n".to_owned()
            } else {
                run(&line, token, store).await
            }
        }
    };
    write.write_all(reply.as_bytes()).await?;
    write.shutdown().await?;
    // Closing with unread input would reset the connection and could lose the reply on its
    // way, so what is left of an over-long line is read and dropped, within bounds.
    let mut rest = reader.into_inner().into_inner().take(MAX_DRAIN);
    let _ = tokio::time::timeout(idle, tokio::io::copy(&mut rest, &mut tokio::io::sink())).await;
    Ok(())
}

/// Carries out one request line and gives the reply line.
async fn run(line: &str, token: &str, store: SharedStore) -> String {
    match line
        .trim_end_matches(['\r', '\n'])
        .splitn(3, ' ')
        .collect::<Vec<_>>()[..]
    {
        [given, _, _] | [given, _] if !same(given, token) => "error refused\n".to_owned(),
        [_, "backup", dir] if Path::new(dir).is_absolute() => {
            let dir = PathBuf::from(dir);
            tracing::info!(dir = %dir.display(), "backup requested over the control channel");
            match actix_web::web::block(move || store.backup(&dir)).await {
                Ok(Ok(summary)) => format!("ok {}\n", summary.records()),
                Ok(Err(e)) => format!("error {}\n", one_line(&e)),
                Err(e) => format!("error {e}\n"),
            }
        }
        _ => "error unknown request\n".to_owned(),
    }
}

fn one_line(e: &StoreError) -> String {
    crate::telemetry::chain(e).replace(['\r', '\n'], " ")
}

/// Asks the server running on `data_dir` to back up into `dir`; returns how many records the
/// backup holds.
pub fn request_backup(data_dir: &Path, dir: &Path) -> anyhow::Result<u64> {
    let file = file_in(data_dir);
    let contents = std::fs::read_to_string(&file).with_context(|| {
        format!(
            "a server holds {} but its control file {} cannot be read",
            data_dir.display(),
            file.display()
        )
    })?;
    let mut lines = contents.lines();
    let (Some(addr), Some(token)) = (lines.next(), lines.next()) else {
        anyhow::bail!("the control file {} is malformed", file.display());
    };
    let dir =
        std::path::absolute(dir).with_context(|| format!("cannot resolve {}", dir.display()))?;
    let dir_text = dir
        .to_str()
        .filter(|d| !d.contains(['\n', '\r']))
        .ok_or_else(|| anyhow::anyhow!("the backup directory's name must be one line of UTF-8"))?;
    let mut stream = TcpStream::connect(addr)
        .with_context(|| format!("cannot reach the running server's control port {addr}"))?;
    stream.write_all(format!("{token} backup {dir_text}\n").as_bytes())?;
    let mut reply = String::new();
    BufReader::new(stream).read_line(&mut reply)?;
    let reply = reply.trim_end();
    if let Some(records) = reply.strip_prefix("ok ") {
        return Ok(records.parse().unwrap_or(0));
    }
    match reply.strip_prefix("error ") {
        Some(message) => anyhow::bail!("the running server could not back up: {message}"),
        None => anyhow::bail!("the running server gave no answer to the backup request"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpStream;

    /// A channel served on a store in a temp dir; returns its address and token.
    fn serve(limits: Limits) -> (tempfile::TempDir, String, String) {
        let dir = tempfile::tempdir().unwrap();
        let store: SharedStore =
            Arc::new(crate::storage::SledStore::open(&dir.path().join("db"), 1 << 20).unwrap());
        let channel = Channel::open_with(dir.path(), limits).unwrap();
        let contents = std::fs::read_to_string(file_in(dir.path())).unwrap();
        let mut lines = contents.lines();
        let (addr, token) = (
            lines.next().unwrap().to_owned(),
            lines.next().unwrap().to_owned(),
        );
        actix_web::rt::spawn(channel.serve(store));
        (dir, addr, token)
    }

    /// Sends `request` and reads everything the server sends back before it closes.
    async fn exchange(addr: &str, request: &[u8]) -> String {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(request).await.unwrap();
        read_to_close(&mut stream).await
    }

    async fn read_to_close(stream: &mut TcpStream) -> String {
        let mut reply = String::new();
        // Bounded only so that a server that never closes fails the test instead of hanging it.
        tokio::time::timeout(Duration::from_secs(30), stream.read_to_string(&mut reply))
            .await
            .expect("the server closed the connection")
            .unwrap();
        reply
    }

    #[actix_web::test]
    async fn a_line_longer_than_the_limit_is_refused_not_cut_and_run() {
        let (dir, addr, token) = serve(Limits::default());
        let target = dir.path().join("backup");
        let padding = "/x".repeat(MAX_LINE as usize);
        let request = format!("{token} backup {}{padding}\n", target.display());
        assert_eq!(
            exchange(&addr, request.as_bytes()).await,
            "error request too long\n"
        );
        assert!(!target.exists(), "nothing was backed up");
    }

    #[actix_web::test]
    async fn a_request_within_the_limit_is_answered() {
        let (_dir, addr, _token) = serve(Limits::default());
        assert_eq!(
            exchange(&addr, b"not-the-token backup /tmp/x\n").await,
            "error refused\n"
        );
    }

    #[actix_web::test]
    async fn a_silent_connection_is_closed() {
        let limits = Limits {
            idle: Duration::from_millis(50),
            ..Limits::default()
        };
        let (_dir, addr, _token) = serve(limits);
        let mut silent = TcpStream::connect(&addr).await.unwrap();
        assert_eq!(
            read_to_close(&mut silent).await,
            "error no request in time\n"
        );
    }

    #[actix_web::test]
    async fn connections_beyond_the_cap_are_turned_away() {
        let limits = Limits {
            idle: Duration::from_secs(600),
            connections: 2,
        };
        let (_dir, addr, _token) = serve(limits);
        let _first = TcpStream::connect(&addr).await.unwrap();
        let _second = TcpStream::connect(&addr).await.unwrap();
        let mut third = TcpStream::connect(&addr).await.unwrap();
        assert_eq!(read_to_close(&mut third).await, "error busy\n");
    }
}
