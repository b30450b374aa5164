//! The exchange log: every prompt the command sends and what came back
//! (time, model, prompt, response id, final text, usage, cost, duration,
//! the profile or server, never a key) in a SQLite file under the user's
//! data directory (`RAPIDRESPONSE_LOG_DB` moves it). It answers `-c` /
//! `--cid` (what to continue from), `logs` and `usage`. It sends nothing.

use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};
use std::path::PathBuf;

/// One exchange, as logged.
#[derive(Debug, Default, Clone)]
pub struct Exchange {
    pub id: i64,
    /// Unix seconds.
    pub time: f64,
    /// `time` as `YYYY-MM-DD HH:MM:SS` (UTC), as SQLite writes it.
    pub when: String,
    pub model: String,
    pub prompt: String,
    pub instructions: Option<String>,
    pub response_id: String,
    pub output: String,
    pub status: String,
    pub input_tokens: i64,
    pub cached_tokens: i64,
    pub output_tokens: i64,
    pub reasoning_tokens: i64,
    pub total_tokens: i64,
    pub cost_usd: Option<f64>,
    pub duration_ms: i64,
    /// The profile's name or the server's URL (no credentials).
    pub server: String,
    /// Whether the server stored the response (else `items` continues it).
    pub stored: bool,
    /// The conversation so far as input items (its input and output), for
    /// continuing a response the server did not store.
    pub items: Value,
    /// The stored response this one went on from (a continuation of it
    /// sends it again with the items).
    pub previous_response_id: Option<String>,
}

/// The log's file: `RAPIDRESPONSE_LOG_DB`, else `rapidresponse/logs.db`
/// under the data directory (`XDG_DATA_HOME`, `~/.local/share`, macOS's
/// `~/Library/Application Support`, Windows' `%APPDATA%`).
pub fn path() -> Option<PathBuf> {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(p) = var("RAPIDRESPONSE_LOG_DB") {
        return Some(PathBuf::from(p));
    }
    let data = if cfg!(windows) {
        var("APPDATA").map(PathBuf::from)
    } else if cfg!(target_os = "macos") {
        var("HOME").map(|h| PathBuf::from(h).join("Library/Application Support"))
    } else {
        var("XDG_DATA_HOME")
            .map(PathBuf::from)
            .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".local/share")))
    }?;
    Some(data.join("rapidresponse").join("logs.db"))
}

pub struct Log {
    db: Connection,
}

const COLUMNS: &str = "id, time, model, prompt, instructions, response_id, output, status, \
    input_tokens, cached_tokens, output_tokens, reasoning_tokens, total_tokens, cost_usd, \
    duration_ms, server, stored, items, previous_response_id, \
    strftime('%Y-%m-%d %H:%M:%S', time, 'unixepoch')";

impl Log {
    /// Opens (or creates) the log at `path()`.
    pub fn open() -> Result<Log, String> {
        let path = path().ok_or("no data directory: set RAPIDRESPONSE_LOG_DB")?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let db = Connection::open(&path)
            .map_err(|e| format!("cannot open the log {}: {e}", path.display()))?;
        db.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(|e| e.to_string())?;
        db.execute_batch(
            "CREATE TABLE IF NOT EXISTS exchanges (
                id INTEGER PRIMARY KEY,
                time REAL NOT NULL,
                model TEXT NOT NULL,
                prompt TEXT NOT NULL,
                instructions TEXT,
                response_id TEXT NOT NULL,
                output TEXT NOT NULL,
                status TEXT NOT NULL,
                input_tokens INTEGER NOT NULL,
                cached_tokens INTEGER NOT NULL,
                output_tokens INTEGER NOT NULL,
                reasoning_tokens INTEGER NOT NULL,
                total_tokens INTEGER NOT NULL,
                cost_usd REAL,
                duration_ms INTEGER NOT NULL,
                server TEXT NOT NULL,
                stored INTEGER NOT NULL,
                items TEXT NOT NULL,
                previous_response_id TEXT
            );
            CREATE INDEX IF NOT EXISTS exchanges_response ON exchanges(response_id);",
        )
        .map_err(|e| format!("cannot set up the log {}: {e}", path.display()))?;
        Ok(Log { db })
    }

    /// Adds an exchange; its log id.
    pub fn record(&self, e: &Exchange) -> Result<i64, String> {
        self.db
            .execute(
                "INSERT INTO exchanges (time, model, prompt, instructions, response_id, output,
                    status, input_tokens, cached_tokens, output_tokens, reasoning_tokens,
                    total_tokens, cost_usd, duration_ms, server, stored, items, previous_response_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
                params![
                    e.time,
                    e.model,
                    e.prompt,
                    e.instructions,
                    e.response_id,
                    e.output,
                    e.status,
                    e.input_tokens,
                    e.cached_tokens,
                    e.output_tokens,
                    e.reasoning_tokens,
                    e.total_tokens,
                    e.cost_usd,
                    e.duration_ms,
                    e.server,
                    e.stored,
                    e.items.to_string(),
                    e.previous_response_id,
                ],
            )
            .map_err(|e| format!("cannot log the exchange: {e}"))?;
        Ok(self.db.last_insert_rowid())
    }

    /// The newest exchange.
    pub fn last(&self) -> Result<Option<Exchange>, String> {
        self.one(
            &format!("SELECT {COLUMNS} FROM exchanges ORDER BY id DESC LIMIT 1"),
            None,
        )
    }

    /// The exchange with this log id or response id.
    pub fn find(&self, id: &str) -> Result<Option<Exchange>, String> {
        self.one(
            &format!(
                "SELECT {COLUMNS} FROM exchanges WHERE CAST(id AS TEXT) = ?1 OR response_id = ?1
                 ORDER BY id DESC LIMIT 1"
            ),
            Some(id),
        )
    }

    fn one(&self, sql: &str, arg: Option<&str>) -> Result<Option<Exchange>, String> {
        let mut statement = self.db.prepare(sql).map_err(|e| e.to_string())?;
        let found = match arg {
            Some(a) => statement.query_row(params![a], row).optional(),
            None => statement.query_row([], row).optional(),
        };
        found.map_err(|e| format!("cannot read the log: {e}"))
    }

    /// The newest `count` exchanges whose prompt or output contains
    /// `query` (any, without one), newest first.
    pub fn list(&self, count: usize, query: Option<&str>) -> Result<Vec<Exchange>, String> {
        let sql = format!(
            "SELECT {COLUMNS} FROM exchanges
             WHERE ?1 IS NULL OR instr(lower(prompt), lower(?1)) > 0 OR instr(lower(output), lower(?1)) > 0
             ORDER BY id DESC LIMIT ?2"
        );
        let mut statement = self.db.prepare(&sql).map_err(|e| e.to_string())?;
        let rows = statement
            .query_map(params![query, count as i64], row)
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>());
        rows.map_err(|e| format!("cannot read the log: {e}"))
    }

    /// Totals since `since` (`YYYY-MM-DD`, UTC), grouped by `model` or
    /// `day` (one total without): key, exchanges, input, cached, output,
    /// reasoning and total tokens, cost (`None` when an exchange had no price).
    pub fn usage(&self, since: Option<&str>, by: Option<&str>) -> Result<Vec<Value>, String> {
        let key = match by {
            Some("model") => "model",
            Some("day") => "date(time, 'unixepoch')",
            _ => "'all'",
        };
        let sql = format!(
            "SELECT {key}, count(*), sum(input_tokens), sum(cached_tokens), sum(output_tokens),
                    sum(reasoning_tokens), sum(total_tokens),
                    CASE WHEN count(cost_usd) = count(*) THEN sum(cost_usd) END
             FROM exchanges
             WHERE ?1 IS NULL OR time >= unixepoch(?1)
             GROUP BY 1 ORDER BY 1"
        );
        if let Some(date) = since {
            let valid: Option<i64> = self
                .db
                .query_row("SELECT unixepoch(?1)", params![date], |r| r.get(0))
                .map_err(|e| e.to_string())?;
            if valid.is_none() {
                return Err(format!("--since {date}: not a date (YYYY-MM-DD)"));
            }
        }
        let mut statement = self.db.prepare(&sql).map_err(|e| e.to_string())?;
        let rows = statement
            .query_map(params![since], |r| {
                Ok(json!({
                    "key": r.get::<_, String>(0)?,
                    "exchanges": r.get::<_, i64>(1)?,
                    "input_tokens": r.get::<_, i64>(2)?,
                    "cached_tokens": r.get::<_, i64>(3)?,
                    "output_tokens": r.get::<_, i64>(4)?,
                    "reasoning_tokens": r.get::<_, i64>(5)?,
                    "total_tokens": r.get::<_, i64>(6)?,
                    "cost_usd": r.get::<_, Option<f64>>(7)?,
                }))
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>());
        rows.map_err(|e| format!("cannot read the log: {e}"))
    }
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Exchange> {
    Ok(Exchange {
        id: r.get(0)?,
        time: r.get(1)?,
        model: r.get(2)?,
        prompt: r.get(3)?,
        instructions: r.get(4)?,
        response_id: r.get(5)?,
        output: r.get(6)?,
        status: r.get(7)?,
        input_tokens: r.get(8)?,
        cached_tokens: r.get(9)?,
        output_tokens: r.get(10)?,
        reasoning_tokens: r.get(11)?,
        total_tokens: r.get(12)?,
        cost_usd: r.get(13)?,
        duration_ms: r.get(14)?,
        server: r.get(15)?,
        stored: r.get(16)?,
        items: serde_json::from_str(&r.get::<_, String>(17)?).unwrap_or(Value::Null),
        previous_response_id: r.get(18)?,
        when: r.get(19)?,
    })
}

impl Exchange {
    /// The exchange as `logs --json` prints it (the continuation items left out).
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "time": self.time,
            "model": self.model,
            "prompt": self.prompt,
            "instructions": self.instructions,
            "response_id": self.response_id,
            "output": self.output,
            "status": self.status,
            "usage": {
                "input_tokens": self.input_tokens,
                "cached_tokens": self.cached_tokens,
                "output_tokens": self.output_tokens,
                "reasoning_tokens": self.reasoning_tokens,
                "total_tokens": self.total_tokens,
            },
            "cost_usd": self.cost_usd,
            "duration_ms": self.duration_ms,
            "server": self.server,
            "stored": self.stored,
        })
    }
}
