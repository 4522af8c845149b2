use newsroom::cli::Cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::from_args();
    newsroom::telemetry::init(cli.log_format);
    match cli.run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("newsroom: {e:#}");
            ExitCode::FAILURE
        }
    }
}
