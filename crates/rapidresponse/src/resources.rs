//! Resources shaped like the official SDKs: `client.responses().create(..)`,
//! `.chat().completions()`, `.completions()`, and `request(..)` for any
//! other path. Each method names an operation of the core's endpoint table
//! and gives a `Request`: set per-call options on it (`.timeout(..)`,
//! `.header(..)`, `.options(..)`), then `.await` it. The futures own what
//! they need, so they are `'static` and, natively, `Send`.

use futures_util::Stream;
use rapidresponse_core::paging::{next_cursor, PageRule};
use rapidresponse_core::types::{
    ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, CompactedResponse, Completion,
    CompletionRequest, CreateResponse, DeleteResult, InputItemList, InputTokenCount, Item,
    Response,
};
use rapidresponse_core::{Call, Error, Field, Method, Operation, Query, QueryValue, RequestBody};
use rapidresponse_core::{TokenCounts, UsageKind};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::future::IntoFuture;
use std::time::Duration;

use crate::client::{ApiResponse, CallOptions, Client};
use crate::stream::{ChunkStream, ResponseStream};
use crate::transport::{BoxFuture, MaybeSend, Transport};

/// What a typed answer adds to the usage totals, when its operation counts
/// usage (the endpoint table says which do).
pub trait Parsed: DeserializeOwned + MaybeSend + 'static {
    /// The model and token counts of this answer, if it carries them.
    fn usage(&self) -> Option<(&str, TokenCounts)> {
        None
    }
}

impl Parsed for Response {
    fn usage(&self) -> Option<(&str, TokenCounts)> {
        let counts = TokenCounts::from_usage(self.usage.get()?);
        Some((self.model.as_deref().unwrap_or(""), counts))
    }
}

impl Parsed for ChatCompletion {
    fn usage(&self) -> Option<(&str, TokenCounts)> {
        let counts = TokenCounts::from_chat_usage(self.usage.get()?);
        Some((self.model.as_deref().unwrap_or(""), counts))
    }
}

impl Parsed for Completion {
    fn usage(&self) -> Option<(&str, TokenCounts)> {
        let counts = TokenCounts::from_chat_usage(self.usage.get()?);
        Some((self.model.as_deref().unwrap_or(""), counts))
    }
}

impl Parsed for Value {}
impl Parsed for DeleteResult {}
impl Parsed for CompactedResponse {}
impl Parsed for InputItemList {}
impl Parsed for InputTokenCount {}

pub(crate) type Runner<T, O> = fn(Client<T>, Call, CallOptions) -> BoxFuture<Result<O, Error>>;

/// A call not sent yet: set per-call options, then `.await` it (or
/// `.send()` for the future itself, to spawn).
#[must_use = "a request does nothing until it is awaited"]
pub struct Request<T: Transport, O> {
    client: Client<T>,
    call: Result<Call, Error>,
    options: CallOptions,
    runner: Runner<T, O>,
}

impl<T: Transport, O: 'static> Request<T, O> {
    pub(crate) fn new(client: &Client<T>, call: Result<Call, Error>, runner: Runner<T, O>) -> Self {
        Request {
            client: client.clone(),
            call,
            options: CallOptions::default(),
            runner,
        }
    }

    /// All per-call options at once (replacing those set so far).
    pub fn options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }

    /// One timeout for connect, response and read alike.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.options = self.options.timeout(d);
        self
    }

    pub fn max_retries(mut self, n: u32) -> Self {
        self.options.max_retries = Some(n);
        self
    }

    /// A header for this call (`extra_headers`).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.options = self.options.header(name, value);
        self
    }

    /// A query parameter for this call (`extra_query`).
    pub fn extra_query(mut self, name: &str, value: impl Into<QueryValue>) -> Self {
        self.options = self.options.query(name, value);
        self
    }

    /// A body member for this call (`extra_body`).
    pub fn extra_body(mut self, name: &str, value: Value) -> Self {
        self.options = self.options.body(name, value);
        self
    }

    /// One of the method's own query parameters (`include`, `limit`,
    /// `after`, `order`, `starting_after`, ...).
    pub fn param(mut self, name: &str, value: impl Into<QueryValue>) -> Self {
        if let Ok(call) = &mut self.call {
            call.query.push((name.to_owned(), value.into()));
        }
        self
    }

    /// The call's future.
    pub fn send(self) -> BoxFuture<Result<O, Error>> {
        match self.call {
            Ok(call) => (self.runner)(self.client, call, self.options),
            Err(e) => Box::pin(async move { Err(e) }),
        }
    }
}

impl<T: Transport, O: 'static> IntoFuture for Request<T, O> {
    type Output = Result<O, Error>;
    type IntoFuture = BoxFuture<Result<O, Error>>;

    fn into_future(self) -> Self::IntoFuture {
        self.send()
    }
}

/// A JSON answer, its usage counted when the operation counts usage.
pub(crate) fn json<T: Transport, D: Parsed>(
    client: Client<T>,
    call: Call,
    options: CallOptions,
) -> BoxFuture<Result<ApiResponse<D>, Error>> {
    Box::pin(async move {
        let counts = call
            .op
            .endpoint()
            .is_some_and(|e| e.usage != UsageKind::None);
        let answer: ApiResponse<D> = client.call_json(call, options).await?;
        if counts {
            if let Some((model, tokens)) = answer.parsed.usage() {
                client.record_usage(model, &tokens);
            }
        }
        Ok(answer)
    })
}

fn response_stream<T: Transport>(
    client: Client<T>,
    call: Call,
    options: CallOptions,
) -> BoxFuture<Result<ResponseStream<T>, Error>> {
    Box::pin(async move {
        Ok(ResponseStream::new(
            client.call_stream(call, options).await?,
        ))
    })
}

fn chunk_stream<T: Transport, C: DeserializeOwned + 'static>(
    client: Client<T>,
    call: Call,
    options: CallOptions,
) -> BoxFuture<Result<ChunkStream<T, C>, Error>> {
    Box::pin(async move { Ok(ChunkStream::new(client.call_stream(call, options).await?)) })
}

/// A typed body, written once.
fn body_of(value: &impl serde::Serialize) -> Result<RequestBody, Error> {
    serde_json::to_vec(value)
        .map(RequestBody::Bytes)
        .map_err(|e| Error::Config(format!("the request does not serialise: {e}")))
}

pub(crate) fn with_body(op: Operation, value: &impl serde::Serialize) -> Result<Call, Error> {
    Ok(Call::new(op).body(body_of(value)?))
}

impl<T: Transport> Client<T> {
    /// The Responses API.
    pub fn responses(&self) -> Responses<T> {
        Responses {
            client: self.clone(),
        }
    }

    /// Chat Completions (`chat().completions()`).
    pub fn chat(&self) -> Chat<T> {
        Chat {
            client: self.clone(),
        }
    }

    /// Legacy Completions.
    pub fn completions(&self) -> Completions<T> {
        Completions {
            client: self.clone(),
        }
    }

    /// A raw call to any path (files, embeddings, conversations, or
    /// `/codex/...` paths no spec has), answered as JSON (null for an
    /// empty body).
    pub fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Request<T, ApiResponse<Value>> {
        let mut call = Call::new(Operation::Raw(method)).param(path);
        call.body = body.map(RequestBody::Json);
        Request::new(self, Ok(call), json)
    }
}

/// `client.responses()`.
pub struct Responses<T: Transport> {
    client: Client<T>,
}

impl<T: Transport> Responses<T> {
    pub(crate) fn client(&self) -> &Client<T> {
        &self.client
    }

    /// `POST /responses`: one whole response. Use `create_stream` to stream.
    pub fn create(&self, request: CreateResponse) -> Request<T, ApiResponse<Response>> {
        Request::new(
            &self.client,
            with_body(Operation::ResponsesCreate, &request),
            json,
        )
    }

    /// `POST /responses` with `stream: true`: a stream of events.
    pub fn create_stream(&self, mut request: CreateResponse) -> Request<T, ResponseStream<T>> {
        request.stream = Field::Value(true);
        Request::new(
            &self.client,
            with_body(Operation::ResponsesCreate, &request),
            response_stream,
        )
    }

    /// `GET /responses/{id}` (`.param("include", vec![..])`).
    pub fn retrieve(&self, id: &str) -> Request<T, ApiResponse<Response>> {
        let call = Call::new(Operation::ResponsesRetrieve).param(id);
        Request::new(&self.client, Ok(call), json)
    }

    /// `GET /responses/{id}?stream=true[&starting_after=N]`: the events of a
    /// (background) response, those after `starting_after` only (filtered
    /// here too, as openai-python does).
    pub fn retrieve_stream(
        &self,
        id: &str,
        starting_after: Option<u64>,
    ) -> Request<T, ResponseStream<T>> {
        let mut call = Call::new(Operation::ResponsesRetrieve)
            .param(id)
            .query("stream", true);
        if let Some(n) = starting_after {
            call = call.query("starting_after", n);
        }
        Request::new(&self.client, Ok(call), response_stream)
    }

    /// `DELETE /responses/{id}`.
    pub fn delete(&self, id: &str) -> Request<T, ApiResponse<DeleteResult>> {
        let call = Call::new(Operation::ResponsesDelete).param(id);
        Request::new(&self.client, Ok(call), json)
    }

    /// `POST /responses/{id}/cancel` (background responses).
    pub fn cancel(&self, id: &str) -> Request<T, ApiResponse<Response>> {
        let call = Call::new(Operation::ResponsesCancel).param(id);
        Request::new(&self.client, Ok(call), json)
    }

    /// `POST /responses/compact`.
    pub fn compact(&self, body: Value) -> Request<T, ApiResponse<CompactedResponse>> {
        let call = Call::new(Operation::ResponsesCompact).body(RequestBody::Json(body));
        Request::new(&self.client, Ok(call), json)
    }

    /// `client.responses().input_items()`.
    pub fn input_items(&self) -> InputItems<T> {
        InputItems {
            client: self.client.clone(),
        }
    }

    /// `client.responses().input_tokens()`.
    pub fn input_tokens(&self) -> InputTokens<T> {
        InputTokens {
            client: self.client.clone(),
        }
    }
}

/// `client.responses().input_items()`.
pub struct InputItems<T: Transport> {
    client: Client<T>,
}

impl<T: Transport> InputItems<T> {
    /// One page of a response's input items (`.param("limit", 20)`,
    /// `.param("after", id)`, `.param("order", "asc")`, `.param("include", ..)`).
    pub fn list(&self, id: &str) -> Request<T, ApiResponse<InputItemList>> {
        let call = Call::new(Operation::ResponsesInputItemsList).param(id);
        Request::new(&self.client, Ok(call), json)
    }

    /// Every item, page after page (`after` = the last id) until `has_more`
    /// is false. A server that keeps saying `has_more` without moving on
    /// (an empty page, a repeated cursor) ends it with an error.
    pub fn list_all(
        &self,
        id: &str,
        query: Query,
        options: CallOptions,
    ) -> impl Stream<Item = Result<Item, Error>> + 'static {
        let call = Call::new(Operation::ResponsesInputItemsList).param(id);
        every_item(self.client.clone(), call, query, options)
    }
}

/// Every item of a cursor list (`call` without `after`), page after page.
pub(crate) fn every_item<T: Transport>(
    client: Client<T>,
    call: Call,
    query: Query,
    options: CallOptions,
) -> impl Stream<Item = Result<Item, Error>> + 'static {
    struct State<T: Transport> {
        client: Client<T>,
        call: Call,
        query: Query,
        options: CallOptions,
        /// The cursor of the next page (`Some(None)`: the first); none
        /// when the last page came.
        after: Option<Option<String>>,
        buffered: std::collections::VecDeque<Item>,
        /// Why paging stopped early, given after the items received.
        stop: Option<Error>,
    }
    let state = State {
        client,
        call,
        query,
        options,
        after: Some(None),
        buffered: Default::default(),
        stop: None,
    };
    futures_util::stream::unfold(state, |mut s| async move {
        loop {
            if let Some(item) = s.buffered.pop_front() {
                return Some((Ok(item), s));
            }
            if let Some(e) = s.stop.take() {
                return Some((Err(e), s));
            }
            let after = s.after.take()?;
            let mut call = s.call.clone();
            call.query
                .extend(s.query.iter().filter(|(k, _)| k != "after").cloned());
            if let Some(a) = &after {
                call.query.push(("after".to_owned(), a.as_str().into()));
            }
            let page = match s
                .client
                .call_json::<InputItemList>(call, s.options.clone())
                .await
            {
                Ok(page) => page.into_inner(),
                Err(e) => return Some((Err(e), s)),
            };
            let items = page.data.get().map_or(0, Vec::len);
            let last = last_id(&page);
            let has_more = page.has_more.copied();
            match next_cursor(
                PageRule::Strict,
                has_more,
                items,
                last.as_deref(),
                after.as_deref(),
            ) {
                Ok(Some(cursor)) => s.after = Some(Some(cursor)),
                Ok(None) => {}
                Err(why) => s.stop = Some(Error::Config(why)),
            }
            s.buffered
                .extend(page.data.into_option().unwrap_or_default());
        }
    })
}

fn last_id(page: &InputItemList) -> Option<String> {
    page.last_id
        .as_deref()
        .map(str::to_owned)
        .or_else(|| page.data.get()?.last()?.id())
}

/// `client.responses().input_tokens()`.
pub struct InputTokens<T: Transport> {
    client: Client<T>,
}

impl<T: Transport> InputTokens<T> {
    /// `POST /responses/input_tokens`.
    pub fn count(&self, body: Value) -> Request<T, ApiResponse<InputTokenCount>> {
        let call = Call::new(Operation::ResponsesInputTokensCount).body(RequestBody::Json(body));
        Request::new(&self.client, Ok(call), json)
    }
}

/// `client.chat()`.
pub struct Chat<T: Transport> {
    client: Client<T>,
}

impl<T: Transport> Chat<T> {
    pub fn completions(&self) -> ChatCompletions<T> {
        ChatCompletions {
            client: self.client.clone(),
        }
    }
}

/// `client.chat().completions()`.
pub struct ChatCompletions<T: Transport> {
    client: Client<T>,
}

impl<T: Transport> ChatCompletions<T> {
    /// `POST /chat/completions`.
    pub fn create(
        &self,
        mut request: ChatCompletionRequest,
    ) -> Request<T, ApiResponse<ChatCompletion>> {
        request.stream = Field::Absent;
        let call = with_body(Operation::ChatCompletionsCreate, &request);
        Request::new(&self.client, call, json)
    }

    /// `POST /chat/completions` with `stream: true`.
    pub fn create_stream(
        &self,
        mut request: ChatCompletionRequest,
    ) -> Request<T, ChunkStream<T, ChatCompletionChunk>> {
        request.stream = Field::Value(true);
        let call = with_body(Operation::ChatCompletionsCreate, &request);
        Request::new(&self.client, call, chunk_stream)
    }
}

/// `client.completions()` (legacy).
pub struct Completions<T: Transport> {
    client: Client<T>,
}

impl<T: Transport> Completions<T> {
    /// `POST /completions`.
    pub fn create(&self, mut request: CompletionRequest) -> Request<T, ApiResponse<Completion>> {
        request.stream = Field::Absent;
        let call = with_body(Operation::CompletionsCreate, &request);
        Request::new(&self.client, call, json)
    }

    /// `POST /completions` with `stream: true`.
    pub fn create_stream(
        &self,
        mut request: CompletionRequest,
    ) -> Request<T, ChunkStream<T, Completion>> {
        request.stream = Field::Value(true);
        let call = with_body(Operation::CompletionsCreate, &request);
        Request::new(&self.client, call, chunk_stream)
    }
}
