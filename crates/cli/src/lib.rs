//! The `league` command line: the operations layer over the library crates.
//!
//! ```text
//! args ─▶ commands ─▶ pipeline ─▶ store ─▶ config
//!                        │           └──▶ hash, clock, fsio, retry, fault
//!                        └──▶ records (feature `records`), quality
//! ```
//!
//! - [`args`]: the clap types only.
//! - `commands/`: one module per command, each a short function over the ones below.
//! - `pipeline/`: a run from inputs to a promoted release (`report`, `run`, `backfill`; `score`
//!   shares its session).
//! - `store/`: the output root ([`store::OutputRoot`]): the only code that joins a path under it.
//! - `config/`: the methodology, register, thresholds, limits, publication details, data
//!   directory and job files, each loaded once ([`config::Setup`]).
//!
//! This crate is the only place that reads the environment (`RUST_LOG`) or the clock, or
//! decides exit codes; the library crates take paths and options as parameters. Every failure
//! is printed with one line per cause and mapped to an [`ExitClass`].

use std::process::ExitCode;

use clap::Parser as _;

mod args;
mod clock;
mod commands;
mod config;
mod error;
mod fault;
mod fsio;
mod hash;
mod logging;
mod pipeline;
mod quality;
#[cfg(feature = "records")]
mod records;
#[cfg(not(feature = "records"))]
#[path = "records_off.rs"]
mod records;
mod retry;
mod store;

pub use error::ExitClass;
/// The fault-injection points the crash tests kill the process at (see `LEAGUE_KILL_AT`).
pub use fault::POINTS as FAULT_POINTS;

/// Entry point used by the `league` binary.
pub fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    logging::init();
    match commands::dispatch(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let class = error::exit_class(&e);
            let mut causes = e.chain().map(|c| c.to_string()).filter(|c| !c.is_empty());
            if let Some(top) = causes.next() {
                eprintln!("error: {top}");
            }
            for c in causes {
                eprintln!("  caused by: {c}");
            }
            ExitCode::from(class as u8)
        }
    }
}
