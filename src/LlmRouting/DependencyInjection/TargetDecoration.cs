using Microsoft.Extensions.AI;

namespace LlmRouting;

/// <summary>What a decorator given to <see cref="LlmRouterBuilder.DecorateTargets"/> gets: the target's name, profile, the client to wrap and the services.</summary>
/// <param name="TargetName">The target's name.</param>
/// <param name="Profile">The target's profile.</param>
/// <param name="Client">The client to wrap (the provider client, or the previous decorator).</param>
/// <param name="Services">The service provider.</param>
public readonly record struct TargetDecoration(string TargetName, TargetProfile Profile, IChatClient Client, IServiceProvider Services);
