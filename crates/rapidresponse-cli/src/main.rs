//! `rapidresponse "prompt"`: streams the answer to stdout as it arrives and
//! prints token usage and the estimated cost to stderr. Piped stdin joins
//! the prompt, `-a` attaches files, `--schema` asks for JSON, `-o` writes
//! the answer to a file, and every exchange is logged (SQLite) for `-c`,
//! `logs` and `usage`. With no API key and no base URL configured it
//! answers from the embedded mock server.

mod history;
mod input;

use clap::{Parser, Subcommand};
use futures_util::StreamExt;
use rapidresponse::{
    CallOptions, Client, ClientConfig, CreateResponse, Error, Item, NativeTransport,
    ResponseStreamEvent,
};
use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use input::UsageError;

const EXIT_CODES: &str = "Exit codes: 0 done; 1 the API or the connection failed; \
2 a usage error (flags, files, schema, log); 3 the response was incomplete or refused.";

#[derive(Parser, Debug)]
#[command(
    name = "rapidresponse",
    version,
    about = "Stream an answer from the OpenAI Responses API",
    after_help = EXIT_CODES
)]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// The prompt (its words are joined with spaces). Piped stdin follows
    /// it after a blank line, or takes the place of a `-` word.
    prompt: Vec<String>,
    /// The model.
    #[arg(short, long, default_value = "codex-mini-latest")]
    model: String,
    /// Instructions (a system prompt).
    #[arg(short = 's', long)]
    instructions: Option<String>,
    /// Sampling temperature (0 to 2).
    #[arg(long)]
    temperature: Option<f64>,
    /// The most tokens the answer may use.
    #[arg(long)]
    max_output_tokens: Option<i64>,
    /// minimal, low, medium or high.
    #[arg(long)]
    reasoning_effort: Option<String>,
    /// Show the model's reasoning summary on stderr: auto, concise or detailed.
    #[arg(long, value_parser = ["auto", "concise", "detailed"])]
    reasoning_summary: Option<String>,
    /// Continue from this response (previous_response_id).
    #[arg(long)]
    previous_response_id: Option<String>,
    /// Attach a file or an http(s) URL (repeatable): images as input_image,
    /// PDFs and other binary files as input_file, text files as input_text
    /// with their name; at most 20 MiB each.
    #[arg(short, long = "attach", value_name = "PATH|URL")]
    attach: Vec<String>,
    /// Answer as JSON that matches this JSON schema (inline, or @file):
    /// strict structured output; only the JSON is printed.
    #[arg(long, value_name = "JSON|@FILE")]
    schema: Option<String>,
    /// Write the final answer to FILE (instead of stdout).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Continue the last logged exchange.
    #[arg(short = 'c', long = "continue")]
    continue_last: bool,
    /// Continue the logged exchange with this log id or response id.
    #[arg(long, value_name = "ID")]
    cid: Option<String>,
    /// Do not log this exchange.
    #[arg(long)]
    no_log: bool,
    /// Ask the server not to store the response (store: false); continuing
    /// it re-sends its items from the log.
    #[arg(long)]
    no_store: bool,
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
    /// List logged exchanges, newest first.
    Logs {
        /// How many.
        #[arg(short = 'n', long, default_value_t = 3)]
        count: usize,
        /// Only those whose prompt or answer contains TEXT.
        #[arg(short, long, value_name = "TEXT")]
        query: Option<String>,
    },
    /// Total tokens and cost of logged exchanges.
    Usage {
        /// From this day on (YYYY-MM-DD, UTC).
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// One line per model or per day.
        #[arg(long, value_parser = ["model", "day"])]
        by: Option<String>,
    },
}

/// How a run fails, and its exit code.
enum Failure {
    /// 1: the API or the connection.
    Api(Error),
    /// 2: flags, files, the schema, the log.
    Usage(String),
    /// 3: the response was incomplete or refused.
    Unfinished(String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        match e {
            Error::Config(why) => Failure::Usage(why),
            Error::ResponseIncomplete(_) => Failure::Unfinished(e.to_string()),
            e => Failure::Api(e),
        }
    }
}

impl From<UsageError> for Failure {
    fn from(e: UsageError) -> Self {
        Failure::Usage(e.0)
    }
}

/// The client, the profile's default model, and the mock server when one
/// was started (kept alive while the client runs).
struct Connection {
    client: Client<NativeTransport>,
    profile_model: Option<String>,
    /// What the log names as the server: the profile, or the base URL
    /// without credentials.
    server: String,
    _server: Option<rapidresponse_mock::MockServer>,
}

fn connect(cli: &Cli) -> Result<Connection, Error> {
    if let Some(profile) = &cli.profile {
        let (client, profile_model) = Client::from_profile(profile)?;
        return Ok(Connection {
            client,
            profile_model,
            server: format!("profile {profile}"),
            _server: None,
        });
    }
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let (client, server) = match (var("OPENAI_API_KEY"), var("OPENAI_BASE_URL")) {
        (Some(_), _) => (Client::from_env()?, None),
        // A local server (Ollama, vLLM, LM Studio) needs no key.
        (None, Some(url)) => (Client::new(ClientConfig::new(None, url))?, None),
        (None, None) => {
            let server = rapidresponse_mock::MockServer::start();
            eprintln!(
                "rapidresponse: no OPENAI_API_KEY or OPENAI_BASE_URL set: answering from the embedded mock server at {}",
                server.url()
            );
            (
                Client::new(ClientConfig::new(None, server.url()))?,
                Some(server),
            )
        }
    };
    let shown = if server.is_some() {
        "embedded mock".to_owned()
    } else {
        without_credentials(&client.config().base_url)
    };
    Ok(Connection {
        client,
        profile_model: None,
        server: shown,
        _server: server,
    })
}

/// A URL without `user:password@` (the log never keeps a secret).
fn without_credentials(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let host = authority.rsplit('@').next().unwrap_or(authority);
            format!("{scheme}://{host}{path}")
        }
        None => url.to_owned(),
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    // The log's commands need no server.
    match &cli.command {
        Some(Command::Logs { count, query }) => return print_logs(&cli, *count, query.as_deref()),
        Some(Command::Usage { since, by }) => {
            return print_usage(&cli, since.as_deref(), by.as_deref())
        }
        _ => {}
    }
    let connection = connect(&cli)?;
    let client = &connection.client;
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
        Some(Command::Logs { .. } | Command::Usage { .. }) => {}
        None => {
            drop(out);
            ask(&cli, &connection).await?;
        }
    }
    Ok(())
}

/// Sends the prompt (with stdin, attachments, a schema, a continuation),
/// streams the answer, logs the exchange.
async fn ask(cli: &Cli, connection: &Connection) -> Result<(), Failure> {
    let client = &connection.client;
    let stdin = input::read_stdin()?;
    let text = input::prompt_text(&cli.prompt, &stdin);
    let attachments = cli
        .attach
        .iter()
        .map(|a| input::attachment(a))
        .collect::<Result<Vec<_>, _>>()?;
    if text.trim().is_empty() && attachments.is_empty() {
        return Err(Failure::Usage(
            "give a prompt: rapidresponse \"Write FizzBuzz in Python\" (or pipe text in)".into(),
        ));
    }
    let continuing = cli.continue_last || cli.cid.is_some();
    let log = if cli.no_log {
        None
    } else {
        match history::Log::open() {
            Ok(log) => Some(log),
            Err(why) if continuing => return Err(Failure::Usage(why)),
            // A log that cannot be written does not stop the prompt.
            Err(why) => {
                eprintln!(
                    "rapidresponse: not logging this exchange: {}",
                    for_stderr(&why)
                );
                None
            }
        }
    };
    let earlier = match (&cli.cid, cli.continue_last) {
        (Some(id), _) => Some(
            open_log(&log)?
                .find(id)
                .map_err(Failure::Usage)?
                .ok_or_else(|| Failure::Usage(format!("no logged exchange {id}")))?,
        ),
        (None, true) => Some(
            open_log(&log)?
                .last()
                .map_err(Failure::Usage)?
                .ok_or_else(|| Failure::Usage("no logged exchange to continue".into()))?,
        ),
        _ => None,
    };
    let model = match (&earlier, cli.model.as_str()) {
        // A continuation keeps its model unless one is given.
        (Some(e), "codex-mini-latest") => e.model.clone(),
        (None, "codex-mini-latest") => connection
            .profile_model
            .clone()
            .unwrap_or_else(|| cli.model.clone()),
        _ => cli.model.clone(),
    };
    let message = input::user_message(&text, attachments.clone());
    let mut items: Vec<Value> = Vec::new();
    let mut body = json!({"model": model});
    if let Some(e) = earlier.as_ref().filter(|e| !e.stored) {
        items.extend(e.items.as_array().cloned().unwrap_or_default());
    }
    items.push(message);
    body["input"] = if items.len() == 1 && attachments.is_empty() {
        Value::String(text.clone())
    } else {
        Value::Array(items.clone())
    };
    // A stored exchange goes on by its id; one the server did not store
    // by its items, after the stored response it went on from (if any).
    let previous = match &earlier {
        Some(e) if e.stored => Some(e.response_id.clone()),
        Some(e) => e.previous_response_id.clone(),
        None => None,
    };
    if let Some(id) = &previous {
        body["previous_response_id"] = id.clone().into();
    }
    if let Some(p) = &cli.previous_response_id {
        body["previous_response_id"] = p.clone().into();
    }
    if let Some(i) = &cli.instructions {
        body["instructions"] = i.clone().into();
    }
    if let Some(t) = cli.temperature {
        body["temperature"] = t.into();
    }
    if let Some(m) = cli.max_output_tokens {
        body["max_output_tokens"] = m.into();
    }
    if cli.reasoning_effort.is_some() || cli.reasoning_summary.is_some() {
        let mut reasoning = json!({});
        if let Some(e) = &cli.reasoning_effort {
            reasoning["effort"] = e.clone().into();
        }
        if let Some(s) = &cli.reasoning_summary {
            reasoning["summary"] = s.clone().into();
        }
        body["reasoning"] = reasoning;
    }
    if cli.no_store {
        body["store"] = false.into();
        // Reasoning items re-sent later must carry their encrypted content.
        body["include"] = json!(["reasoning.encrypted_content"]);
    }
    if let Some(spec) = &cli.schema {
        let schema = input::schema(spec)?;
        body["text"] = json!({"format": {
            "type": "json_schema", "name": "output", "schema": schema, "strict": true
        }});
    }
    let request: CreateResponse = serde_json::from_value(body)
        .map_err(|e| Failure::Usage(format!("cannot build the request: {e}")))?;

    let started = std::time::Instant::now();
    let mut spinner = Spinner::start();
    let mut stream = client.responses().create_stream(request).await?;
    let mut out = std::io::stdout().lock();
    let terminal = std::io::IsTerminal::is_terminal(&out);
    let dim = std::io::IsTerminal::is_terminal(&std::io::stderr())
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut unfinished = None;
    let mut in_summary = false;
    while let Some(event) = stream.next().await {
        let event = match event {
            Ok(event) => event,
            Err(e @ Error::ResponseIncomplete(_)) => {
                unfinished = Some(e.to_string());
                break;
            }
            Err(e) => {
                spinner.stop();
                return Err(e.into());
            }
        };
        if cli.json {
            spinner.stop();
            let _ = writeln!(out, "{}", event.data);
            continue;
        }
        match &event.event {
            ResponseStreamEvent::OutputTextDelta(d) => {
                spinner.stop();
                if in_summary {
                    eprintln!();
                    in_summary = false;
                }
                if cli.output.is_none() {
                    let delta = d.delta.as_deref().unwrap_or("");
                    let shown = if terminal {
                        escape_controls(delta)
                    } else {
                        delta.to_owned()
                    };
                    let _ = out.write_all(shown.as_bytes());
                    let _ = out.flush();
                }
            }
            ResponseStreamEvent::ReasoningSummaryTextDelta(d)
                if cli.reasoning_summary.is_some() =>
            {
                spinner.stop();
                in_summary = true;
                let delta = for_stderr(d.delta.as_deref().unwrap_or(""));
                if dim {
                    eprint!("\x1b[2m{delta}\x1b[0m");
                } else {
                    eprint!("{delta}");
                }
            }
            _ => {}
        }
    }
    spinner.stop();
    if in_summary {
        eprintln!();
    }
    let response = stream.snapshot();
    let answer = response.output_text();
    if !cli.json && cli.output.is_none() {
        let _ = writeln!(out);
    }
    if let Some(path) = &cli.output {
        std::fs::write(path, &answer)
            .map_err(|e| Failure::Usage(format!("cannot write {}: {e}", path.display())))?;
    }
    let refusal = refusal_of(&response);
    let id = response.id.as_deref().unwrap_or_default().to_owned();
    eprintln!("{}", for_stderr(&usage_line(client, &id)));

    if let Some(log) = &log {
        let usage = client.usage();
        let t = usage.tokens;
        let mut conversation = items;
        conversation.extend(output_items(&response));
        let exchange = history::Exchange {
            time: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64()),
            model: response.model.as_deref().unwrap_or(&model).to_owned(),
            prompt: text,
            instructions: cli.instructions.clone(),
            response_id: id,
            output: answer,
            status: response
                .status
                .get()
                .map(|s| s.to_string())
                .unwrap_or_default(),
            input_tokens: t.input_tokens as i64,
            cached_tokens: t.cached_input_tokens as i64,
            output_tokens: t.output_tokens as i64,
            reasoning_tokens: t.reasoning_tokens as i64,
            total_tokens: t.total_tokens as i64,
            cost_usd: usage.cost_usd(),
            duration_ms: started.elapsed().as_millis() as i64,
            server: connection.server.clone(),
            stored: !cli.no_store,
            items: Value::Array(conversation),
            previous_response_id: cli.previous_response_id.clone().or(previous),
            ..Default::default()
        };
        if let Err(why) = log.record(&exchange) {
            eprintln!("rapidresponse: {}", for_stderr(&why));
        }
    }
    let incomplete = response.status.get().map(|s| s.to_string()).as_deref() == Some("incomplete");
    if let Some(why) = unfinished.or_else(|| {
        incomplete.then(|| {
            let reason = serde_json::to_value(&response).ok();
            let reason = reason
                .as_ref()
                .and_then(|r| r["incomplete_details"]["reason"].as_str())
                .unwrap_or("unknown");
            format!("the response is incomplete ({reason})")
        })
    }) {
        return Err(Failure::Unfinished(why));
    }
    if let Some(text) = refusal {
        return Err(Failure::Unfinished(format!("the model refused: {text}")));
    }
    Ok(())
}

fn open_log(log: &Option<history::Log>) -> Result<&history::Log, Failure> {
    log.as_ref()
        .ok_or_else(|| Failure::Usage("continuing reads the log: drop --no-log".into()))
}

/// A refusal part's text in the response's output, if the model refused.
fn refusal_of(response: &rapidresponse::Response) -> Option<String> {
    let output = serde_json::to_value(response).ok()?;
    output["output"]
        .as_array()?
        .iter()
        .flat_map(|item| item["content"].as_array().cloned().unwrap_or_default())
        .find(|part| part["type"] == "refusal")
        .map(|part| part["refusal"].as_str().unwrap_or_default().to_owned())
}

/// The response's output items, as input items for a continuation that
/// re-sends them (`store: false`).
fn output_items(response: &rapidresponse::Response) -> Vec<Value> {
    let output = serde_json::to_value(response).unwrap_or_default();
    output["output"].as_array().cloned().unwrap_or_default()
}

/// `rapidresponse logs`: the newest exchanges.
fn print_logs(cli: &Cli, count: usize, query: Option<&str>) -> Result<(), Failure> {
    let log = history::Log::open().map_err(Failure::Usage)?;
    let exchanges = log.list(count, query).map_err(Failure::Usage)?;
    let mut out = std::io::stdout().lock();
    for e in exchanges.iter().rev() {
        if cli.json {
            let _ = writeln!(out, "{}", e.to_json());
            continue;
        }
        let cost = e
            .cost_usd
            .map_or("cost unknown".to_owned(), |c| format!("${c:.6}"));
        let _ = writeln!(
            out,
            "#{} {} {} {} ({} tokens, {cost}, {} ms)",
            e.id, e.when, e.model, e.response_id, e.total_tokens, e.duration_ms
        );
        let _ = writeln!(
            out,
            "> {}",
            escape_controls(&e.prompt).replace('\n', "\n> ")
        );
        let _ = writeln!(out, "{}\n", escape_controls(&e.output));
    }
    Ok(())
}

/// `rapidresponse usage`: token and cost totals.
fn print_usage(cli: &Cli, since: Option<&str>, by: Option<&str>) -> Result<(), Failure> {
    let log = history::Log::open().map_err(Failure::Usage)?;
    let rows = log.usage(since, by).map_err(Failure::Usage)?;
    let mut out = std::io::stdout().lock();
    for row in rows {
        if cli.json {
            let _ = writeln!(out, "{row}");
            continue;
        }
        let cost = row["cost_usd"]
            .as_f64()
            .map_or("cost unknown".to_owned(), |c| format!("${c:.6}"));
        let _ = writeln!(
            out,
            "{}: {} exchanges, {} input ({} cached), {} output ({} reasoning), {} total tokens; {cost}",
            row["key"].as_str().unwrap_or_default(),
            row["exchanges"],
            row["input_tokens"],
            row["cached_tokens"],
            row["output_tokens"],
            row["reasoning_tokens"],
            row["total_tokens"],
        );
    }
    Ok(())
}

/// A spinner on stderr until the first token, on a terminal only.
struct Spinner(
    Option<(
        std::sync::Arc<std::sync::atomic::AtomicBool>,
        std::thread::JoinHandle<()>,
    )>,
);

impl Spinner {
    fn start() -> Spinner {
        if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            return Spinner(None);
        }
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            let frames = ['|', '/', '-', '\\'];
            let mut i = 0;
            while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                eprint!("\r{} ", frames[i % frames.len()]);
                i += 1;
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            eprint!("\r  \r");
        });
        Spinner(Some((stop, handle)))
    }

    fn stop(&mut self) {
        if let Some((stop, handle)) = self.0.take() {
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            let _ = handle.join();
        }
    }
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
    let (code, message) = match runtime.block_on(run(cli)) {
        Ok(()) => return ExitCode::SUCCESS,
        Err(Failure::Api(e)) => (1, e.to_string()),
        Err(Failure::Usage(why)) => (2, why),
        Err(Failure::Unfinished(why)) => (3, why),
    };
    eprintln!("rapidresponse: {}", for_stderr(&message));
    ExitCode::from(code)
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
