//! The `league` binary: a thin shell over [`league_cli`].

fn main() -> std::process::ExitCode {
    league_cli::main()
}
