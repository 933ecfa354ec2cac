namespace LlmRouting;

/// <summary>What the router does with a caller's <see cref="Microsoft.Extensions.AI.ChatOptions.ModelId"/>.</summary>
/// <remarks>
/// Whatever the mode, a target is only ever sent its own model id (<see cref="TargetProfile.ModelId"/>, or none so its
/// client uses its default), so a request is always priced at the prices of the model that served it.
/// </remarks>
public enum CallerModelIdMode
{
    /// <summary>
    /// A caller's model id that names a target, or a target's model id, pins the request to that target (the candidate
    /// filters still apply; <see cref="RouteInfo.Strategy"/> is <c>pinned</c>). Any other model id is replaced by the
    /// serving target's own, with a warning logged once.
    /// </summary>
    Pin = 0,

    /// <summary>A caller's model id never affects the decision; it is replaced by the serving target's own, without a warning.</summary>
    Ignore = 1,
}
