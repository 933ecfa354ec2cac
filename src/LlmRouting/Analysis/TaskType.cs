namespace LlmRouting.Analysis;

/// <summary>What a request asks the model to do.</summary>
public enum TaskType
{
    /// <summary>General conversation, FAQ, small talk.</summary>
    Chat = 0,

    /// <summary>Writing, reviewing or debugging code.</summary>
    Code,

    /// <summary>Calculation, equations, proofs.</summary>
    Math,

    /// <summary>Analysis, comparison, multi-step reasoning.</summary>
    Reasoning,

    /// <summary>Translating between languages.</summary>
    Translation,

    /// <summary>Summarising or condensing text.</summary>
    Summarization,

    /// <summary>Pulling structured data out of text.</summary>
    Extraction,

    /// <summary>Labelling or categorising.</summary>
    Classification,

    /// <summary>Stories, poems, slogans and other creative writing.</summary>
    CreativeWriting,
}
