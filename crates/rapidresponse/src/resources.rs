//! Resources shaped like the official SDKs: `client.responses().create(..)`,
//! `.chat().completions()`, `.completions()`, and `request(..)` for any
//! other path. Each method builds with the core and runs the client loop;
//! the futures own what they need, so they are `'static` (and `Send` with a
//! `Send` transport) and can be spawned.

use futures_util::Stream;
use rapidresponse_core::events::ErrorMember;
use rapidresponse_core::types::{
    ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, CompactedResponse, Completion,
    CompletionRequest, CreateResponse, DeleteResult, InputItemList, InputTokenCount, Item,
    Response,
};
use rapidresponse_core::usage::ChatUsageMember;
use rapidresponse_core::{Error, Field, HttpRequest, ListParams, Method, RetrieveParams};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::future::Future;

use crate::client::{ApiResponse, CallOptions, Client};
use crate::stream::{ChunkStream, ResponseStream};
use crate::transport::Transport;

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
    /// `/codex/...` paths no spec has), answered as JSON.
    pub fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        options: CallOptions,
    ) -> impl Future<Output = Result<ApiResponse<Value>, Error>> + 'static {
        let client = self.clone();
        let path = path.to_owned();
        async move {
            let request =
                client
                    .config()
                    .build(method, &path, &[], body, false, &options.request)?;
            let (status, headers, body, retries_taken) =
                client.send_whole(request, &options).await?;
            // An empty 2xx body (a 204) is JSON null.
            let data = if body.iter().all(u8::is_ascii_whitespace) {
                Value::Null
            } else {
                rapidresponse_core::error::parse_json_response(status, &headers, &body)?
            };
            Ok(ApiResponse {
                parsed: data,
                http_status: status,
                http_headers: headers,
                retries_taken,
            })
        }
    }
}

/// Calls whose request body is JSON the caller serialised and whose answer
/// stays bytes: for language shells that convert straight between their
/// objects and JSON. The loop (retries, timeouts, errors) is the same.
impl<T: Transport> Client<T> {
    /// Sends a prepared request and gives the whole 2xx body unparsed.
    pub fn send_bytes(
        &self,
        request: HttpRequest,
        options: CallOptions,
    ) -> impl Future<Output = Result<ApiResponse<Vec<u8>>, Error>> + 'static {
        let client = self.clone();
        async move {
            let (status, headers, body, retries_taken) =
                client.send_whole(request, &options).await?;
            Ok(ApiResponse {
                parsed: body,
                http_status: status,
                http_headers: headers,
                retries_taken,
            })
        }
    }

    /// Opens a Responses event stream for a prepared request (`POST
    /// /responses` with `stream: true`, or `GET /responses/{id}?stream=true`).
    /// `background` allows resuming after a drop; events numbered at or
    /// below `starting_after` are skipped.
    pub fn open_response_stream(
        &self,
        request: HttpRequest,
        options: CallOptions,
        background: bool,
        starting_after: Option<u64>,
    ) -> impl Future<Output = Result<ResponseStream<T>, Error>> + 'static {
        let client = self.clone();
        async move {
            let head = client.open_stream(request, &options).await?;
            Ok(ResponseStream::new(
                client,
                head,
                options,
                background,
                starting_after,
            ))
        }
    }

    /// Opens a stream of chat or legacy completion chunks for a prepared request.
    pub fn open_chunk_stream<C: DeserializeOwned + ErrorMember + ChatUsageMember>(
        &self,
        request: HttpRequest,
        options: CallOptions,
    ) -> impl Future<Output = Result<ChunkStream<T, C>, Error>> + 'static {
        let client = self.clone();
        async move {
            let head = client.open_stream(request, &options).await?;
            Ok(ChunkStream::new(client, head, &options))
        }
    }
}

/// `client.responses()`.
pub struct Responses<T: Transport> {
    client: Client<T>,
}

impl<T: Transport> Responses<T> {
    /// `POST /responses`: one whole response. Use `create_stream` to stream.
    pub fn create(
        &self,
        request: CreateResponse,
    ) -> impl Future<Output = Result<ApiResponse<Response>, Error>> + 'static {
        self.create_with(request, CallOptions::default())
    }

    pub fn create_with(
        &self,
        request: CreateResponse,
        options: CallOptions,
    ) -> impl Future<Output = Result<ApiResponse<Response>, Error>> + 'static {
        let client = self.client.clone();
        async move {
            if request.stream.copied() == Some(true) {
                return Err(Error::Config(
                    "create() returns one response; use create_stream() for stream: true".into(),
                ));
            }
            let http = client
                .config()
                .create_response(&request, &options.request)?;
            let response: ApiResponse<Response> = client.call_json(http, &options).await?;
            client.record_response(&response.parsed);
            Ok(response)
        }
    }

    /// `POST /responses` with `stream: true`: a stream of events.
    pub fn create_stream(
        &self,
        request: CreateResponse,
    ) -> impl Future<Output = Result<ResponseStream<T>, Error>> + 'static {
        self.create_stream_with(request, CallOptions::default())
    }

    pub fn create_stream_with(
        &self,
        mut request: CreateResponse,
        options: CallOptions,
    ) -> impl Future<Output = Result<ResponseStream<T>, Error>> + 'static {
        let client = self.client.clone();
        async move {
            request.stream = Field::Value(true);
            let background = request.background.copied() == Some(true);
            let http = client
                .config()
                .create_response(&request, &options.request)?;
            client
                .open_response_stream(http, options, background, None)
                .await
        }
    }

    /// `GET /responses/{id}`.
    pub fn retrieve(
        &self,
        id: &str,
        include: Vec<String>,
    ) -> impl Future<Output = Result<ApiResponse<Response>, Error>> + 'static {
        self.retrieve_with(id, include, CallOptions::default())
    }

    /// `retrieve` with per-call options.
    pub fn retrieve_with(
        &self,
        id: &str,
        include: Vec<String>,
        options: CallOptions,
    ) -> impl Future<Output = Result<ApiResponse<Response>, Error>> + 'static {
        let client = self.client.clone();
        let id = id.to_owned();
        async move {
            let params = RetrieveParams {
                include,
                ..Default::default()
            };
            let http = client
                .config()
                .retrieve_response(&id, &params, &options.request)?;
            client.call_json(http, &options).await
        }
    }

    /// `GET /responses/{id}?stream=true[&starting_after=N]`: the events of a
    /// (background) response, those after `starting_after` only (filtered
    /// here too, as openai-python does).
    pub fn retrieve_stream(
        &self,
        id: &str,
        starting_after: Option<u64>,
        options: CallOptions,
    ) -> impl Future<Output = Result<ResponseStream<T>, Error>> + 'static {
        let client = self.client.clone();
        let id = id.to_owned();
        async move {
            let params = RetrieveParams {
                stream: true,
                starting_after,
                ..Default::default()
            };
            let http = client
                .config()
                .retrieve_response(&id, &params, &options.request)?;
            client
                .open_response_stream(http, options, true, starting_after)
                .await
        }
    }

    /// `DELETE /responses/{id}`.
    pub fn delete(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<ApiResponse<DeleteResult>, Error>> + 'static {
        self.delete_with(id, CallOptions::default())
    }

    /// `delete` with per-call options.
    pub fn delete_with(
        &self,
        id: &str,
        options: CallOptions,
    ) -> impl Future<Output = Result<ApiResponse<DeleteResult>, Error>> + 'static {
        let client = self.client.clone();
        let id = id.to_owned();
        async move {
            let http = client.config().delete_response(&id, &options.request)?;
            client.call_json(http, &options).await
        }
    }

    /// `POST /responses/{id}/cancel` (background responses).
    pub fn cancel(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<ApiResponse<Response>, Error>> + 'static {
        self.cancel_with(id, CallOptions::default())
    }

    /// `cancel` with per-call options.
    pub fn cancel_with(
        &self,
        id: &str,
        options: CallOptions,
    ) -> impl Future<Output = Result<ApiResponse<Response>, Error>> + 'static {
        let client = self.client.clone();
        let id = id.to_owned();
        async move {
            let http = client.config().cancel_response(&id, &options.request)?;
            client.call_json(http, &options).await
        }
    }

    /// `client.responses().input_items(id)`.
    pub fn input_items(&self, id: &str) -> InputItems<T> {
        InputItems {
            client: self.client.clone(),
            id: id.to_owned(),
        }
    }

    /// `POST /responses/compact`.
    pub fn compact(
        &self,
        body: Value,
    ) -> impl Future<Output = Result<ApiResponse<CompactedResponse>, Error>> + 'static {
        self.compact_with(body, CallOptions::default())
    }

    /// `compact` with per-call options.
    pub fn compact_with(
        &self,
        body: Value,
        options: CallOptions,
    ) -> impl Future<Output = Result<ApiResponse<CompactedResponse>, Error>> + 'static {
        let client = self.client.clone();
        async move {
            let http = client.config().compact_response(&body, &options.request)?;
            client.call_json(http, &options).await
        }
    }

    /// `client.responses().input_tokens().count(..)`.
    pub fn input_tokens(&self) -> InputTokens<T> {
        InputTokens {
            client: self.client.clone(),
        }
    }
}

/// `client.responses().input_items(id)`.
pub struct InputItems<T: Transport> {
    client: Client<T>,
    id: String,
}

impl<T: Transport> InputItems<T> {
    /// One page.
    pub fn list(
        &self,
        params: ListParams,
    ) -> impl Future<Output = Result<ApiResponse<InputItemList>, Error>> + 'static {
        self.list_with(params, CallOptions::default())
    }

    /// `list` with per-call options.
    pub fn list_with(
        &self,
        params: ListParams,
        options: CallOptions,
    ) -> impl Future<Output = Result<ApiResponse<InputItemList>, Error>> + 'static {
        let client = self.client.clone();
        let id = self.id.clone();
        async move {
            let http = client
                .config()
                .list_input_items(&id, &params, &options.request)?;
            client.call_json(http, &options).await
        }
    }

    /// Every item, page after page (`after` = the last id) until `has_more`
    /// is false.
    pub fn list_all(
        &self,
        params: ListParams,
    ) -> impl Stream<Item = Result<Item, Error>> + 'static {
        let items = InputItems {
            client: self.client.clone(),
            id: self.id.clone(),
        };
        let state = (
            items,
            Some(params),
            std::collections::VecDeque::<Item>::new(),
        );
        futures_util::stream::unfold(state, |(items, mut next, mut buffered)| async move {
            loop {
                if let Some(item) = buffered.pop_front() {
                    return Some((Ok(item), (items, next, buffered)));
                }
                let params = next.take()?;
                match items.list(params.clone()).await {
                    Ok(page) => {
                        let page = page.into_inner();
                        let data = page.data.into_option().unwrap_or_default();
                        let last = page
                            .last_id
                            .into_option()
                            .or_else(|| data.last().and_then(Item::id));
                        if page.has_more.copied() == Some(true) {
                            if let Some(last) = last {
                                next = Some(ListParams {
                                    after: Some(last),
                                    ..params
                                });
                            }
                        }
                        buffered.extend(data);
                    }
                    Err(e) => return Some((Err(e), (items, None, buffered))),
                }
            }
        })
    }
}

/// `client.responses().input_tokens()`.
pub struct InputTokens<T: Transport> {
    client: Client<T>,
}

impl<T: Transport> InputTokens<T> {
    /// `POST /responses/input_tokens`.
    pub fn count(
        &self,
        body: Value,
    ) -> impl Future<Output = Result<ApiResponse<InputTokenCount>, Error>> + 'static {
        self.count_with(body, CallOptions::default())
    }

    /// `count` with per-call options.
    pub fn count_with(
        &self,
        body: Value,
        options: CallOptions,
    ) -> impl Future<Output = Result<ApiResponse<InputTokenCount>, Error>> + 'static {
        let client = self.client.clone();
        async move {
            let http = client
                .config()
                .count_input_tokens(&body, &options.request)?;
            client.call_json(http, &options).await
        }
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
        request: ChatCompletionRequest,
    ) -> impl Future<Output = Result<ApiResponse<ChatCompletion>, Error>> + 'static {
        self.create_with(request, CallOptions::default())
    }

    /// `create` with per-call options.
    pub fn create_with(
        &self,
        request: ChatCompletionRequest,
        options: CallOptions,
    ) -> impl Future<Output = Result<ApiResponse<ChatCompletion>, Error>> + 'static {
        let client = self.client.clone();
        async move {
            let mut request = request;
            request.stream = Field::Absent;
            let http = client
                .config()
                .create_chat_completion(&request, &options.request)?;
            let response: ApiResponse<ChatCompletion> = client.call_json(http, &options).await?;
            client.record_chat_usage(&response.parsed);
            Ok(response)
        }
    }

    /// `POST /chat/completions` with `stream: true`.
    pub fn create_stream(
        &self,
        request: ChatCompletionRequest,
    ) -> impl Future<Output = Result<ChunkStream<T, ChatCompletionChunk>, Error>> + 'static {
        self.create_stream_with(request, CallOptions::default())
    }

    /// `create_stream` with per-call options.
    pub fn create_stream_with(
        &self,
        request: ChatCompletionRequest,
        options: CallOptions,
    ) -> impl Future<Output = Result<ChunkStream<T, ChatCompletionChunk>, Error>> + 'static {
        let client = self.client.clone();
        async move {
            let mut request = request;
            request.stream = Field::Value(true);
            let http = client
                .config()
                .create_chat_completion(&request, &options.request)?;
            client.open_chunk_stream(http, options).await
        }
    }
}

/// `client.completions()` (legacy).
pub struct Completions<T: Transport> {
    client: Client<T>,
}

impl<T: Transport> Completions<T> {
    /// `POST /completions`.
    pub fn create(
        &self,
        request: CompletionRequest,
    ) -> impl Future<Output = Result<ApiResponse<Completion>, Error>> + 'static {
        self.create_with(request, CallOptions::default())
    }

    /// `create` with per-call options.
    pub fn create_with(
        &self,
        request: CompletionRequest,
        options: CallOptions,
    ) -> impl Future<Output = Result<ApiResponse<Completion>, Error>> + 'static {
        let client = self.client.clone();
        async move {
            let mut request = request;
            request.stream = Field::Absent;
            let http = client
                .config()
                .create_completion(&request, &options.request)?;
            let response: ApiResponse<Completion> = client.call_json(http, &options).await?;
            client.record_chat_usage(&response.parsed);
            Ok(response)
        }
    }

    /// `POST /completions` with `stream: true`.
    pub fn create_stream(
        &self,
        request: CompletionRequest,
    ) -> impl Future<Output = Result<ChunkStream<T, Completion>, Error>> + 'static {
        self.create_stream_with(request, CallOptions::default())
    }

    /// `create_stream` with per-call options.
    pub fn create_stream_with(
        &self,
        request: CompletionRequest,
        options: CallOptions,
    ) -> impl Future<Output = Result<ChunkStream<T, Completion>, Error>> + 'static {
        let client = self.client.clone();
        async move {
            let mut request = request;
            request.stream = Field::Value(true);
            let http = client
                .config()
                .create_completion(&request, &options.request)?;
            client.open_chunk_stream(http, options).await
        }
    }
}
