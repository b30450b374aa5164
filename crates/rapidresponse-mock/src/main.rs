//! The `rapidresponse-mock` command: starts the mock server on a port,
//! prints `listening on http://127.0.0.1:N/v1` and serves until killed. It
//! has no other options than the port and the API key.

use std::io::Write;
use std::process::ExitCode;

use rapidresponse_mock::{MockOptions, MockServer};

const USAGE: &str = "usage: rapidresponse-mock --port N [--api-key K]\n\
    Serves the OpenAI Responses API mock on 127.0.0.1:N (0 picks a free port).";

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<MockOptions, String> {
    let mut options = MockOptions::default();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
            None => (arg, None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or(format!("{name} needs a value"))
        };
        match name.as_str() {
            "--port" | "-p" => {
                let text = value()?;
                options.port = Some(text.parse().map_err(|_| format!("invalid port '{text}'"))?);
            }
            "--api-key" => options.api_key = Some(value()?),
            "--help" | "-h" => return Err(String::new()),
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    Ok(options)
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(options) => options,
        Err(why) if why.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(why) => {
            eprintln!("rapidresponse-mock: {why}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let server = match MockServer::start_with(options) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("rapidresponse-mock: cannot listen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout();
    // Test harnesses wait for this line, so it must not sit in a buffer.
    let _ = writeln!(stdout, "listening on {}", server.url());
    let _ = stdout.flush();
    loop {
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<MockOptions, String> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn reads_port_and_key() {
        let options = parse(&["--port", "8080", "--api-key=sk-x"]).unwrap();
        assert_eq!(options.port, Some(8080));
        assert_eq!(options.api_key.as_deref(), Some("sk-x"));
        assert!(parse(&["--port"]).is_err());
        assert!(parse(&["--port", "x"]).is_err());
        assert!(parse(&["--bogus"]).is_err());
        assert_eq!(parse(&["--help"]).unwrap_err(), "");
    }
}
