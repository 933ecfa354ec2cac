namespace LlmRouting.Analysis;

/// <summary>How much harm a wrong or leaked answer could do.</summary>
public enum RiskLevel
{
    /// <summary>No risk signal.</summary>
    None = 0,

    /// <summary>A weak signal (one domain term).</summary>
    Low,

    /// <summary>A clear high-stakes domain.</summary>
    Medium,

    /// <summary>A high-stakes domain with personal data, or several strong signals.</summary>
    High,
}
