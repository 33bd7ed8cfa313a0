//! The league command line: argument parsing, commands, logging and exit codes.
pub fn main() -> std::process::ExitCode {
    std::process::ExitCode::SUCCESS
}
