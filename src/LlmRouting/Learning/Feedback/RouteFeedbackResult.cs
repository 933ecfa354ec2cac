namespace LlmRouting.Learning;

/// <summary>What happened to an outcome reported through <see cref="RouteFeedback.RecordOutcomeAsync"/>.</summary>
public enum RouteFeedbackResult
{
    /// <summary>The outcome was stored with the route's features and passed to the learners.</summary>
    Recorded,

    /// <summary>No recent route has that id (never routed here, or pushed out by newer routes); nothing was stored.</summary>
    UnknownRoute,

    /// <summary>The route is older than <see cref="RouteFeedbackOptions.RetentionPeriod"/>; nothing was stored.</summary>
    Expired,

    /// <summary>An outcome was already recorded for the route; the new one was ignored so a route counts once.</summary>
    AlreadyRecorded,
}
