namespace LlmRouting;

/// <summary>Why a target could not serve a request.</summary>
/// <param name="Target">The rejected target's name.</param>
/// <param name="Filter">The name of the filter that rejected it.</param>
/// <param name="Reason">A content-free explanation, e.g. <c>lacks Vision</c>.</param>
public sealed record CandidateRejection(string Target, string Filter, string Reason)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Target}: {Reason} ({Filter})";
}
