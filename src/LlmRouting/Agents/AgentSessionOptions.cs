namespace LlmRouting.Agents;

/// <summary>How the router recognises and remembers agent sessions (shared by conversation affinity, loop detection and turn accounting).</summary>
/// <remarks>Bound from the <c>LlmRouting:Agents</c> section, then refined by code (<c>UseAgentSessions</c>).</remarks>
public sealed class AgentSessionOptions
{
    /// <summary>The configuration section, below <c>LlmRouting</c>.</summary>
    public const string SectionName = "LlmRouting:Agents";

    /// <summary>Gets or sets the metadata key (<see cref="Microsoft.Extensions.AI.ChatOptions.AdditionalProperties"/>) that names a session when <see cref="Microsoft.Extensions.AI.ChatOptions.ConversationId"/> is not set.</summary>
    /// <value>The default is <see cref="RequestMetadataKeys.Session"/> (<c>session</c>); <see langword="null"/> uses the conversation id only.</value>
    public string? SessionMetadataKey { get; set; } = RequestMetadataKeys.Session;

    /// <summary>Gets or sets how long a session is remembered after its last call.</summary>
    /// <value>The default is one hour.</value>
    public TimeSpan SessionTimeToLive { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets the most sessions remembered at once in this process; the least recently used are forgotten first.</summary>
    /// <value>The default is 100 000.</value>
    public int MaxSessions { get; set; } = 100_000;

    /// <summary>Gets or sets a value indicating whether a conversation's target is shared with other app instances through the registered statistics store (e.g. Redis).</summary>
    /// <value>The default is <see langword="true"/>; with the in-memory store (one process) nothing is shared.</value>
    public bool ShareThroughStatisticsStore { get; set; } = true;

    /// <summary>Gets or sets the target that serves continuation steps (after tool results) when no strategy decides, instead of the default target.</summary>
    /// <value>The default is <see langword="null"/>: the default target.</value>
    public string? ToolResultTarget { get; set; }

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        if (SessionMetadataKey is { } key && string.IsNullOrWhiteSpace(key))
        {
            throw new ArgumentException($"{SectionName}:SessionMetadataKey must not be empty or white space (set it to null to use ConversationId only).", nameof(SessionMetadataKey));
        }

        if (SessionTimeToLive <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{SectionName}:SessionTimeToLive must be positive (was {SessionTimeToLive}).", nameof(SessionTimeToLive));
        }

        if (MaxSessions < 1)
        {
            throw new ArgumentException($"{SectionName}:MaxSessions must be at least 1 (was {MaxSessions}).", nameof(MaxSessions));
        }

        if (ToolResultTarget is { } target && string.IsNullOrWhiteSpace(target))
        {
            throw new ArgumentException($"{SectionName}:ToolResultTarget must name a target (or be null).", nameof(ToolResultTarget));
        }
    }
}
