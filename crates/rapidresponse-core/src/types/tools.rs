//! Tools a request offers the model, and `tool_choice`.

use serde_json::Value;

wire_object! {
    /// Defines a function in your own code the model can choose to call. Learn more about [function calling](https://platform.openai.com/docs/guide (`function`; spec: FunctionTool)
    pub struct FunctionTool {
        name: String,
        description: String,
        parameters: Value,
        output_schema: Value,
        strict: bool,
        defer_loading: bool,
        allowed_callers: Vec<String>,
    }
}

wire_object! {
    /// A tool that searches for relevant content from uploaded files. Learn more about the [file search tool](https://platform.openai.com/docs/guid (`file_search`; spec: FileSearchTool)
    pub struct FileSearchTool {
        vector_store_ids: Vec<String>,
        max_num_results: i64,
        ranking_options: Value,
        filters: Value,
    }
}

wire_object! {
    /// A tool that controls a virtual computer. Learn more about the [computer tool](https://platform.openai.com/docs/guides/tools-computer-use). (`computer`; spec: ComputerTool)
    pub struct ComputerTool {
    }
}

wire_object! {
    /// A tool that controls a virtual computer. Learn more about the [computer tool](https://platform.openai.com/docs/guides/tools-computer-use). (`computer_use_preview`; spec: ComputerUsePreviewTool)
    pub struct ComputerUsePreviewTool {
        environment: String,
        display_width: i64,
        display_height: i64,
    }
}

wire_object! {
    /// Search the Internet for sources related to the prompt. Learn more about the (`web_search`; spec: WebSearchTool)
    pub struct WebSearchTool {
        external_web_access: bool,
        filters: Value,
        user_location: Value,
        search_context_size: String,
    }
}

wire_object! {
    /// Give the model access to additional tools via remote Model Context Protocol (`mcp`; spec: MCPTool)
    pub struct McpTool {
        server_label: String,
        server_url: String,
        connector_id: String,
        tunnel_id: String,
        authorization: String,
        server_description: String,
        headers: Value,
        allowed_tools: Value,
        allowed_callers: Vec<String>,
        require_approval: Value,
        defer_loading: bool,
    }
}

wire_object! {
    /// A tool that runs Python code to help generate a response to a prompt. (`code_interpreter`; spec: CodeInterpreterTool)
    pub struct CodeInterpreterTool {
        container: Value,
        allowed_callers: Vec<String>,
    }
}

wire_object! {
    ///  (`programmatic_tool_calling`; spec: ProgrammaticToolCallingParam)
    pub struct ProgrammaticToolCallingTool {
    }
}

wire_object! {
    /// A tool that generates images using the GPT image models. (`image_generation`; spec: ImageGenTool)
    pub struct ImageGenerationTool {
        model: String,
        quality: String,
        size: String,
        output_format: String,
        output_compression: i64,
        moderation: String,
        background: String,
        input_fidelity: String,
        input_image_mask: Value,
        partial_images: i64,
        action: String,
    }
}

wire_object! {
    /// A tool that allows the model to execute shell commands in a local environment. (`local_shell`; spec: LocalShellToolParam)
    pub struct LocalShellTool {
    }
}

wire_object! {
    /// A tool that allows the model to execute shell commands. (`shell`; spec: FunctionShellToolParam)
    pub struct ShellTool {
        environment: Value,
        allowed_callers: Vec<String>,
    }
}

wire_object! {
    /// A custom tool that processes input using a specified format. Learn more about   [custom tools](/docs/guides/function-calling#custom-tools) (`custom`; spec: CustomToolParam)
    pub struct CustomTool {
        name: String,
        description: String,
        format: Value,
        defer_loading: bool,
        allowed_callers: Vec<String>,
    }
}

wire_object! {
    /// Groups function/custom tools under a shared namespace. (`namespace`; spec: NamespaceToolParam)
    pub struct NamespaceTool {
        name: String,
        description: String,
        tools: Vec<Value>,
    }
}

wire_object! {
    /// Hosted or BYOT tool search configuration for deferred tools. (`tool_search`; spec: ToolSearchToolParam)
    pub struct ToolSearchTool {
        execution: String,
        description: String,
        parameters: Value,
    }
}

wire_object! {
    /// This tool searches the web for relevant results to use in a response. Learn more about the [web search tool](https://platform.openai.com/doc (`web_search_preview`; spec: WebSearchPreviewTool)
    pub struct WebSearchPreviewTool {
        user_location: Value,
        search_context_size: String,
        search_content_types: Vec<String>,
    }
}

wire_object! {
    /// Allows the assistant to create, delete, or update files using unified diffs. (`apply_patch`; spec: ApplyPatchToolParam)
    pub struct ApplyPatchTool {
        allowed_callers: Vec<String>,
    }
}

wire_union! {
    /// A tool the model may call.
    pub enum Tool {
        "function" => Function(FunctionTool),
        "file_search" => FileSearch(FileSearchTool),
        "computer" => Computer(ComputerTool),
        "computer_use_preview" => ComputerUsePreview(ComputerUsePreviewTool),
        "web_search" => WebSearch(WebSearchTool),
        "web_search_2025_08_26" => WebSearch20250826(WebSearchTool),
        "mcp" => Mcp(McpTool),
        "code_interpreter" => CodeInterpreter(CodeInterpreterTool),
        "programmatic_tool_calling" => ProgrammaticToolCalling(ProgrammaticToolCallingTool),
        "image_generation" => ImageGeneration(ImageGenerationTool),
        "local_shell" => LocalShell(LocalShellTool),
        "shell" => Shell(ShellTool),
        "custom" => Custom(CustomTool),
        "namespace" => Namespace(NamespaceTool),
        "tool_search" => ToolSearch(ToolSearchTool),
        "web_search_preview" => WebSearchPreview(WebSearchPreviewTool),
        "web_search_preview_2025_03_11" => WebSearchPreview20250311(WebSearchPreviewTool),
        "apply_patch" => ApplyPatch(ApplyPatchTool),
    }
}

/// `tool_choice`: a mode string (`none`, `auto`, `required`) or an object
/// naming a tool (`{"type": "function", "name": ...}`, `allowed_tools`, ...).
#[derive(Clone, Debug, PartialEq)]
pub enum ToolChoice {
    Mode(ToolChoiceMode),
    /// Any object form, kept as sent: its shapes vary by tool type.
    Object(serde_json::Map<String, Value>),
}

wire_enum! {
    /// The string forms of `tool_choice`.
    pub enum ToolChoiceMode {
        None = "none",
        Auto = "auto",
        Required = "required",
    }
}

impl ToolChoice {
    /// Forces a call of the named function.
    pub fn function(name: &str) -> Self {
        let mut m = serde_json::Map::new();
        m.insert("type".into(), "function".into());
        m.insert("name".into(), name.into());
        ToolChoice::Object(m)
    }
}

impl serde::Serialize for ToolChoice {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ToolChoice::Mode(m) => m.serialize(s),
            ToolChoice::Object(o) => o.serialize(s),
        }
    }
}

impl<'de> serde::Deserialize<'de> for ToolChoice {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        super::text_or_object(
            d,
            |s| ToolChoice::Mode(ToolChoiceMode::from(s.as_str())),
            ToolChoice::Object,
        )
    }
}

impl FunctionTool {
    /// A function tool with a JSON-schema `parameters` object, `strict` on.
    pub fn new(name: &str, description: &str, parameters: Value) -> Self {
        FunctionTool {
            name: name.into(),
            description: description.into(),
            parameters: parameters.into(),
            strict: true.into(),
            ..Default::default()
        }
    }
}

impl crate::wire::Wire for ToolChoice {
    const KIND: crate::wire::JsonKind = crate::wire::JsonKind::Any;
}
