//! Token totals over many responses and a cost estimate from a price table.
//! Cached tokens are part of `input_tokens` and reasoning tokens part of
//! `output_tokens`: each token is counted once. It knows prices, not clocks.

use std::collections::BTreeMap;

use crate::types::{ChatCompletion, ChatCompletionChunk, ChatUsage, Completion, Response, Usage};

/// What carries Chat Completions-style usage (a chat completion, one of its
/// stream chunks, a legacy completion): its model and the usage, when sent.
pub trait ChatUsageMember {
    fn chat_usage(&self) -> Option<(&str, &ChatUsage)>;
}

macro_rules! chat_usage_member {
    ($($t:ty),*) => {$(
        impl ChatUsageMember for $t {
            fn chat_usage(&self) -> Option<(&str, &ChatUsage)> {
                Some((self.model.as_deref().unwrap_or(""), self.usage.get()?))
            }
        }
    )*};
}

chat_usage_member!(ChatCompletion, ChatCompletionChunk, Completion);

/// USD per one million tokens.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Price {
    pub input: f64,
    pub cached_input: f64,
    pub output: f64,
}

impl Price {
    pub const fn new(input: f64, cached_input: f64, output: f64) -> Self {
        Price {
            input,
            cached_input,
            output,
        }
    }

    /// `(input - cached) x input + cached x cached_input + output x output`.
    pub fn cost(&self, usage: &TokenCounts) -> f64 {
        let uncached = usage.input_tokens.saturating_sub(usage.cached_input_tokens);
        (uncached as f64 * self.input
            + usage.cached_input_tokens as f64 * self.cached_input
            + usage.output_tokens as f64 * self.output)
            / 1_000_000.0
    }
}

/// Model prices; callers add or override entries.
#[derive(Clone, Debug, PartialEq)]
pub struct PriceTable(BTreeMap<String, Price>);

impl Default for PriceTable {
    fn default() -> Self {
        let mut t = BTreeMap::new();
        for (model, price) in [
            ("codex-mini-latest", Price::new(1.50, 0.375, 6.00)),
            ("gpt-4.1", Price::new(2.00, 0.50, 8.00)),
            ("gpt-4.1-mini", Price::new(0.40, 0.10, 1.60)),
            ("o3", Price::new(2.00, 0.50, 8.00)),
            ("o4-mini", Price::new(1.10, 0.275, 4.40)),
            ("gpt-5", Price::new(1.25, 0.125, 10.00)),
            ("gpt-5-codex", Price::new(1.25, 0.125, 10.00)),
            ("gpt-5-mini", Price::new(0.25, 0.025, 2.00)),
        ] {
            t.insert(model.to_owned(), price);
        }
        PriceTable(t)
    }
}

impl PriceTable {
    /// An empty table.
    pub fn empty() -> Self {
        PriceTable(BTreeMap::new())
    }

    /// Adds or replaces a model's price.
    pub fn set(&mut self, model: impl Into<String>, price: Price) {
        self.0.insert(model.into(), price);
    }

    /// The price of `model`: exact, or exact after removing a `-YYYY-MM-DD`
    /// snapshot date (so `gpt-4.1-mini` never gets `gpt-4.1`'s price).
    pub fn price(&self, model: &str) -> Option<Price> {
        self.0
            .get(model)
            .or_else(|| self.0.get(strip_date(model)?))
            .copied()
    }
}

/// `gpt-4.1-2025-04-14` → `gpt-4.1`.
fn strip_date(model: &str) -> Option<&str> {
    // Checked on bytes first: the model name is the server's, and slicing it
    // off a char boundary would panic (a non-ASCII name is legal).
    let b = model.as_bytes();
    let date = b.get(b.len().checked_sub(11)?..)?;
    let shape = date[0] == b'-' && date[5] == b'-' && date[8] == b'-';
    let digits = date[1..]
        .iter()
        .enumerate()
        .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    // All eleven bytes are ASCII, so the cut is on a char boundary.
    (shape && digits).then(|| &model[..b.len() - 11])
}

/// Token counts, each counted once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TokenCounts {
    pub input_tokens: u64,
    pub cached_input_tokens: u64,
    pub output_tokens: u64,
    pub reasoning_tokens: u64,
    pub total_tokens: u64,
}

impl TokenCounts {
    /// The counts of one response's `usage`.
    pub fn from_usage(u: &Usage) -> Self {
        let input = u.input_tokens.copied().unwrap_or(0);
        let output = u.output_tokens.copied().unwrap_or(0);
        TokenCounts {
            input_tokens: input,
            cached_input_tokens: u
                .input_tokens_details
                .get()
                .and_then(|d| d.cached_tokens.copied())
                .unwrap_or(0),
            output_tokens: output,
            reasoning_tokens: u
                .output_tokens_details
                .get()
                .and_then(|d| d.reasoning_tokens.copied())
                .unwrap_or(0),
            total_tokens: u
                .total_tokens
                .copied()
                .unwrap_or(input.saturating_add(output)),
        }
    }

    /// The counts of a `usage` object as JSON, without the typed model: a
    /// response's (`input_tokens`, ...) or, with `chat`, a chat or legacy
    /// completion's (`prompt_tokens`, ...). A member of another kind counts 0.
    pub fn from_json(usage: &serde_json::Value, chat: bool) -> Self {
        // A count past 2^53 arrives from JavaScript as a float: saturated
        // (`as` does), like every sum here.
        let n = |path: &[&str]| {
            let v = path.iter().try_fold(usage, |v, k| v.get(k))?;
            v.as_u64()
                .or_else(|| v.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
        };
        let (input, output, cached, reasoning) = if chat {
            (
                n(&["prompt_tokens"]),
                n(&["completion_tokens"]),
                n(&["prompt_tokens_details", "cached_tokens"]),
                n(&["completion_tokens_details", "reasoning_tokens"]),
            )
        } else {
            (
                n(&["input_tokens"]),
                n(&["output_tokens"]),
                n(&["input_tokens_details", "cached_tokens"]),
                n(&["output_tokens_details", "reasoning_tokens"]),
            )
        };
        let (input, output) = (input.unwrap_or(0), output.unwrap_or(0));
        TokenCounts {
            input_tokens: input,
            cached_input_tokens: if chat { 0 } else { cached.unwrap_or(0) },
            output_tokens: output,
            reasoning_tokens: if chat { 0 } else { reasoning.unwrap_or(0) },
            total_tokens: n(&["total_tokens"]).unwrap_or(input.saturating_add(output)),
        }
    }

    /// The counts of a chat or legacy completion's `usage`.
    pub fn from_chat_usage(u: &ChatUsage) -> Self {
        let input = u.prompt_tokens.copied().unwrap_or(0);
        let output = u.completion_tokens.copied().unwrap_or(0);
        TokenCounts {
            input_tokens: input,
            output_tokens: output,
            total_tokens: u
                .total_tokens
                .copied()
                .unwrap_or(input.saturating_add(output)),
            ..Default::default()
        }
    }

    /// Adds counts, saturating: a server's absurd numbers never overflow.
    fn add(&mut self, o: &TokenCounts) {
        self.input_tokens = self.input_tokens.saturating_add(o.input_tokens);
        self.cached_input_tokens = self
            .cached_input_tokens
            .saturating_add(o.cached_input_tokens);
        self.output_tokens = self.output_tokens.saturating_add(o.output_tokens);
        self.reasoning_tokens = self.reasoning_tokens.saturating_add(o.reasoning_tokens);
        self.total_tokens = self.total_tokens.saturating_add(o.total_tokens);
    }
}

/// Running totals over many responses.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UsageTotals {
    pub responses: u64,
    pub tokens: TokenCounts,
    /// Cost of the responses whose model has a price.
    pub priced_cost_usd: f64,
    /// Models seen without a price.
    pub unpriced_models: Vec<String>,
    pub by_model: BTreeMap<String, TokenCounts>,
}

impl TokenCounts {
    /// As JSON, with the field names the shells show.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "input_tokens": self.input_tokens,
            "cached_input_tokens": self.cached_input_tokens,
            "output_tokens": self.output_tokens,
            "reasoning_tokens": self.reasoning_tokens,
            "total_tokens": self.total_tokens,
        })
    }
}

impl UsageTotals {
    /// The totals as JSON, what both shells' `usage()` show: `responses`,
    /// `tokens`, `cost_usd` (null while a model has no price),
    /// `unpriced_models`, `by_model`.
    pub fn to_json(&self) -> serde_json::Value {
        let by_model: serde_json::Map<String, serde_json::Value> = self
            .by_model
            .iter()
            .map(|(m, c)| (m.clone(), c.to_json()))
            .collect();
        serde_json::json!({
            "responses": self.responses,
            "tokens": self.tokens.to_json(),
            "cost_usd": self.cost_usd(),
            "unpriced_models": self.unpriced_models,
            "by_model": by_model,
        })
    }

    /// Adds one response's usage (responses without usage count, add nothing).
    pub fn add_response(&mut self, response: &Response, prices: &PriceTable) {
        let model = response.model.as_deref().unwrap_or("");
        match response.usage.get() {
            Some(u) => self.add(model, &TokenCounts::from_usage(u), prices),
            None => self.responses += 1,
        }
    }

    /// Adds counts for `model`.
    pub fn add(&mut self, model: &str, counts: &TokenCounts, prices: &PriceTable) {
        self.responses += 1;
        self.tokens.add(counts);
        self.by_model
            .entry(model.to_owned())
            .or_default()
            .add(counts);
        match prices.price(model) {
            Some(p) => self.priced_cost_usd += p.cost(counts),
            None => {
                if !self.unpriced_models.iter().any(|m| m == model) {
                    self.unpriced_models.push(model.to_owned());
                }
            }
        }
    }

    /// The estimated cost in USD, or `None` ("unknown") when any model had
    /// no price: never a wrong number.
    pub fn cost_usd(&self) -> Option<f64> {
        self.unpriced_models
            .is_empty()
            .then_some(self.priced_cost_usd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(input: u64, cached: u64, output: u64, reasoning: u64) -> TokenCounts {
        TokenCounts {
            input_tokens: input,
            cached_input_tokens: cached,
            output_tokens: output,
            reasoning_tokens: reasoning,
            total_tokens: input.saturating_add(output),
        }
    }

    #[test]
    fn cached_and_reasoning_tokens_are_counted_once() {
        let p = PriceTable::default().price("gpt-5").unwrap();
        // 1M input of which 400k cached, 100k output of which 60k reasoning.
        let cost = p.cost(&counts(1_000_000, 400_000, 100_000, 60_000));
        let expected = 0.6 * 1.25 + 0.4 * 0.125 + 0.1 * 10.0;
        assert!((cost - expected).abs() < 1e-12, "{cost} != {expected}");
    }

    #[test]
    fn dated_snapshots_match_their_base_and_nothing_else() {
        let t = PriceTable::default();
        assert_eq!(t.price("gpt-4.1-2025-04-14"), t.price("gpt-4.1"));
        assert_eq!(t.price("gpt-4.1-mini").unwrap().input, 0.40);
        assert_eq!(t.price("gpt-4.1-mini-2025-04-14").unwrap().input, 0.40);
        assert_eq!(t.price("gpt-4.1-nano"), None);
        assert_eq!(t.price("gpt-4.1-2025-04"), None);
        assert_eq!(t.price("o4-mini").unwrap().cached_input, 0.275);
    }

    #[test]
    fn a_non_ascii_model_name_is_looked_up_not_sliced() {
        let t = PriceTable::default();
        // Byte len - 11 falls inside a multi-byte char in each of these.
        for model in ["modèle-é2025-04-14", "é2025-04-14", "ééééééé", "ééééééééé"]
        {
            let b = model.as_bytes();
            assert!(!model.is_char_boundary(b.len() - 11), "{model}");
            assert_eq!(t.price(model), None, "{model}");
        }
        assert_eq!(t.price("gpt-4.1-2025-04-1é"), None);
        assert_eq!(t.price("modèle"), None);
    }

    #[test]
    fn absurd_token_counts_saturate() {
        let mut totals = UsageTotals::default();
        let prices = PriceTable::default();
        let huge = counts(u64::MAX, u64::MAX, u64::MAX, u64::MAX);
        totals.add("gpt-5-mini", &huge, &prices);
        totals.add("gpt-5-mini", &huge, &prices);
        assert_eq!(totals.tokens.input_tokens, u64::MAX);
        assert_eq!(totals.tokens.total_tokens, u64::MAX);
        assert!(totals.cost_usd().unwrap().is_finite());
    }

    #[test]
    fn totals_and_unknown_models() {
        let mut totals = UsageTotals::default();
        let mut prices = PriceTable::default();
        totals.add("gpt-5-mini", &counts(1000, 0, 500, 0), &prices);
        totals.add(
            "gpt-5-mini-2025-08-07",
            &counts(1000, 500, 500, 100),
            &prices,
        );
        assert_eq!(totals.tokens.input_tokens, 2000);
        assert_eq!(totals.tokens.reasoning_tokens, 100);
        let expected =
            (1000.0 * 0.25 + 500.0 * 2.0 + 500.0 * 0.25 + 500.0 * 0.025 + 500.0 * 2.0) / 1e6;
        assert!((totals.cost_usd().unwrap() - expected).abs() < 1e-12);
        totals.add("my-local-model", &counts(10, 0, 10, 0), &prices);
        assert_eq!(totals.cost_usd(), None);
        prices.set("my-local-model", Price::new(0.0, 0.0, 0.0));
        let mut again = UsageTotals::default();
        again.add("my-local-model", &counts(10, 0, 10, 0), &prices);
        assert_eq!(again.cost_usd(), Some(0.0));
    }

    #[test]
    fn from_a_response_usage_object() {
        let r: Response = serde_json::from_str(
            r#"{"model":"o3","usage":{"input_tokens":10,"input_tokens_details":{"cached_tokens":4},"output_tokens":5,"output_tokens_details":{"reasoning_tokens":2},"total_tokens":15}}"#,
        )
        .unwrap();
        let mut totals = UsageTotals::default();
        totals.add_response(&r, &PriceTable::default());
        assert_eq!(totals.tokens, counts(10, 4, 5, 2));
        assert_eq!(totals.responses, 1);
    }
}
