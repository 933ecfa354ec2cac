namespace LlmRouting.Learning;

/// <summary>Where a <see cref="RoutingLabel"/> came from.</summary>
public enum RoutingLabelSource
{
    /// <summary>A quality audit: the served answer compared with a reference target's answer.</summary>
    Audit,

    /// <summary>An outcome score reported through <see cref="RouteFeedback.RecordOutcomeAsync"/>.</summary>
    Outcome,

    /// <summary>An escalation: the served tier's answer was rejected and a stronger target answered ("premium needed").</summary>
    Escalation,
}
