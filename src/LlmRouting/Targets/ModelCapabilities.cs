namespace LlmRouting;

/// <summary>Capabilities a target model offers and a request may need.</summary>
[Flags]
public enum ModelCapabilities
{
    /// <summary>No special capability.</summary>
    None = 0,

    /// <summary>Function/tool calling.</summary>
    Tools = 1 << 0,

    /// <summary>Image input.</summary>
    Vision = 1 << 1,

    /// <summary>Structured output constrained by a JSON schema.</summary>
    JsonSchema = 1 << 2,

    /// <summary>Streaming responses.</summary>
    Streaming = 1 << 3,

    /// <summary>Extended reasoning ("thinking") models.</summary>
    Reasoning = 1 << 4,

    /// <summary>Audio input.</summary>
    Audio = 1 << 5,
}
