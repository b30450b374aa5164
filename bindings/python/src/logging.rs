//! Forwards the client's `tracing` events to Python's `logging` (logger
//! "rapidresponse"), when OPENAI_LOG or RAPIDRESPONSE_LOG asks for it. The
//! events carry methods, URLs, statuses and delays, never headers or keys.

use pyo3::prelude::*;
use std::fmt::Write as _;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

struct PythonLogging {
    max: Level,
}

struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0.push_str(value);
        } else {
            let _ = write!(self.0, " {}={value}", field.name());
        }
    }
}

impl Subscriber for PythonLogging {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= &self.max && metadata.target().starts_with("rapidresponse")
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut message = Message(String::new());
        event.record(&mut message);
        let level = match *event.metadata().level() {
            Level::ERROR => 40,
            Level::WARN => 30,
            Level::INFO => 20,
            _ => 10,
        };
        Python::attach(|py| {
            let _ = (|| -> PyResult<()> {
                let logger = py
                    .import("logging")?
                    .call_method1("getLogger", ("rapidresponse",))?;
                logger.call_method1("log", (level, message.0))?;
                Ok(())
            })();
        });
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// Installs the forwarding at `level` ("debug" or "info"); once per process.
#[pyfunction]
pub fn enable_logging(level: &str) -> bool {
    let max = match level {
        "debug" | "trace" => Level::DEBUG,
        _ => Level::INFO,
    };
    tracing::subscriber::set_global_default(PythonLogging { max }).is_ok()
}
