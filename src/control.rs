//! The running server's control channel: how a `newsroom` command reaches the database while
//! `serve` holds it (sled admits one process at a time). The server listens on a loopback port
//! and writes that address and a random token to `DATA/control` (mode 0600: readable only by
//! the account that runs the server). The command's work then runs in the server: the same
//! function of [`crate::commands`] the command would have run in its own process.
//!
//! The exchange is JSON Lines, one value a line, in protocol version [`VERSION`]:
//! - the command sends `{"v":1,"token":"…","request":{"kind":"user_list"}}` (a
//!   [`Request`]); then, for a request that reads input (`import`, `import_wire`), each line
//!   of it as `{"input":"…"}`, and `"end"`, or `{"abort":"why"}` if it could not read it all;
//! - the server answers `{"out":"…"}` (for standard output) and `{"note":"…"}` (a line for
//!   standard error) while the command runs, and ends with `"ok"`, `{"error":"…"}` (the
//!   command failed) or `{"refused":"…"}` (it did not run: a wrong token, an unknown request).
//!
//! Anything that can reach the loopback port may connect, token or not, so the channel guards
//! itself: the token is compared in constant time before the request is looked at; a
//! connection silent for too long is closed; only a few are served at once (others are
//! turned away at once); a line longer than its limit is refused whole rather than cut and run
//! (64 KiB for the request; 16 MiB for a line of input, as a story's body may be 1 MiB and
//! its ninjs document holds it twice, escaped). Input is read as the command consumes it,
//! never held whole, and output is written as it is made, so an import or export of any size
//! takes the memory of a few lines. The log names a request's kind, never its fields (a
//! password hash, a path), and never the replies (a setup link's token).
//!
//! Each connection is served on a blocking thread of its own, as the store's calls block and a
//! command may run for minutes (an export, a backup); a server asked to stop lets a command in
//! flight finish, within the limits above.

use crate::commands::{self, Output, Request, Site};
use crate::storage::{SharedStore, Storage};
use anyhow::Context;
use serde::{Deserialize, Serialize};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::sync::Semaphore;

/// The protocol spoken; a request of another version is refused, not guessed at.
pub const VERSION: u32 = 1;

const FILE_NAME: &str = "control";
/// A request line longer than this is not one of ours.
const MAX_REQUEST: u64 = 64 << 10;
/// A line of input longer than this is refused.
const MAX_INPUT_LINE: u64 = 16 << 20;
/// What is read and dropped of a refused request before the connection closes.
const MAX_DRAIN: u64 = 64 << 10;

/// How long the channel waits for a connection's request, and how many it serves at once.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// How long the command may stay silent while the server waits for a line from it.
    pub idle: Duration,
    /// How long the command may leave the server's output unread (`newsroom export | less`
    /// waits on a person) before the server gives up on it.
    pub stalled: Duration,
    pub connections: usize,
}

impl Default for Limits {
    /// A command sends its lines as soon as it has them; one operator runs one at a time.
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(10),
            stalled: Duration::from_secs(300),
            connections: 4,
        }
    }
}

pub fn file_in(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE_NAME)
}

/// What the command sends first.
#[derive(Serialize, Deserialize)]
struct Envelope<T, R> {
    v: u32,
    token: T,
    request: R,
}

/// A line of the command's input, or its end.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum InputFrame {
    Input(String),
    End,
    Abort(String),
}

/// A line of the server's answer.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Reply<S> {
    Out(S),
    Note(S),
    Ok,
    Error(S),
    Refused(S),
}

// --- The server's side ------------------------------------------------------------------------

/// The listening side, bound when the server is built and served while it runs.
pub struct Channel {
    listener: std::net::TcpListener,
    token: String,
    file: PathBuf,
    storage: Storage,
    limits: Limits,
}

impl Channel {
    /// Binds a loopback port and publishes its address and a fresh token beside the database;
    /// `None` for an engine that any number of processes may open at once.
    pub fn open(storage: &Storage) -> anyhow::Result<Option<Self>> {
        Self::open_with(storage, Limits::default())
    }

    pub fn open_with(storage: &Storage, limits: Limits) -> anyhow::Result<Option<Self>> {
        let Some(data_dir) = storage.sled_dir() else {
            return Ok(None);
        };
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .context("cannot open the control port on 127.0.0.1")?;
        let token = hex::encode(rand::random::<[u8; 32]>());
        let file = file_in(data_dir);
        write_private(&file, &format!("{}\n{token}\n", listener.local_addr()?))
            .with_context(|| format!("cannot write {}", file.display()))?;
        Ok(Some(Self {
            listener,
            token,
            file,
            storage: storage.clone(),
            limits,
        }))
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
        let shared = Arc::new(Shared {
            token: self.token.clone(),
            store,
            storage: self.storage.clone(),
            limits: self.limits,
        });
        loop {
            let mut stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, say: pause rather than spin on a failing accept.
                    tracing::warn!(error = %e, "the control port cannot accept a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            };
            let Ok(slot) = slots.clone().try_acquire_owned() else {
                actix_web::rt::spawn(async move {
                    let busy = reply_line(&Reply::Refused("busy; try again shortly"));
                    let _ = stream.write_all(busy.as_bytes()).await;
                    let _ = stream.shutdown().await;
                });
                continue;
            };
            // A command may read and write for minutes (an export, a backup) and the store's
            // calls block: each connection has a blocking thread of its own.
            let stream = match stream.into_std().and_then(|s| {
                s.set_nonblocking(false)?;
                Ok(s)
            }) {
                Ok(stream) => stream,
                Err(e) => {
                    tracing::warn!(error = %e, "control connection lost");
                    continue;
                }
            };
            let shared = shared.clone();
            actix_web::rt::task::spawn_blocking(move || {
                if let Err(e) = answer(stream, &shared) {
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

/// What every connection's thread needs.
struct Shared {
    token: String,
    store: SharedStore,
    storage: Storage,
    limits: Limits,
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

fn reply_line<S: Serialize>(reply: &Reply<S>) -> String {
    // Strings always serialize; should one not, the command is told so rather than left waiting.
    let mut line = serde_json::to_string(reply)
        .unwrap_or_else(|_| r#"{"error":"the reply could not be written"}"#.to_owned());
    line.push('\n');
    line
}

/// A line read within a limit.
enum Line {
    Text(String),
    TooLong,
    Closed,
}

/// Reads one line of at most `limit` bytes (its end not counted). A longer line is read no
/// further: the caller refuses it.
fn read_line(reader: &mut impl BufRead, limit: u64) -> io::Result<Line> {
    let mut bytes = Vec::new();
    // One byte more than a line may hold tells a line of the limit from a longer one.
    let read = reader.take(limit + 1).read_until(b'\n', &mut bytes)?;
    if read == 0 {
        return Ok(Line::Closed);
    }
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
    } else if read as u64 > limit {
        return Ok(Line::TooLong);
    }
    String::from_utf8(bytes)
        .map(Line::Text)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "a line is not UTF-8"))
}

fn timed_out(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Serves one connection: reads the request, runs it, answers.
fn answer(stream: TcpStream, shared: &Shared) -> io::Result<()> {
    stream.set_read_timeout(Some(shared.limits.idle))?;
    stream.set_write_timeout(Some(shared.limits.stalled))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut replies = Replies(BufWriter::with_capacity(64 << 10, stream.try_clone()?));
    let request = match read_line(&mut reader, MAX_REQUEST) {
        Err(e) if timed_out(&e) => Err(Refusal::new("no request in time", "silent")),
        Err(e) if e.kind() == io::ErrorKind::InvalidData => Err(Refusal::new(
            "not a control request (not UTF-8)",
            "not UTF-8",
        )),
        Err(e) => return Err(e),
        Ok(Line::TooLong) => Err(Refusal::new("request too long", "too long")),
        Ok(Line::Closed) => return Ok(()),
        Ok(Line::Text(line)) => accept(&line, &shared.token),
    };
    // Once the token is shown, what the command sends is read to its end before the
    // connection closes (closing with unread input would reset it, and could lose the reply
    // on its way); of anyone else's, only so much.
    let mut drain = MAX_DRAIN;
    let end = match request {
        Err(refusal) => {
            tracing::warn!(why = refusal.logged, "control request refused");
            Reply::Refused(refusal.said)
        }
        Ok(request) => {
            drain = u64::MAX;
            let kind = request.kind();
            tracing::info!(kind, "running a command for the command line");
            let mut input = InputLines::new(&mut reader, request.takes_input());
            let site = Site {
                store: &*shared.store,
                storage: &shared.storage,
            };
            match commands::run(&site, request, &mut input, &mut replies) {
                Ok(()) => {
                    tracing::info!(kind, "command done");
                    Reply::Ok
                }
                Err(e) => {
                    // The message goes to the command alone: it may name what was typed.
                    tracing::info!(kind, "command failed");
                    Reply::Error(format!("{e:#}"))
                }
            }
        }
    };
    replies.0.write_all(reply_line(&end).as_bytes())?;
    replies.0.flush()?;
    stream.shutdown(Shutdown::Write)?;
    // The command closes its side once it has read the reply, which ends this.
    let _ = io::copy(&mut reader.take(drain), &mut io::sink());
    Ok(())
}

/// Why a request was not run: what the command is told, and what the log says (never a
/// field of the request).
struct Refusal {
    said: String,
    logged: &'static str,
}

impl Refusal {
    fn new(said: impl Into<String>, logged: &'static str) -> Self {
        Self {
            said: said.into(),
            logged,
        }
    }
}

/// The request in `line`, if it carries the token and is one this server knows.
fn accept(line: &str, token: &str) -> Result<Request, Refusal> {
    let envelope: Envelope<String, serde_json::Value> =
        serde_json::from_str(line).map_err(|_| {
            Refusal::new(
                format!(
                    "not a control request (a JSON object with \"v\": {VERSION}, \"token\" \
                     and \"request\")"
                ),
                "not a control request",
            )
        })?;
    if !same(&envelope.token, token) {
        return Err(Refusal::new("wrong token", "wrong token"));
    }
    if envelope.v != VERSION {
        return Err(Refusal::new(
            format!(
                "this server speaks control protocol {VERSION}, the request protocol {}; use \
                 the newsroom binary the server runs",
                envelope.v
            ),
            "another protocol version",
        ));
    }
    let kind = envelope
        .request
        .get("kind")
        .and_then(|k| k.as_str())
        .map(str::to_owned);
    match kind {
        Some(kind) if !Request::KINDS.contains(&kind.as_str()) => Err(Refusal::new(
            format!(
                "unknown request kind {kind:?}; this server knows {}",
                Request::KINDS.join(", ")
            ),
            "unknown request kind",
        )),
        None => Err(Refusal::new(
            "the request has no \"kind\"",
            "no request kind",
        )),
        Some(kind) => serde_json::from_value(envelope.request).map_err(|e| {
            Refusal::new(
                format!("malformed {kind} request: {e}"),
                "malformed request",
            )
        }),
    }
}

/// The command's output as reply lines.
struct Replies<W>(W);

impl<W: Write> Output for Replies<W> {
    fn out(&mut self, text: &str) -> io::Result<()> {
        self.0.write_all(reply_line(&Reply::Out(text)).as_bytes())
    }

    fn note(&mut self, line: &str) -> io::Result<()> {
        self.0
            .write_all(reply_line(&Reply::Note(line)).as_bytes())?;
        // A note is a progress line or a problem: the person waiting sees it now.
        self.0.flush()
    }
}

/// The input lines of a request, read from the connection as the command asks for them.
struct InputLines<'a, R> {
    reader: &'a mut R,
    /// Whether the end (or an abort, or an error) has been read.
    done: bool,
}

impl<'a, R: BufRead> InputLines<'a, R> {
    fn new(reader: &'a mut R, takes_input: bool) -> Self {
        Self {
            reader,
            done: !takes_input,
        }
    }
}

impl<R: BufRead> Iterator for InputLines<'_, R> {
    type Item = io::Result<String>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let failed = |message: String| io::Error::new(io::ErrorKind::InvalidData, message);
        let item = match read_line(self.reader, MAX_INPUT_LINE) {
            Ok(Line::Text(line)) => match serde_json::from_str::<InputFrame>(&line) {
                Ok(InputFrame::Input(line)) => return Some(Ok(line)),
                Ok(InputFrame::End) => {
                    self.done = true;
                    return None;
                }
                Ok(InputFrame::Abort(why)) => Err(failed(why)),
                Err(_) => Err(failed("a line of input is not an input frame".to_owned())),
            },
            Ok(Line::TooLong) => Err(failed(format!(
                "a line of input is longer than {} MiB",
                MAX_INPUT_LINE >> 20
            ))),
            Ok(Line::Closed) => Err(failed("the input ended before its end mark".to_owned())),
            Err(e) => Err(e),
        };
        self.done = true;
        Some(item)
    }
}

// --- The command's side ------------------------------------------------------------------------

/// A running server's control channel, as its data directory's control file names it.
pub struct Server {
    data_dir: PathBuf,
    addr: String,
    token: String,
}

/// Lines of input a command sends, read as they are sent.
pub type OwnedInput = Box<dyn Iterator<Item = io::Result<String>> + Send>;

impl Server {
    /// The server holding `data_dir`, found by the control file it wrote there.
    pub fn find(data_dir: &Path) -> anyhow::Result<Server> {
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
        Ok(Server {
            data_dir: data_dir.to_owned(),
            addr: addr.to_owned(),
            token: token.to_owned(),
        })
    }

    /// Runs `request` in the server, sending `input` as the command reads it, and passes what
    /// the command prints to `output`; fails as the command fails, with its message.
    pub fn run(
        &self,
        request: &Request,
        input: OwnedInput,
        output: &mut dyn Output,
    ) -> anyhow::Result<()> {
        let stream = TcpStream::connect(&self.addr).with_context(|| {
            format!(
                "cannot reach the control port {} of the server holding {}",
                self.addr,
                self.data_dir.display()
            )
        })?;
        let mut writer = BufWriter::new(stream.try_clone()?);
        let envelope = Envelope {
            v: VERSION,
            token: &self.token,
            request,
        };
        serde_json::to_writer(&mut writer, &envelope)?;
        writer.write_all(b"\n")?;
        writer.flush()?;
        std::thread::scope(|scope| {
            // Input is sent while replies are read: a command that notes a problem a line
            // would otherwise fill both directions' buffers and wait on itself.
            let sender = request
                .takes_input()
                .then(|| scope.spawn(move || send_input(writer, input)));
            let answered = self.read_replies(&stream, output);
            // The server closes once it has answered, which ends a sender it stopped reading.
            let _ = stream.shutdown(Shutdown::Both);
            if let Some(sender) = sender {
                let _ = sender.join();
            }
            answered
        })
    }

    fn read_replies(&self, stream: &TcpStream, output: &mut dyn Output) -> anyhow::Result<()> {
        let lost = || {
            format!(
                "the server holding {} stopped answering before the command finished",
                self.data_dir.display()
            )
        };
        for line in BufReader::new(stream).lines() {
            let line = line.with_context(lost)?;
            let reply: Reply<String> = serde_json::from_str(&line).with_context(|| {
                format!(
                    "the server holding {} answered in a form this command does not know",
                    self.data_dir.display()
                )
            })?;
            match reply {
                Reply::Out(text) => output.out(&text)?,
                Reply::Note(line) => output.note(&line)?,
                Reply::Ok => return Ok(()),
                Reply::Error(message) => return Err(anyhow::Error::msg(message)),
                Reply::Refused(why) => anyhow::bail!(
                    "the server holding {} refused the request: {why}",
                    self.data_dir.display()
                ),
            }
        }
        Err(anyhow::anyhow!(lost()))
    }
}

/// Sends each line of `input`, then the end; a line that cannot be read aborts the input with
/// the reason, which the command then reports as it would have in this process.
fn send_input(mut writer: BufWriter<TcpStream>, input: OwnedInput) -> io::Result<()> {
    let mut end = InputFrame::End;
    for line in input {
        match line {
            Ok(line) => {
                serde_json::to_writer(&mut writer, &InputFrame::Input(line))?;
                writer.write_all(b"\n")?;
            }
            Err(e) => {
                end = InputFrame::Abort(e.to_string());
                break;
            }
        }
    }
    serde_json::to_writer(&mut writer, &end)?;
    writer.write_all(b"\n")?;
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;
    use tokio::net::TcpStream;

    /// A channel served on a store in a temp dir; returns its address and token.
    fn serve(limits: Limits) -> (tempfile::TempDir, String, String) {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::Sled {
            dir: dir.path().join("db"),
            cache_bytes: 1 << 20,
        };
        let store: SharedStore =
            crate::storage::open(&storage, crate::clock::Clock::system()).unwrap();
        let channel = Channel::open_with(&storage, limits).unwrap().unwrap();
        let contents = std::fs::read_to_string(file_in(&dir.path().join("db"))).unwrap();
        let mut lines = contents.lines();
        let (addr, token) = (
            lines.next().unwrap().to_owned(),
            lines.next().unwrap().to_owned(),
        );
        actix_web::rt::spawn(channel.serve(store));
        (dir, addr, token)
    }

    fn request(token: &str, request: serde_json::Value) -> String {
        format!(
            "{}\n",
            serde_json::json!({"v": VERSION, "token": token, "request": request})
        )
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
        // Longer than a request may be, yet within what is drained before the connection closes.
        let padding = "/x".repeat(MAX_REQUEST as usize / 2 + 16);
        let line = request(
            &token,
            serde_json::json!({"kind": "backup", "dir": format!("{}{padding}", target.display())}),
        );
        assert_eq!(
            exchange(&addr, line.as_bytes()).await,
            "{\"refused\":\"request too long\"}\n"
        );
        assert!(!target.exists(), "nothing was backed up");
    }

    #[actix_web::test]
    async fn a_request_within_the_limit_is_answered() {
        let (_dir, addr, _token) = serve(Limits::default());
        let line = request("not-the-token", serde_json::json!({"kind": "user_list"}));
        assert_eq!(
            exchange(&addr, line.as_bytes()).await,
            "{\"refused\":\"wrong token\"}\n"
        );
    }

    #[actix_web::test]
    async fn a_request_with_the_token_runs_and_its_output_comes_back() {
        let (_dir, addr, token) = serve(Limits::default());
        let line = request(&token, serde_json::json!({"kind": "user_list"}));
        let reply = exchange(&addr, line.as_bytes()).await;
        let lines: Vec<&str> = reply.lines().collect();
        assert_eq!(lines.len(), 2, "{reply}");
        assert!(lines[0].starts_with("{\"out\":\"USERNAME"), "{reply}");
        assert_eq!(lines[1], "\"ok\"");
    }

    #[actix_web::test]
    async fn an_unknown_kind_and_another_version_are_refused_by_name() {
        let (_dir, addr, token) = serve(Limits::default());
        let unknown = request(&token, serde_json::json!({"kind": "drop_everything"}));
        let reply = exchange(&addr, unknown.as_bytes()).await;
        assert!(
            reply.starts_with("{\"refused\":\"unknown request kind \\\"drop_everything\\\""),
            "{reply}"
        );
        let later = format!(
            "{}\n",
            serde_json::json!({"v": VERSION + 1, "token": token, "request": {"kind": "user_list"}})
        );
        let reply = exchange(&addr, later.as_bytes()).await;
        assert!(reply.contains("control protocol"), "{reply}");
    }

    #[actix_web::test]
    async fn input_that_ends_without_its_end_mark_fails_the_command() {
        let (_dir, addr, token) = serve(Limits::default());
        let line = request(
            &token,
            serde_json::json!({"kind": "import", "source": "f", "section": "world",
                               "base_url": "http://x", "language": "en"}),
        );
        let mut stream = TcpStream::connect(&addr).await.unwrap();
        stream.write_all(line.as_bytes()).await.unwrap();
        stream.write_all(b"{\"input\":\"\"}\n").await.unwrap();
        stream.shutdown().await.unwrap();
        let reply = read_to_close(&mut stream).await;
        assert!(
            reply.contains("cannot read line 2: the input ended before its end mark"),
            "{reply}"
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
            "{\"refused\":\"no request in time\"}\n"
        );
    }

    #[actix_web::test]
    async fn connections_beyond_the_cap_are_turned_away() {
        let limits = Limits {
            idle: Duration::from_secs(600),
            connections: 2,
            ..Limits::default()
        };
        let (_dir, addr, _token) = serve(limits);
        let _first = TcpStream::connect(&addr).await.unwrap();
        let _second = TcpStream::connect(&addr).await.unwrap();
        let mut third = TcpStream::connect(&addr).await.unwrap();
        assert_eq!(
            read_to_close(&mut third).await,
            "{\"refused\":\"busy; try again shortly\"}\n"
        );
    }
}
