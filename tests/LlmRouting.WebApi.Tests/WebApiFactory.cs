using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using LlmRouting.IntegrationTests;

namespace LlmRouting.WebApi.Tests;

/// <summary>Runs the WebApi sample in memory, its providers pointed at the loopback OpenAI-compatible server.</summary>
internal sealed class WebApiFactory(FakeOpenAIServer server, IReadOnlyDictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (string target in (string[])["economy", "premium"])
        {
            builder.UseSetting($"Providers:{target}:Endpoint", server.Endpoint.ToString());
            builder.UseSetting($"Providers:{target}:ApiKey", "test-key");
        }

        // Fail fast in tests: no retries, and a circuit that opens after two failed calls.
        builder.UseSetting("Resilience:MaxRetryAttempts", "0");
        builder.UseSetting("Resilience:MinimumThroughput", "2");
        foreach ((string key, string? value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
    }
}
