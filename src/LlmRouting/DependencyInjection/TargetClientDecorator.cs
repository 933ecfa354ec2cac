using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>Wraps every target's client in a decorator (resilience, load tracking, per-target caching, …) when the router is built.</summary>
/// <remarks>
/// Decorators registered in DI are applied in registration order, the first innermost, each time the
/// router builds its targets (start-up and configuration reload). Per-target state must therefore be keyed
/// by <see cref="TargetDecoration.TargetName"/>, not held by the decorator instance, if it has to survive a reload.
/// </remarks>
public sealed class TargetClientDecorator
{
    /// <summary>Initializes a new instance of the <see cref="TargetClientDecorator"/> class.</summary>
    /// <param name="decorate">Returns the client to use for the target: the one given, or a decorator around it.</param>
    public TargetClientDecorator(Func<TargetDecoration, IChatClient> decorate)
    {
        ArgumentNullException.ThrowIfNull(decorate);
        Decorate = decorate;
    }

    /// <summary>Gets the decorating function.</summary>
    public Func<TargetDecoration, IChatClient> Decorate { get; }
}
