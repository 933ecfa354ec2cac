namespace LlmRouting;

/// <summary>The quality tier of a target, from cheapest to strongest.</summary>
/// <remarks>Escalation moves to a higher tier; cost-aware routing prefers the lowest tier that is good enough.</remarks>
public enum QualityTier
{
    /// <summary>Small, cheap, fast models for routine requests.</summary>
    Economy = 0,

    /// <summary>Mid-range models.</summary>
    Standard = 1,

    /// <summary>The strongest and most expensive models.</summary>
    Premium = 2,
}
