//! `rapidresponse "prompt"`: streams the answer to stdout as it arrives and
//! prints token usage and the estimated cost to stderr. With no API key and
//! no base URL configured it answers from the embedded mock server.

use clap::{Parser, Subcommand};
use futures_util::StreamExt;
use rapidresponse::{
    CallOptions, Client, ClientConfig, CreateResponse, Error, Item, NativeTransport,
    ReasoningConfig, ResponseStreamEvent,
};
use std::io::Write;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "rapidresponse",
    version,
    about = "Stream an answer from the OpenAI Responses API"
)]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// The prompt (its words are joined with spaces).
    prompt: Vec<String>,
    #[arg(long, default_value = "codex-mini-latest")]
    model: String,
    #[arg(long)]
    instructions: Option<String>,
    #[arg(long)]
    temperature: Option<f64>,
    #[arg(long)]
    max_output_tokens: Option<i64>,
    /// minimal, low, medium or high
    #[arg(long)]
    reasoning_effort: Option<String>,
    #[arg(long)]
    previous_response_id: Option<String>,
    /// A profile of Codex's config.toml ($CODEX_HOME or ~/.codex)
    #[arg(long, global = true)]
    profile: Option<String>,
    /// Print every event (or object) as a JSON line.
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print a stored response.
    Get { id: String },
    /// Cancel a background response.
    Cancel { id: String },
    /// Delete a stored response.
    Delete { id: String },
    /// List a response's input items.
    Items { id: String },
    /// List the models this key can use (one id a line; --json: objects).
    Models,
}

/// The client, the profile's default model, and the mock server when one
/// was started (kept alive while the client runs).
struct Connection {
    client: Client<NativeTransport>,
    profile_model: Option<String>,
    _server: Option<rapidresponse_mock::MockServer>,
}

fn connect(cli: &Cli) -> Result<Connection, Error> {
    if let Some(profile) = &cli.profile {
        let (client, profile_model) = Client::from_profile(profile)?;
        return Ok(Connection {
            client,
            profile_model,
            _server: None,
        });
    }
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    match (var("OPENAI_API_KEY"), var("OPENAI_BASE_URL")) {
        (Some(_), _) => Ok(Connection {
            client: Client::from_env()?,
            profile_model: None,
            _server: None,
        }),
        // A local server (Ollama, vLLM, LM Studio) needs no key.
        (None, Some(url)) => Ok(Connection {
            client: Client::new(ClientConfig::new(None, url))?,
            profile_model: None,
            _server: None,
        }),
        (None, None) => {
            let server = rapidresponse_mock::MockServer::start();
            eprintln!(
                "rapidresponse: no OPENAI_API_KEY or OPENAI_BASE_URL set: answering from the embedded mock server at {}",
                server.url()
            );
            Ok(Connection {
                client: Client::new(ClientConfig::new(None, server.url()))?,
                profile_model: None,
                _server: Some(server),
            })
        }
    }
}

async fn run(cli: Cli) -> Result<(), Error> {
    let Connection {
        client,
        profile_model,
        _server,
    } = connect(&cli)?;
    let mut out = std::io::stdout().lock();
    let terminal = std::io::IsTerminal::is_terminal(&out);
    let show = |text: &str| -> String {
        if terminal {
            escape_controls(text)
        } else {
            text.to_owned()
        }
    };
    match &cli.command {
        Some(Command::Get { id }) => {
            let r = client.responses().retrieve(id).await?;
            print_object(&mut out, cli.json, &r.parsed, &show(&r.output_text()));
        }
        Some(Command::Cancel { id }) => {
            let r = client.responses().cancel(id).await?;
            let status = r.status.get().map(|s| s.to_string()).unwrap_or_default();
            print_object(
                &mut out,
                cli.json,
                &r.parsed,
                &show(&format!("{id}: {status}")),
            );
        }
        Some(Command::Delete { id }) => {
            let r = client.responses().delete(id).await?;
            print_object(&mut out, cli.json, &r.parsed, &format!("{id}: deleted"));
        }
        Some(Command::Items { id }) => {
            let mut items = Box::pin(client.responses().input_items().list_all(
                id,
                Vec::new(),
                CallOptions::default(),
            ));
            while let Some(item) = items.next().await {
                let item: Item = item?;
                let _ = writeln!(out, "{}", serde_json::to_string(&item).unwrap_or_default());
            }
        }
        Some(Command::Models) => {
            let list = client.models().list().await?;
            for model in list.data.get().map(Vec::as_slice).unwrap_or_default() {
                let id = model.id.as_deref().unwrap_or_default();
                print_object(&mut out, cli.json, model, &show(id));
            }
        }
        None => {
            let prompt = cli.prompt.join(" ");
            if prompt.trim().is_empty() {
                return Err(Error::Config(
                    "give a prompt: rapidresponse \"Write FizzBuzz in Python\"".into(),
                ));
            }
            let model = if cli.model == "codex-mini-latest" {
                profile_model.unwrap_or(cli.model.clone())
            } else {
                cli.model.clone()
            };
            let mut req = CreateResponse::new(model, prompt);
            if let Some(i) = &cli.instructions {
                req.instructions = i.clone().into();
            }
            if let Some(t) = cli.temperature {
                req.temperature = t.into();
            }
            if let Some(m) = cli.max_output_tokens {
                req.max_output_tokens = m.into();
            }
            if let Some(e) = &cli.reasoning_effort {
                req.reasoning = ReasoningConfig {
                    effort: e.clone().into(),
                    ..Default::default()
                }
                .into();
            }
            if let Some(p) = &cli.previous_response_id {
                req.previous_response_id = p.clone().into();
            }
            let mut stream = client.responses().create_stream(req).await?;
            while let Some(event) = stream.next().await {
                let event = event?;
                if cli.json {
                    let _ = writeln!(out, "{}", event.data);
                } else if let ResponseStreamEvent::OutputTextDelta(d) = &event.event {
                    let _ = out.write_all(show(d.delta.as_deref().unwrap_or("")).as_bytes());
                    let _ = out.flush();
                }
            }
            if !cli.json {
                let _ = writeln!(out);
            }
            let id = stream.accumulator().response_id().unwrap_or("").to_owned();
            eprintln!("{}", for_stderr(&usage_line(&client, &id)));
        }
    }
    Ok(())
}

fn print_object<T: serde::Serialize>(out: &mut impl Write, json: bool, value: &T, text: &str) {
    if json {
        let _ = writeln!(out, "{}", serde_json::to_string(value).unwrap_or_default());
    } else {
        let _ = writeln!(out, "{text}");
    }
}

fn usage_line(client: &Client<NativeTransport>, id: &str) -> String {
    let u = client.usage();
    let t = u.tokens;
    let cost = match u.cost_usd() {
        Some(c) => format!("estimated cost ${c:.6}"),
        None => format!(
            "cost unknown (no price for {})",
            u.unpriced_models.join(", ")
        ),
    };
    format!(
        "{id} tokens: {} input ({} cached), {} output ({} reasoning), {} total; {cost}",
        t.input_tokens, t.cached_input_tokens, t.output_tokens, t.reasoning_tokens, t.total_tokens
    )
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("rapidresponse: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rapidresponse: {}", for_stderr(&e.to_string()));
            ExitCode::FAILURE
        }
    }
}

/// Server text as a terminal should get it: control characters other than
/// newline and tab (ESC sequences that move the cursor, retitle the window
/// or write to the clipboard, a bare carriage return) escaped, `\u{1b}`.
fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` escaped when stderr is a terminal (model names and error
/// messages come from the server).
fn for_stderr(text: &str) -> String {
    if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        escape_controls(text)
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::escape_controls;

    #[test]
    fn control_sequences_are_escaped_newlines_and_tabs_kept() {
        let hostile = "ok\n\tline\x1b]52;c;ZXZpbA==\x07\x1b[2J\r\u{9b}31m é";
        let shown = escape_controls(hostile);
        assert_eq!(
            shown,
            "ok\n\tline\\u{1b}]52;c;ZXZpbA==\\u{7}\\u{1b}[2J\\r\\u{9b}31m é"
        );
        assert!(!shown
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t'));
    }
}
