using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using LlmRouting.IntegrationTests;

namespace LlmRouting.WebApi.Tests;

/// <summary>Runs the WebApi sample in memory, its providers pointed at the loopback OpenAI-compatible server.</summary>
internal sealed class WebApiFactory(FakeOpenAIServer server, IReadOnlyDictionary<string, string?>? settings = null, string? extraJsonFile = null) : WebApplicationFactory<Program>
{
    /// <summary>Gets the app's log entries at Warning and above (level, event id, message).</summary>
    public ConcurrentQueue<(LogLevel Level, int EventId, string Message)> Warnings { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureLogging(logging => logging.AddProvider(new WarningCollector(Warnings)));
        if (extraJsonFile is not null)
        {
            // A second settings file, reloaded on change like appsettings.json.
            builder.ConfigureAppConfiguration(configuration => configuration.AddJsonFile(extraJsonFile, optional: false, reloadOnChange: true));
        }

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

/// <summary>Keeps the log entries at Warning and above.</summary>
internal sealed class WarningCollector(ConcurrentQueue<(LogLevel, int, string)> entries) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(entries);

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<(LogLevel, int, string)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                entries.Enqueue((logLevel, eventId.Id, formatter(state, exception)));
            }
        }
    }
}
