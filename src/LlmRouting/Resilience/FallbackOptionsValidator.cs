using Microsoft.Extensions.Options;
using LlmRouting.Configuration;

namespace LlmRouting.Resilience;

/// <summary>Checks at start-up that the fallback's last-resort targets exist.</summary>
internal sealed class FallbackOptionsValidator : IValidateOptions<LlmRoutingOptions>
{
    private readonly FallbackOptions _fallback;

    public FallbackOptionsValidator(FallbackOptions fallback)
    {
        _fallback = fallback;
    }

    public ValidateOptionsResult Validate(string? name, LlmRoutingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        for (int i = 0; i < _fallback.LastResort.Count; i++)
        {
            if (options.FindTarget(_fallback.LastResort[i]) is null)
            {
                failures.Add($"Fallback:LastResort[{i}] '{_fallback.LastResort[i]}' is not a configured target (known targets: {string.Join(", ", options.Targets.Select(t => t.Name))}).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
