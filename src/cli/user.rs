//! `newsroom user ...`: accounts from the command line, for the first admin, for scripts and for
//! when no admin can log in. The command runs in [`crate::commands`]; the rules live in
//! [`crate::accounts`].

use super::{Target, no_input};
use crate::auth::password::hash_blocking;
use crate::commands::Request;
use crate::domain::{Initials, Password, Role, Username};
use crate::settings::Settings;
use anyhow::Context;
use std::io::{BufRead, IsTerminal};

#[derive(Debug, clap::Args)]
pub struct UserArgs {
    #[command(subcommand)]
    pub command: UserCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is read from standard input (one line) when it is not a
    /// terminal, and asked for without echo when it is.
    Add {
        #[arg(value_parser = parse_username)]
        username: Username,
        /// What the account may do: writer, editor or admin.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Shown as "Editor: ZD" on stories the account publishes; derived from the username
        /// when not given.
        #[arg(long, value_parser = parse_initials)]
        initials: Option<Initials>,
    },
    /// Set an account's password (read as for `add`) and end its sessions.
    Passwd {
        #[arg(value_parser = parse_username)]
        username: Username,
    },
    /// List every account: username, role, initials and whether it is disabled.
    List,
    /// Disable an account and end its sessions at once.
    Disable {
        #[arg(value_parser = parse_username)]
        username: Username,
    },
    /// Enable a disabled account again.
    Enable {
        #[arg(value_parser = parse_username)]
        username: Username,
    },
    /// Take away an account's second factor (lost phone and recovery codes) and end its
    /// sessions; its owner logs in with the password and sets up a new one.
    #[command(name = "reset-2fa")]
    Reset2fa {
        #[arg(value_parser = parse_username)]
        username: Username,
    },
}

fn parse_username(raw: &str) -> Result<Username, String> {
    Username::parse(raw).map_err(|e| e.to_string())
}

fn parse_role(raw: &str) -> Result<Role, String> {
    Role::parse(raw).map_err(|e| e.to_string())
}

fn parse_initials(raw: &str) -> Result<Initials, String> {
    Initials::parse(raw).map_err(|e| e.to_string())
}

pub fn run(settings: &Settings, args: UserArgs) -> anyhow::Result<()> {
    // Found first, so that a database that cannot be reached is reported before anyone types
    // a password.
    let target = Target::open(settings)?;
    let request = match args.command {
        UserCommand::Add {
            username,
            role,
            initials,
        } => Request::UserAdd {
            password_hash: new_password_hash(&username)?,
            username: username.to_string(),
            role: role.to_string(),
            initials: initials.map(|i| i.to_string()),
        },
        UserCommand::Passwd { username } => Request::UserPasswd {
            password_hash: new_password_hash(&username)?,
            username: username.to_string(),
        },
        UserCommand::List => Request::UserList,
        UserCommand::Disable { username } => Request::UserDisable {
            username: username.to_string(),
        },
        UserCommand::Enable { username } => Request::UserEnable {
            username: username.to_string(),
        },
        UserCommand::Reset2fa { username } => Request::UserReset2fa {
            username: username.to_string(),
        },
    };
    target.run(settings, request, no_input(), std::io::stdout().lock())
}

/// The hash of a new password, read as [`read_new_password`] does. Hashed here, so that the
/// password never leaves this process, even when a running server stores the account.
fn new_password_hash(username: &Username) -> anyhow::Result<String> {
    Ok(hash_blocking(&read_new_password(username)?)?.0)
}

/// A new password: one line of standard input when that is a pipe or file, otherwise typed
/// twice at the terminal without echo.
fn read_new_password(username: &Username) -> anyhow::Result<Password> {
    let raw = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("New password for {username}: "))
            .context("cannot read the password from the terminal")?;
        // Checked before the second prompt, so a short one is not typed twice for nothing.
        Password::new(&first).map_err(password_error)?;
        let again = rpassword::prompt_password("The same password again: ")
            .context("cannot read the password from the terminal")?;
        anyhow::ensure!(
            first == again,
            "the two passwords differ; nothing was changed"
        );
        first
    } else {
        let mut line = String::new();
        let read = std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        anyhow::ensure!(
            read > 0,
            "no password on standard input; give it as one line, or run the command in a terminal"
        );
        line.strip_suffix('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .unwrap_or(&line)
            .to_owned()
    };
    Password::new(&raw).map_err(password_error)
}

fn password_error(e: crate::domain::DomainError) -> anyhow::Error {
    anyhow::anyhow!("{e}; nothing was changed")
}
