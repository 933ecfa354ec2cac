using Microsoft.Extensions.Options;
using LlmRouting.Configuration;

namespace LlmRouting.Agents;

/// <summary>The agent settings in force: sessions, and affinity and loop detection when they are on.</summary>
internal sealed record AgentSettings(AgentSessionOptions Sessions, ConversationAffinityOptions? Affinity, LoopDetectionOptions? Loop);

/// <summary>What the <c>Use…</c> calls asked for; <see cref="Create"/> binds the sections and applies the code's changes (at start-up and on every reload).</summary>
internal sealed class AgentConfiguration(LlmRouterBuilder builder)
{
    private const string SessionsSection = "Agents";
    private const string AffinitySection = "ConversationAffinity";
    private const string LoopSection = "LoopDetection";

    public LlmRouterBuilder Builder { get; } = builder;

    public List<Action<AgentSessionOptions>> Sessions { get; } = [];

    public List<Action<ConversationAffinityOptions>>? Affinity { get; set; }

    public List<Action<LoopDetectionOptions>>? Loop { get; set; }

    /// <summary>The configuration of <paramref name="builder"/>, registered once on its services.</summary>
    public static AgentConfiguration For(LlmRouterBuilder builder)
    {
        foreach (Microsoft.Extensions.DependencyInjection.ServiceDescriptor descriptor in builder.Services)
        {
            if (descriptor.ServiceType == typeof(AgentConfiguration) && descriptor.ImplementationInstance is AgentConfiguration existing && existing.Builder == builder)
            {
                return existing;
            }
        }

        var configuration = new AgentConfiguration(builder);
        Register(builder, configuration);
        return configuration;
    }

    /// <summary>Binds, refines and validates the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    /// <exception cref="OptionsValidationException">A section cannot be read.</exception>
    public AgentSettings Create(IServiceProvider services)
    {
        AgentSessionOptions sessions = Bind(services, SessionsSection, new AgentSessionOptions(), Sessions);
        sessions.Validate();
        ConversationAffinityOptions? affinity = Affinity is null ? null : Bind(services, AffinitySection, new ConversationAffinityOptions(), Affinity);
        affinity?.Validate();
        LoopDetectionOptions? loop = Loop is null ? null : Bind(services, LoopSection, new LoopDetectionOptions(), Loop);
        loop?.Validate();
        return new AgentSettings(sessions, affinity, loop);
    }

    private IEnumerable<string> Failures(IServiceProvider services, LlmRoutingOptions routing)
    {
        AgentSettings settings;
        try
        {
            settings = Create(services);
        }
        catch (ArgumentException e)
        {
            return [e.Message];
        }
        catch (OptionsValidationException e)
        {
            return e.Failures;
        }

        return settings.Sessions.ToolResultTarget is { } target && routing.FindTarget(target) is null
            ? [$"{AgentSessionOptions.SectionName}:ToolResultTarget names '{target}', which is not a configured target (known targets: {string.Join(", ", routing.Targets.Select(t => t.Name))})."]
            : [];
    }

    private T Bind<T>(IServiceProvider services, string section, T options, List<Action<T>> changes)
        where T : class
    {
        ConfigurationValues.Bind(Builder.SectionOf(services, section), options);
        foreach (Action<T> change in changes)
        {
            change(options);
        }

        return options;
    }

    private static void Register(LlmRouterBuilder builder, AgentConfiguration configuration)
    {
        builder.Services.Add(Microsoft.Extensions.DependencyInjection.ServiceDescriptor.Singleton(configuration));
        builder.ClaimSection<AgentSessionOptions>(SessionsSection);
        builder.Validators.Add(configuration.Failures);
    }

    /// <summary>Claims the affinity section (strict binding) the first time affinity is turned on.</summary>
    public void ClaimAffinity() => Builder.ClaimSection<ConversationAffinityOptions>(AffinitySection);

    /// <summary>Claims the loop-detection section the first time loop detection is turned on.</summary>
    public void ClaimLoop() => Builder.ClaimSection<LoopDetectionOptions>(LoopSection);
}
