using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using LlmRouting.Configuration;
using LlmRouting.Filtering;
using LlmRouting.Strategies;

namespace LlmRouting;

/// <summary>Adds the LLM-as-judge strategy to a router (off unless added).</summary>
public static class JudgeLlmRouterBuilderExtensions
{
    /// <summary>Asks a configured target (typically a cheap one) to classify each request into a tier or target.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="configure">Sets the judge target, choices, timeout; applied after the <c>LlmRouting:Judge</c> section.</param>
    /// <returns>The builder.</returns>
    /// <example><code>.UseJudge(j => { j.Target = "economy"; j.Timeout = TimeSpan.FromSeconds(1); })</code></example>
    public static LlmRouterBuilder UseJudge(this LlmRouterBuilder builder, Action<JudgeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return RegisterJudge(builder, client: null, prices: null, configure, "UseJudge").Chain(JudgeStrategy.StrategyName);
    }

    /// <summary>Asks <paramref name="judge"/> (any chat client, outside the router) to classify each request into a tier or target.</summary>
    /// <param name="builder">The router builder.</param>
    /// <param name="judge">The judging client (not owned by the router).</param>
    /// <param name="prices">The judge's prices, so its calls are costed; <see langword="null"/> leaves them unknown.</param>
    /// <param name="configure">Sets choices and timeout; applied after the <c>LlmRouting:Judge</c> section.</param>
    /// <returns>The builder.</returns>
    public static LlmRouterBuilder UseJudge(this LlmRouterBuilder builder, IChatClient judge, TargetProfile? prices = null, Action<JudgeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(judge);
        return RegisterJudge(builder, judge, prices, configure, "UseJudge").Chain(JudgeStrategy.StrategyName);
    }

    /// <summary>Registers the judge under its name without adding it to the chain.</summary>
    internal static LlmRouterBuilder RegisterJudge(LlmRouterBuilder builder, IChatClient? client, TargetProfile? prices, Action<JudgeOptions>? configure, string origin, Func<IServiceProvider, JudgeOptions>? baseOptions = null)
    {
        if (baseOptions is null)
        {
            builder.ClaimSection<JudgeOptions>(JudgeSection);
        }

        return builder.RegisterStrategy(JudgeStrategy.StrategyName, (sp, o) =>
        {
            JudgeOptions options = baseOptions?.Invoke(sp) ?? ConfigurationValues.Bind(builder.SectionOf(sp, JudgeSection), new JudgeOptions());
            configure?.Invoke(options);
            List<string> failures = OptionsValidation.Validate(options, JudgeOptions.SectionName);
            foreach (string name in options.Targets.Keys)
            {
                if (!string.IsNullOrWhiteSpace(name) && !name.Any(char.IsWhiteSpace) && o.FindTarget(name) is null)
                {
                    failures.Add($"{JudgeOptions.SectionName}:Targets names '{name}', which is not a configured target (known targets: {StrategyChain.Known(o)}).");
                }
            }

            if (client is null && options.Target is null)
            {
                failures.Add($"{JudgeOptions.SectionName}:Target is required: name the (cheap) target that judges, or pass a client to UseJudge (known targets: {StrategyChain.Known(o)}).");
            }
            else if (client is null && !string.IsNullOrWhiteSpace(options.Target) && o.FindTarget(options.Target) is null)
            {
                failures.Add($"{JudgeOptions.SectionName}:Target '{options.Target}' is not a configured target (known targets: {StrategyChain.Known(o)}).");
            }

            if (failures.Count > 0)
            {
                throw new OptionsValidationException(JudgeOptions.SectionName, typeof(JudgeOptions), failures);
            }

            if (client is null)
            {
                TargetOptions target = o.FindTarget(options.Target!)!;
                TargetProfile profile = target.ToProfile();
                IChatClient raw = target.ClientFactory?.Invoke(sp) ?? sp.GetRequiredKeyedService<IChatClient>(target.ClientKey ?? target.Name);

                // The target's dispatch client applies its model id; the judge call is not routed (no recursion).
                var judgeTarget = new RouteTarget(target.Name, raw, profile);
                return new JudgeStrategy(judgeTarget.Client, options, profile, sp.GetService<TimeProvider>(), sp.GetService<ILogger<JudgeStrategy>>(), sp.GetService<SensitivityPolicy>());
            }

            return new JudgeStrategy(client, options, prices, sp.GetService<TimeProvider>(), sp.GetService<ILogger<JudgeStrategy>>(), sp.GetService<SensitivityPolicy>());
        }, origin);
    }

    private const string JudgeSection = "Judge";
}
