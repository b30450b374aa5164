//! Stream events of the Responses API (`ResponseStreamEvent`), one struct per
//! event `type`. Decoding one lives in `crate::decode`, the stream rules in `crate::stream`.

use serde_json::Value;

use super::{Annotation, ContentPart, ErrorObject, Item, LogProb, Response};

wire_object! {
    /// Emitted when there is a partial audio response.
    pub struct ResponseAudioDeltaEvent {
        sequence_number: u64,
        delta: String,
        /// Random padding the API adds to deltas (`stream_options.include_obfuscation`).
        obfuscation: String,
    }
}

wire_object! {
    /// Emitted when the audio response is complete.
    pub struct ResponseAudioDoneEvent {
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when there is a partial transcript of audio.
    pub struct ResponseAudioTranscriptDeltaEvent {
        delta: String,
        sequence_number: u64,
        /// Random padding the API adds to deltas (`stream_options.include_obfuscation`).
        obfuscation: String,
    }
}

wire_object! {
    /// Emitted when the full audio transcript is completed.
    pub struct ResponseAudioTranscriptDoneEvent {
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when a partial code snippet is streamed by the code interpreter.
    pub struct ResponseCodeInterpreterCallCodeDeltaEvent {
        output_index: i64,
        item_id: String,
        delta: String,
        sequence_number: u64,
        /// Random padding the API adds to deltas (`stream_options.include_obfuscation`).
        obfuscation: String,
    }
}

wire_object! {
    /// Emitted when the code snippet is finalized by the code interpreter.
    pub struct ResponseCodeInterpreterCallCodeDoneEvent {
        output_index: i64,
        item_id: String,
        code: String,
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when the code interpreter call is completed.
    pub struct ResponseCodeInterpreterCallCompletedEvent {
        output_index: i64,
        item_id: String,
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when a code interpreter call is in progress.
    pub struct ResponseCodeInterpreterCallInProgressEvent {
        output_index: i64,
        item_id: String,
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when the code interpreter is actively interpreting the code snippet.
    pub struct ResponseCodeInterpreterCallInterpretingEvent {
        output_index: i64,
        item_id: String,
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when the model response is complete.
    pub struct ResponseCompletedEvent {
        response: Box<Response>,
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when a new content part is added.
    pub struct ResponseContentPartAddedEvent {
        item_id: String,
        output_index: i64,
        content_index: i64,
        part: ContentPart,
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when a content part is done.
    pub struct ResponseContentPartDoneEvent {
        item_id: String,
        output_index: i64,
        content_index: i64,
        sequence_number: u64,
        part: ContentPart,
    }
}

wire_object! {
    /// An event that is emitted when a response is created.
    pub struct ResponseCreatedEvent {
        response: Box<Response>,
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when an error occurs.
    pub struct ResponseErrorEvent {
        code: String,
        message: String,
        param: String,
        sequence_number: u64,
        /// The nested shape seen in real traffic: `{"type":"error","error":{...}}`.
        error: ErrorObject,
    }
}

wire_object! {
    /// Emitted when a file search call is completed (results found).
    pub struct ResponseFileSearchCallCompletedEvent {
        output_index: i64,
        item_id: String,
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when a file search call is initiated.
    pub struct ResponseFileSearchCallInProgressEvent {
        output_index: i64,
        item_id: String,
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when a file search is currently searching.
    pub struct ResponseFileSearchCallSearchingEvent {
        output_index: i64,
        item_id: String,
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when there is a partial function-call arguments delta.
    pub struct ResponseFunctionCallArgumentsDeltaEvent {
        item_id: String,
        output_index: i64,
        sequence_number: u64,
        delta: String,
        /// Random padding the API adds to deltas (`stream_options.include_obfuscation`).
        obfuscation: String,
    }
}

wire_object! {
    /// Emitted when function-call arguments are finalized.
    pub struct ResponseFunctionCallArgumentsDoneEvent {
        item_id: String,
        name: String,
        output_index: i64,
        sequence_number: u64,
        arguments: String,
    }
}

wire_object! {
    /// A streaming event that indicated a shell command was added to a tool call.
    pub struct ResponseShellCallCommandAddedStreamingEvent {
        sequence_number: u64,
        output_index: i64,
        command_index: i64,
        command: String,
    }
}

wire_object! {
    /// A streaming event that indicated a shell command was incrementally updated.
    pub struct ResponseShellCallCommandDeltaStreamingEvent {
        sequence_number: u64,
        output_index: i64,
        command_index: i64,
        delta: String,
        obfuscation: String,
    }
}

wire_object! {
    /// A streaming event that indicated a shell command was completed.
    pub struct ResponseShellCallCommandDoneStreamingEvent {
        sequence_number: u64,
        output_index: i64,
        command_index: i64,
        command: String,
    }
}

wire_object! {
    /// A streaming event that indicated shell call output was incrementally added.
    pub struct ResponseShellCallOutputContentDeltaStreamingEvent {
        sequence_number: u64,
        item_id: String,
        output_index: i64,
        command_index: i64,
        delta: Value,
        /// Random padding the API adds to deltas (`stream_options.include_obfuscation`).
        obfuscation: String,
    }
}

wire_object! {
    /// A streaming event that indicated shell call output was completed.
    pub struct ResponseShellCallOutputContentDoneStreamingEvent {
        sequence_number: u64,
        item_id: String,
        output_index: i64,
        command_index: i64,
        output: Vec<Value>,
    }
}

wire_object! {
    /// Emitted when the response is in progress.
    pub struct ResponseInProgressEvent {
        response: Box<Response>,
        sequence_number: u64,
    }
}

wire_object! {
    /// An event that is emitted when a response fails.
    pub struct ResponseFailedEvent {
        sequence_number: u64,
        response: Box<Response>,
    }
}

wire_object! {
    /// An event that is emitted when a response finishes as incomplete.
    pub struct ResponseIncompleteEvent {
        response: Box<Response>,
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when a new output item is added.
    pub struct ResponseOutputItemAddedEvent {
        output_index: i64,
        sequence_number: u64,
        item: Item,
    }
}

wire_object! {
    /// Emitted when an output item is marked done.
    pub struct ResponseOutputItemDoneEvent {
        output_index: i64,
        sequence_number: u64,
        item: Item,
    }
}

wire_object! {
    /// Emitted when a new reasoning summary part is added.
    pub struct ResponseReasoningSummaryPartAddedEvent {
        item_id: String,
        output_index: i64,
        summary_index: i64,
        sequence_number: u64,
        part: ContentPart,
    }
}

wire_object! {
    /// Emitted when a reasoning summary part is completed.
    pub struct ResponseReasoningSummaryPartDoneEvent {
        item_id: String,
        output_index: i64,
        summary_index: i64,
        status: String,
        sequence_number: u64,
        part: ContentPart,
    }
}

wire_object! {
    /// Emitted when a delta is added to a reasoning summary text.
    pub struct ResponseReasoningSummaryTextDeltaEvent {
        item_id: String,
        output_index: i64,
        summary_index: i64,
        delta: String,
        sequence_number: u64,
        /// Random padding the API adds to deltas (`stream_options.include_obfuscation`).
        obfuscation: String,
    }
}

wire_object! {
    /// Emitted when a reasoning summary text is completed.
    pub struct ResponseReasoningSummaryTextDoneEvent {
        item_id: String,
        output_index: i64,
        summary_index: i64,
        text: String,
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when a delta is added to a reasoning text.
    pub struct ResponseReasoningTextDeltaEvent {
        item_id: String,
        output_index: i64,
        content_index: i64,
        delta: String,
        sequence_number: u64,
        /// Random padding the API adds to deltas (`stream_options.include_obfuscation`).
        obfuscation: String,
    }
}

wire_object! {
    /// Emitted when a reasoning text is completed.
    pub struct ResponseReasoningTextDoneEvent {
        item_id: String,
        output_index: i64,
        content_index: i64,
        text: String,
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when there is a partial refusal text.
    pub struct ResponseRefusalDeltaEvent {
        item_id: String,
        output_index: i64,
        content_index: i64,
        delta: String,
        sequence_number: u64,
        /// Random padding the API adds to deltas (`stream_options.include_obfuscation`).
        obfuscation: String,
    }
}

wire_object! {
    /// Emitted when refusal text is finalized.
    pub struct ResponseRefusalDoneEvent {
        item_id: String,
        output_index: i64,
        content_index: i64,
        refusal: String,
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when there is an additional text delta.
    pub struct ResponseTextDeltaEvent {
        item_id: String,
        output_index: i64,
        content_index: i64,
        delta: String,
        sequence_number: u64,
        logprobs: Vec<LogProb>,
        /// Random padding the API adds to deltas (`stream_options.include_obfuscation`).
        obfuscation: String,
    }
}

wire_object! {
    /// Emitted when text content is finalized.
    pub struct ResponseTextDoneEvent {
        item_id: String,
        output_index: i64,
        content_index: i64,
        text: String,
        sequence_number: u64,
        logprobs: Vec<LogProb>,
    }
}

wire_object! {
    /// Emitted when a web search call is completed.
    pub struct ResponseWebSearchCallCompletedEvent {
        output_index: i64,
        item_id: String,
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when a web search call is initiated.
    pub struct ResponseWebSearchCallInProgressEvent {
        output_index: i64,
        item_id: String,
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when a web search call is executing.
    pub struct ResponseWebSearchCallSearchingEvent {
        output_index: i64,
        item_id: String,
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when an image generation tool call has completed and the final image is available.
    pub struct ResponseImageGenCallCompletedEvent {
        output_index: i64,
        sequence_number: u64,
        item_id: String,
    }
}

wire_object! {
    /// Emitted when an image generation tool call is actively generating an image (intermediate state).
    pub struct ResponseImageGenCallGeneratingEvent {
        output_index: i64,
        item_id: String,
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when an image generation tool call is in progress.
    pub struct ResponseImageGenCallInProgressEvent {
        output_index: i64,
        item_id: String,
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when a partial image is available during image generation streaming.
    pub struct ResponseImageGenCallPartialImageEvent {
        output_index: i64,
        item_id: String,
        sequence_number: u64,
        partial_image_index: i64,
        partial_image_b64: String,
        size: String,
        quality: String,
        background: String,
        output_format: String,
    }
}

wire_object! {
    /// Emitted when there is a delta (partial update) to the arguments of an MCP tool call.
    pub struct ResponseMCPCallArgumentsDeltaEvent {
        output_index: i64,
        item_id: String,
        delta: String,
        sequence_number: u64,
        /// Random padding the API adds to deltas (`stream_options.include_obfuscation`).
        obfuscation: String,
    }
}

wire_object! {
    /// Emitted when the arguments for an MCP tool call are finalized.
    pub struct ResponseMCPCallArgumentsDoneEvent {
        output_index: i64,
        item_id: String,
        arguments: String,
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when an MCP  tool call has completed successfully.
    pub struct ResponseMCPCallCompletedEvent {
        item_id: String,
        output_index: i64,
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when an MCP  tool call has failed.
    pub struct ResponseMCPCallFailedEvent {
        item_id: String,
        output_index: i64,
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when an MCP  tool call is in progress.
    pub struct ResponseMCPCallInProgressEvent {
        sequence_number: u64,
        output_index: i64,
        item_id: String,
    }
}

wire_object! {
    /// Emitted when the list of available MCP tools has been successfully retrieved.
    pub struct ResponseMCPListToolsCompletedEvent {
        item_id: String,
        output_index: i64,
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when the attempt to list available MCP tools has failed.
    pub struct ResponseMCPListToolsFailedEvent {
        item_id: String,
        output_index: i64,
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when the system is in the process of retrieving the list of available MCP tools.
    pub struct ResponseMCPListToolsInProgressEvent {
        item_id: String,
        output_index: i64,
        sequence_number: u64,
    }
}

wire_object! {
    /// Emitted when an annotation is added to output text content.
    pub struct ResponseOutputTextAnnotationAddedEvent {
        item_id: String,
        output_index: i64,
        content_index: i64,
        annotation_index: i64,
        sequence_number: u64,
        annotation: Annotation,
    }
}

wire_object! {
    /// Emitted when a response is queued and waiting to be processed.
    pub struct ResponseQueuedEvent {
        response: Box<Response>,
        sequence_number: u64,
    }
}

wire_object! {
    /// Event representing a delta (partial update) to the input of a custom tool call.
    pub struct ResponseCustomToolCallInputDeltaEvent {
        sequence_number: u64,
        output_index: i64,
        item_id: String,
        delta: String,
        /// Random padding the API adds to deltas (`stream_options.include_obfuscation`).
        obfuscation: String,
    }
}

wire_object! {
    /// Event indicating that input for a custom tool call is complete.
    pub struct ResponseCustomToolCallInputDoneEvent {
        sequence_number: u64,
        output_index: i64,
        item_id: String,
        input: String,
    }
}

wire_object! {
    /// Emitted while the context is being compacted (openai-python 3.54; not in spec 2.3.0).
    pub struct ResponseCompactionCompactingEvent {
        sequence_number: u64,
        output_index: i64,
        item_id: String,
    }
}

wire_union! {
    /// One event of a streamed response, by its `type`; `Unknown` keeps any
    /// event this version does not know (for example
    /// `response.apply_patch_call_operation_diff.delta`).
    pub enum ResponseStreamEvent {
        "response.audio.delta" => AudioDelta(ResponseAudioDeltaEvent),
        "response.audio.done" => AudioDone(ResponseAudioDoneEvent),
        "response.audio.transcript.delta" => AudioTranscriptDelta(ResponseAudioTranscriptDeltaEvent),
        "response.audio.transcript.done" => AudioTranscriptDone(ResponseAudioTranscriptDoneEvent),
        "response.code_interpreter_call_code.delta" => CodeInterpreterCallCodeDelta(ResponseCodeInterpreterCallCodeDeltaEvent),
        "response.code_interpreter_call_code.done" => CodeInterpreterCallCodeDone(ResponseCodeInterpreterCallCodeDoneEvent),
        "response.code_interpreter_call.completed" => CodeInterpreterCallCompleted(ResponseCodeInterpreterCallCompletedEvent),
        "response.code_interpreter_call.in_progress" => CodeInterpreterCallInProgress(ResponseCodeInterpreterCallInProgressEvent),
        "response.code_interpreter_call.interpreting" => CodeInterpreterCallInterpreting(ResponseCodeInterpreterCallInterpretingEvent),
        "response.completed" => Completed(ResponseCompletedEvent),
        "response.content_part.added" => ContentPartAdded(ResponseContentPartAddedEvent),
        "response.content_part.done" => ContentPartDone(ResponseContentPartDoneEvent),
        "response.created" => Created(ResponseCreatedEvent),
        "error" => Error(ResponseErrorEvent),
        "response.file_search_call.completed" => FileSearchCallCompleted(ResponseFileSearchCallCompletedEvent),
        "response.file_search_call.in_progress" => FileSearchCallInProgress(ResponseFileSearchCallInProgressEvent),
        "response.file_search_call.searching" => FileSearchCallSearching(ResponseFileSearchCallSearchingEvent),
        "response.function_call_arguments.delta" => FunctionCallArgumentsDelta(ResponseFunctionCallArgumentsDeltaEvent),
        "response.function_call_arguments.done" => FunctionCallArgumentsDone(ResponseFunctionCallArgumentsDoneEvent),
        "response.shell_call_command.added" => ShellCallCommandAdded(ResponseShellCallCommandAddedStreamingEvent),
        "response.shell_call_command.delta" => ShellCallCommandDelta(ResponseShellCallCommandDeltaStreamingEvent),
        "response.shell_call_command.done" => ShellCallCommandDone(ResponseShellCallCommandDoneStreamingEvent),
        "response.shell_call_output_content.delta" => ShellCallOutputContentDelta(ResponseShellCallOutputContentDeltaStreamingEvent),
        "response.shell_call_output_content.done" => ShellCallOutputContentDone(ResponseShellCallOutputContentDoneStreamingEvent),
        "response.in_progress" => InProgress(ResponseInProgressEvent),
        "response.failed" => Failed(ResponseFailedEvent),
        "response.incomplete" => Incomplete(ResponseIncompleteEvent),
        "response.output_item.added" => OutputItemAdded(ResponseOutputItemAddedEvent),
        "response.output_item.done" => OutputItemDone(ResponseOutputItemDoneEvent),
        "response.reasoning_summary_part.added" => ReasoningSummaryPartAdded(ResponseReasoningSummaryPartAddedEvent),
        "response.reasoning_summary_part.done" => ReasoningSummaryPartDone(ResponseReasoningSummaryPartDoneEvent),
        "response.reasoning_summary_text.delta" => ReasoningSummaryTextDelta(ResponseReasoningSummaryTextDeltaEvent),
        "response.reasoning_summary_text.done" => ReasoningSummaryTextDone(ResponseReasoningSummaryTextDoneEvent),
        "response.reasoning_text.delta" => ReasoningTextDelta(ResponseReasoningTextDeltaEvent),
        "response.reasoning_text.done" => ReasoningTextDone(ResponseReasoningTextDoneEvent),
        "response.refusal.delta" => RefusalDelta(ResponseRefusalDeltaEvent),
        "response.refusal.done" => RefusalDone(ResponseRefusalDoneEvent),
        "response.output_text.delta" => OutputTextDelta(ResponseTextDeltaEvent),
        "response.output_text.done" => OutputTextDone(ResponseTextDoneEvent),
        "response.web_search_call.completed" => WebSearchCallCompleted(ResponseWebSearchCallCompletedEvent),
        "response.web_search_call.in_progress" => WebSearchCallInProgress(ResponseWebSearchCallInProgressEvent),
        "response.web_search_call.searching" => WebSearchCallSearching(ResponseWebSearchCallSearchingEvent),
        "response.image_generation_call.completed" => ImageGenerationCallCompleted(ResponseImageGenCallCompletedEvent),
        "response.image_generation_call.generating" => ImageGenerationCallGenerating(ResponseImageGenCallGeneratingEvent),
        "response.image_generation_call.in_progress" => ImageGenerationCallInProgress(ResponseImageGenCallInProgressEvent),
        "response.image_generation_call.partial_image" => ImageGenerationCallPartialImage(ResponseImageGenCallPartialImageEvent),
        "response.mcp_call_arguments.delta" => McpCallArgumentsDelta(ResponseMCPCallArgumentsDeltaEvent),
        "response.mcp_call_arguments.done" => McpCallArgumentsDone(ResponseMCPCallArgumentsDoneEvent),
        "response.mcp_call.completed" => McpCallCompleted(ResponseMCPCallCompletedEvent),
        "response.mcp_call.failed" => McpCallFailed(ResponseMCPCallFailedEvent),
        "response.mcp_call.in_progress" => McpCallInProgress(ResponseMCPCallInProgressEvent),
        "response.mcp_list_tools.completed" => McpListToolsCompleted(ResponseMCPListToolsCompletedEvent),
        "response.mcp_list_tools.failed" => McpListToolsFailed(ResponseMCPListToolsFailedEvent),
        "response.mcp_list_tools.in_progress" => McpListToolsInProgress(ResponseMCPListToolsInProgressEvent),
        "response.output_text.annotation.added" => OutputTextAnnotationAdded(ResponseOutputTextAnnotationAddedEvent),
        "response.queued" => Queued(ResponseQueuedEvent),
        "response.custom_tool_call_input.delta" => CustomToolCallInputDelta(ResponseCustomToolCallInputDeltaEvent),
        "response.custom_tool_call_input.done" => CustomToolCallInputDone(ResponseCustomToolCallInputDoneEvent),
        "response.compaction.compacting" => CompactionCompacting(ResponseCompactionCompactingEvent),
    }
    common {
        /// The event's position in the stream (absent in streams from early 2025).
        sequence_number: u64,
    }
}
