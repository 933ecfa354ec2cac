using System.Globalization;

namespace LlmRouting.IntegrationTests;

/// <summary>A fact that runs only when <c>LLMROUTING_SOAK_REQUESTS</c> is set (e.g. 100000): the large soak run.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OptInSoakFactAttribute : FactAttribute
{
    /// <summary>The environment variable holding the request count.</summary>
    public const string Variable = "LLMROUTING_SOAK_REQUESTS";

    /// <summary>Initializes a new instance of the <see cref="OptInSoakFactAttribute"/> class.</summary>
    public OptInSoakFactAttribute()
    {
        if (Requests <= 0)
        {
            Skip = $"Opt-in: set {Variable}=100000 to run the large soak.";
        }
    }

    /// <summary>Gets the request count from the environment, or 0.</summary>
    public static int Requests =>
        int.TryParse(Environment.GetEnvironmentVariable(Variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : 0;
}
