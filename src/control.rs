//! The running server's control channel, for commands that need the database while `serve`
//! holds it (sled allows one process at a time). The server listens on a loopback port and
//! writes that address and a random token to `DATA/control` (mode 0600: readable only by the
//! account that runs the server). A command reads the file and sends one line,
//! `TOKEN backup /absolute/dir`; the server answers one line, `ok RECORDS` or `error MESSAGE`.

use crate::storage::{SharedStore, StoreError};
use anyhow::Context;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

const FILE_NAME: &str = "control";
/// A request line longer than this is not one of ours.
const MAX_LINE: u64 = 8192;

pub fn file_in(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE_NAME)
}

/// The listening side, bound when the server is built and served while it runs.
pub struct Channel {
    listener: std::net::TcpListener,
    token: String,
    file: PathBuf,
}

impl Channel {
    /// Binds a loopback port and publishes its address and a fresh token in the data directory.
    pub fn open(data_dir: &Path) -> anyhow::Result<Self> {
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
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let token = self.token.clone();
            let store = store.clone();
            actix_web::rt::spawn(async move {
                if let Err(e) = answer(stream, &token, store).await {
                    tracing::warn!(error = %e, "control request failed");
                }
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
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut line = String::new();
    tokio::io::BufReader::new(read.take(MAX_LINE))
        .read_line(&mut line)
        .await?;
    let reply = match line
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
    };
    write.write_all(reply.as_bytes()).await?;
    write.shutdown().await
}

fn one_line(e: &StoreError) -> String {
    e.to_string().replace(['\r', '\n'], " ")
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
