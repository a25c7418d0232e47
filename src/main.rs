//! The `registry` command: see `registry --help` and docs/API.md.

fn main() -> std::process::ExitCode {
    registry::cli::main()
}
