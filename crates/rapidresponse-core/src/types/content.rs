//! Content parts of messages and reasoning items, and text annotations.

use serde_json::Value;

wire_object! {
    /// A text output from the model. (`output_text`; spec: OutputTextContent)
    pub struct OutputTextContent {
        text: String,
        annotations: Vec<Annotation>,
        logprobs: Vec<LogProb>,
    }
}

wire_object! {
    /// The log probability of one output token, with the most likely alternatives.
    pub struct LogProb {
        token: String,
        logprob: f64,
        bytes: Vec<u8>,
        top_logprobs: Vec<TopLogProb>,
    }
}

wire_object! {
    /// One alternative token and its log probability.
    pub struct TopLogProb {
        token: String,
        logprob: f64,
        bytes: Vec<u8>,
    }
}

wire_object! {
    /// A refusal from the model. (`refusal`; spec: RefusalContent)
    pub struct RefusalContent {
        refusal: String,
    }
}

wire_object! {
    /// Reasoning text from the model. (`reasoning_text`; spec: ReasoningTextContent)
    pub struct ReasoningTextContent {
        text: String,
    }
}

wire_object! {
    /// A text input to the model. (`input_text`; spec: InputTextContent)
    pub struct InputTextContent {
        text: String,
        prompt_cache_breakpoint: Value,
    }
}

wire_object! {
    /// An image input to the model. Learn about [image inputs](/docs/guides/vision). (`input_image`; spec: InputImageContent)
    pub struct InputImageContent {
        image_url: String,
        file_id: String,
        detail: String,
        prompt_cache_breakpoint: Value,
    }
}

wire_object! {
    /// A file input to the model. (`input_file`; spec: InputFileContent)
    pub struct InputFileContent {
        file_id: String,
        filename: String,
        file_data: String,
        prompt_cache_breakpoint: Value,
        file_url: String,
        detail: String,
    }
}

wire_object! {
    /// A summary text from the model. (`summary_text`; spec: SummaryTextContent)
    pub struct SummaryTextContent {
        text: String,
    }
}

wire_object! {
    /// A screenshot of a computer. (`computer_screenshot`; spec: ComputerScreenshotContent)
    pub struct ComputerScreenshotContent {
        image_url: String,
        file_id: String,
        detail: String,
        prompt_cache_breakpoint: Value,
    }
}

wire_union! {
    /// A content part of a message (input or output) or of a reasoning item.
    pub enum ContentPart {
        "output_text" => OutputText(OutputTextContent),
        "refusal" => Refusal(RefusalContent),
        "reasoning_text" => ReasoningText(ReasoningTextContent),
        "input_text" => InputText(InputTextContent),
        "input_image" => InputImage(InputImageContent),
        "input_file" => InputFile(InputFileContent),
        "summary_text" => SummaryText(SummaryTextContent),
        "computer_screenshot" => ComputerScreenshot(ComputerScreenshotContent),
    }
}

wire_object! {
    /// A citation to a file. (`file_citation`; spec: FileCitationBody)
    pub struct FileCitation {
        file_id: String,
        index: i64,
        filename: String,
    }
}

wire_object! {
    /// A citation for a web resource used to generate a model response. (`url_citation`; spec: UrlCitationBody)
    pub struct UrlCitation {
        url: String,
        start_index: i64,
        end_index: i64,
        title: String,
    }
}

wire_object! {
    /// A citation for a container file used to generate a model response. (`container_file_citation`; spec: ContainerFileCitationBody)
    pub struct ContainerFileCitation {
        container_id: String,
        file_id: String,
        start_index: i64,
        end_index: i64,
        filename: String,
    }
}

wire_object! {
    /// A path to a file. (`file_path`; spec: FilePath)
    pub struct FilePath {
        file_id: String,
        index: i64,
    }
}

wire_union! {
    /// An annotation on a span of `output_text`.
    pub enum Annotation {
        "file_citation" => FileCitation(FileCitation),
        "url_citation" => UrlCitation(UrlCitation),
        "container_file_citation" => ContainerFileCitation(ContainerFileCitation),
        "file_path" => FilePath(FilePath),
    }
}
