using System.Globalization;

namespace WebApi;

/// <summary>The retry and circuit-breaker settings the sample passes to <c>UseFallback</c> (section <c>Resilience</c>).</summary>
internal sealed record ResilienceSettings(int MaxRetryAttempts, int MinimumThroughput, TimeSpan BreakDuration)
{
    public const string SectionName = "Resilience";

    public static ResilienceSettings Read(IConfigurationSection section)
    {
        int retries = Int(section, "MaxRetryAttempts", 2, min: 0);
        int throughput = Int(section, "MinimumThroughput", 10, min: 2);
        TimeSpan breakDuration = TimeSpan.FromSeconds(30);
        if (section["BreakDuration"] is { } text
            && (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out breakDuration) || breakDuration < TimeSpan.FromMilliseconds(500)))
        {
            throw new InvalidOperationException($"{SectionName}:BreakDuration must be a time span of at least 00:00:00.500 (was '{text}').");
        }

        return new ResilienceSettings(retries, throughput, breakDuration);
    }

    private static int Int(IConfigurationSection section, string name, int fallback, int min)
    {
        if (section[name] is not { } text)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= min
            ? value
            : throw new InvalidOperationException($"{SectionName}:{name} must be a whole number of at least {min} (was '{text}').");
    }
}
