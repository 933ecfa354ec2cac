using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using LlmRouting.Resilience;

namespace LlmRouting;

/// <summary>Adds JSON-schema checking to escalation.</summary>
public static class JsonSchemaEscalationLlmRouterBuilderExtensions
{
    /// <summary>Escalates answers to structured-output requests that are not JSON or fail the requested schema (<see cref="JsonSchemaEvaluator"/>).</summary>
    /// <param name="builder">The router builder; <c>UseFallback()</c> and <c>UseEscalation()</c> are required as well.</param>
    /// <returns>The builder.</returns>
    public static LlmRouterBuilder UseJsonSchemaEscalation(this LlmRouterBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IResponseEvaluator, JsonSchemaEvaluator>());
        return builder;
    }
}
