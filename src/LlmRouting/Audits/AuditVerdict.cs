namespace LlmRouting.Audits;

/// <summary>How the served answer compared with the reference answer.</summary>
public enum AuditVerdict
{
    /// <summary>The served (cheaper) answer is better.</summary>
    ServedBetter,

    /// <summary>Both answers are equally good.</summary>
    Tie,

    /// <summary>The reference answer is better: a stronger target was needed.</summary>
    ReferenceBetter,
}
