//! The `registry` command: see `registry --help` and API.md.

fn main() -> std::process::ExitCode {
    registry::cli::main()
}
