using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Sends a request to one target with the profile's model id (none when the profile has none, so the client's default), without touching the caller's options.</summary>
/// <remarks>A caller's model id never reaches a target it was not priced for (<see cref="CallerModelIdMode"/>).</remarks>
internal sealed class TargetChatClient : DelegatingChatClient
{
    private readonly RouteTarget _target;

    public TargetChatClient(IChatClient innerClient, RouteTarget target)
        : base(innerClient)
    {
        _target = target;
    }

    public override Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetResponseAsync(messages, ApplyProfile(options), cancellationToken);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        base.GetStreamingResponseAsync(messages, ApplyProfile(options), cancellationToken);

    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(RouteTarget) ? _target : base.GetService(serviceType, serviceKey);
    }

    /// <summary>Returns options carrying the target's model id: a clone when it must change, never the instance passed in mutated.</summary>
    private ChatOptions? ApplyProfile(ChatOptions? options)
    {
        string? modelId = _target.Profile.ModelId;
        if (string.Equals(options?.ModelId, modelId, StringComparison.Ordinal))
        {
            return options;
        }

        ChatOptions clone = options?.Clone() ?? new ChatOptions();
        clone.ModelId = modelId;
        return clone;
    }
}
