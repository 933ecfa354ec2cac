using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using LlmRouting.Configuration;
using LlmRouting.Strategies;

namespace LlmRouting;

/// <summary>Validates <see cref="LlmRoutingOptions"/> and the builder's wiring at start-up, at build and on reload; each failure names the offending field.</summary>
internal sealed class LlmRoutingOptionsValidator : IValidateOptions<LlmRoutingOptions>
{
    private const string Section = LlmRoutingOptions.SectionName;

    /// <summary>Failures of the strict binding of options the options framework populated (it cannot return them itself).</summary>
    private static readonly ConditionalWeakTable<LlmRoutingOptions, List<string>> BindingFailures = [];

    private readonly LlmRouterBuilder _builder;
    private readonly IServiceProvider _services;
    private readonly IServiceProviderIsKeyedService? _keyedServices;

    public LlmRoutingOptionsValidator(LlmRouterBuilder builder, IServiceProvider services)
    {
        _builder = builder;
        _services = services;
        _keyedServices = services.GetService<IServiceProviderIsKeyedService>();
    }

    /// <summary>Remembers the binding failures of <paramref name="options"/> until it is validated.</summary>
    public static void SetBindingFailures(LlmRoutingOptions options, List<string> failures) => BindingFailures.AddOrUpdate(options, failures);

    public ValidateOptionsResult Validate(string? name, LlmRoutingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (BindingFailures.TryGetValue(options, out List<string>? binding))
        {
            failures.AddRange(binding);
        }

        failures.AddRange(Collect(options));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Returns every failure of the options and the wiring (not the binding's, which the caller has).</summary>
    public List<string> Collect(LlmRoutingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>(_builder.WiringErrors);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        if (options.Targets.Count == 0)
        {
            failures.Add($"{Section}:Targets must contain at least one target.");
        }

        for (int i = 0; i < options.Targets.Count; i++)
        {
            ValidateTarget(options.Targets[i], $"{Section}:Targets[{i}]", names, failures);
        }

        string known = string.Join(", ", names);
        if (string.IsNullOrWhiteSpace(options.Default))
        {
            failures.Add($"{Section}:Default is required: name the target that serves requests no strategy decides (known targets: {known}).");
        }
        else if (!names.Contains(options.Default))
        {
            failures.Add($"{Section}:Default '{options.Default}' is not a configured target (known targets: {known}).");
        }

        if (options.Baseline is { } baseline && !names.Contains(baseline))
        {
            failures.Add($"{Section}:Baseline '{baseline}' is not a configured target (known targets: {known}).");
        }

        var ruleNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < options.Rules.Count; i++)
        {
            ValidateRule(options.Rules[i], i, names, known, failures);
            if (options.Rules[i].Name is { Length: > 0 } ruleName && !ruleNames.Add(ruleName))
            {
                failures.Add($"{Section}:Rules[{i}] ('{ruleName}'):Name is a duplicate; rule names must be unique.");
            }
        }

        ValidateStrategies(options, failures);
        foreach (Func<IServiceProvider, LlmRoutingOptions, IEnumerable<string>> validator in _builder.Validators)
        {
            failures.AddRange(validator(_services, options));
        }

        return failures;
    }

    private void ValidateTarget(TargetOptions target, string path, HashSet<string> names, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(target.Name))
        {
            failures.Add($"{path}:Name is required.");
            return;
        }

        string at = $"{path} ('{target.Name}')";
        if (target.Name.Trim().Length != target.Name.Length)
        {
            failures.Add($"{at}:Name has leading or trailing white space.");
        }

        if (!names.Add(target.Name.Trim()))
        {
            failures.Add($"{at}:Name is a duplicate; target names must be unique.");
        }

        for (int t = 0; t < target.Tags.Count; t++)
        {
            if (string.IsNullOrWhiteSpace(target.Tags[t]))
            {
                failures.Add($"{at}:Tags[{t}] is empty.");
            }
        }

        CheckNotNegative(target.InputPricePerMillion, $"{at}:InputPricePerMillion", failures);
        CheckNotNegative(target.OutputPricePerMillion, $"{at}:OutputPricePerMillion", failures);
        CheckNotNegative(target.CachedInputPricePerMillion, $"{at}:CachedInputPricePerMillion", failures);

        if (target.ContextWindow is <= 0)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{at}:ContextWindow must be positive (was {target.ContextWindow})."));
        }

        if (target.MaxOutputTokens is <= 0)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{at}:MaxOutputTokens must be positive (was {target.MaxOutputTokens})."));
        }
        else if (target.MaxOutputTokens > target.ContextWindow)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{at}:MaxOutputTokens ({target.MaxOutputTokens}) exceeds ContextWindow ({target.ContextWindow})."));
        }

        string key = target.ClientKey ?? target.Name;
        if (target.ClientFactory is null && _keyedServices is not null && !_keyedServices.IsKeyedService(typeof(IChatClient), key))
        {
            failures.Add($"{at}: no IChatClient is registered with key '{key}'. Register one with services.AddKeyedChatClient(\"{key}\", …), set ClientKey, or give the target a client in code.");
        }
    }

    private static void ValidateRule(RuleOptions rule, int index, HashSet<string> names, string known, List<string> failures)
    {
        string at = string.IsNullOrWhiteSpace(rule.Name) ? $"{Section}:Rules[{index}]" : $"{Section}:Rules[{index}] ('{rule.Name}')";
        if (string.IsNullOrWhiteSpace(rule.Target))
        {
            failures.Add($"{at}:Target is required.");
        }
        else if (!names.Contains(rule.Target))
        {
            failures.Add($"{at}:Target '{rule.Target}' is not a configured target (known targets: {known}).");
        }

        for (int f = 0; f < rule.Fallbacks.Count; f++)
        {
            if (!names.Contains(rule.Fallbacks[f]))
            {
                failures.Add($"{at}:Fallbacks[{f}] '{rule.Fallbacks[f]}' is not a configured target (known targets: {known}).");
            }
        }

        if (!rule.HasCondition)
        {
            failures.Add($"{at} has no condition; set one of ContainsAny, ContainsAll, Regex, Metadata, Tags, MinTokens, MaxTokens, MinMessages, MaxMessages, Requires, Tasks, MinComplexity, MinRisk, HasPii (or a predicate in code).");
        }

        if (rule.RegexTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{at}:RegexTimeout must be positive (was {rule.RegexTimeout}).");
        }
        else if (!string.IsNullOrEmpty(rule.Regex))
        {
            try
            {
                _ = RoutingRule.CompileRegex(rule.Name ?? $"rule-{index}", rule.Regex, rule.RegexTimeout);
            }
            catch (ArgumentException ex)
            {
                failures.Add($"{at}:Regex is invalid: {ex.InnerException?.Message ?? ex.Message}");
            }
        }

        if (rule.MinComplexity is { } complexity && !(complexity >= 0 && complexity <= 1))
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{at}:MinComplexity must be from 0 to 1 (was {complexity})."));
        }

        CheckRange(rule.MinTokens, rule.MaxTokens, at, "Tokens", failures);
        CheckRange(rule.MinMessages, rule.MaxMessages, at, "Messages", failures);
        foreach (string term in rule.ContainsAny.Concat(rule.ContainsAll))
        {
            if (string.IsNullOrEmpty(term))
            {
                failures.Add($"{at}: ContainsAny/ContainsAll must not contain empty terms (an empty term matches everything).");
                break;
            }
        }
    }

    private void ValidateStrategies(LlmRoutingOptions options, List<string> failures)
    {
        var registered = new HashSet<string>(_builder.Strategies.Select(s => s.Name), StringComparer.OrdinalIgnoreCase);
        var listed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < options.Strategies.Count; i++)
        {
            string strategy = options.Strategies[i];
            if (!registered.Contains(strategy))
            {
                failures.Add($"{Section}:Strategies[{i}] '{strategy}' is not a registered strategy (registered: {string.Join(", ", registered)}).{Suggest(strategy, registered)}");
            }
            else if (!listed.Add(strategy))
            {
                failures.Add($"{Section}:Strategies[{i}] '{strategy}' is listed twice; a strategy runs once in the chain.");
            }
        }

        bool rulesListed = options.Strategies.Contains(RuleStrategy.StrategyName, StringComparer.OrdinalIgnoreCase) ||
            _builder.ChainedStrategies.Contains(RuleStrategy.StrategyName, StringComparer.OrdinalIgnoreCase);
        if (rulesListed && options.Rules.Count == 0)
        {
            failures.Add($"{Section}:Rules is empty, but the '{RuleStrategy.StrategyName}' strategy is enabled; add at least one rule or remove the strategy.");
        }
    }

    private static string Suggest(string name, IEnumerable<string> known) =>
        ConfigurationValues.Nearest(name, known) is { } nearest ? $" Did you mean '{nearest}'?" : string.Empty;

    private static void CheckRange(int? min, int? max, string at, string what, List<string> failures)
    {
        if (min is < 0)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{at}:Min{what} must not be negative (was {min})."));
        }

        if (max is < 0)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{at}:Max{what} must not be negative (was {max})."));
        }

        if (min is { } lo && max is { } hi && lo > hi)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{at}:Min{what} ({lo}) exceeds Max{what} ({hi}); the rule could never match."));
        }
    }

    private static void CheckNotNegative(decimal? value, string field, List<string> failures)
    {
        if (value < 0)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{field} must not be negative (was {value})."));
        }
    }
}
