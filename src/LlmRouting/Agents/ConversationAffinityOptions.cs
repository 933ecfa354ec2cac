namespace LlmRouting.Agents;

/// <summary>Settings of conversation affinity: a conversation keeps its target from turn to turn.</summary>
/// <remarks>Bound from the <c>LlmRouting:ConversationAffinity</c> section, then refined by code (<c>UseConversationAffinity</c>).</remarks>
public sealed class ConversationAffinityOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "LlmRouting:ConversationAffinity";

    /// <summary>Gets or sets the mode.</summary>
    /// <value>The default is <see cref="ConversationAffinityMode.Stay"/>.</value>
    public ConversationAffinityMode Mode { get; set; } = ConversationAffinityMode.Stay;

    /// <summary>
    /// Gets or sets a value indicating whether a conversation with provider-side state (<see cref="Microsoft.Extensions.AI.ChatOptions.ConversationId"/> set)
    /// may move to another target when its own can no longer serve.
    /// </summary>
    /// <value>
    /// The default is <see langword="false"/>: such a conversation never moves (another provider cannot continue it); when its target
    /// cannot serve, the call fails with <see cref="NoRouteAvailableException"/> naming why. It is never escalated either.
    /// </value>
    public bool AllowProviderStateMove { get; set; }

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Mode))
        {
            throw new ArgumentException($"{SectionName}:Mode must be Stay, StayOrEscalate or Off (was {(int)Mode}).", nameof(Mode));
        }
    }
}
