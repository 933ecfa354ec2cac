using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using LlmRouting.Configuration;

namespace LlmRouting.Resilience;

/// <summary>Fails start-up when <c>UseEscalation</c> was called without <c>UseFallback</c> (the fallback executor carries escalation out).</summary>
internal sealed class EscalationRequiresFallbackValidator : IValidateOptions<LlmRoutingOptions>
{
    private readonly IServiceProvider _services;

    public EscalationRequiresFallbackValidator(IServiceProvider services)
    {
        _services = services;
    }

    public ValidateOptionsResult Validate(string? name, LlmRoutingOptions options) =>
        _services.GetService<FallbackOptions>() is null
            ? ValidateOptionsResult.Fail("UseEscalation(...) needs UseFallback(...) on the same router: the fallback executor carries escalation out.")
            : ValidateOptionsResult.Success;
}
