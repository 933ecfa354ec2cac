using System.Globalization;

namespace LlmRouting.IntegrationTests;

/// <summary>
/// Marks the large soak run (100 000 requests by default, <c>LLMROUTING_SOAK_REQUESTS</c> to change it) with the
/// trait <c>Category=LargeSoak</c> (put <c>[Trait("Category", OptInSoakFactAttribute.Category)]</c> beside it). The test command (<c>./test.sh</c>) filters it out, so CI never reports it as
/// skipped; run it with <c>dotnet test tests/LlmRouting.IntegrationTests --filter Category=LargeSoak</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class OptInSoakFactAttribute : FactAttribute
{
    /// <summary>The environment variable holding the request count.</summary>
    public const string Variable = "LLMROUTING_SOAK_REQUESTS";

    /// <summary>The trait value the test command excludes.</summary>
    public const string Category = "LargeSoak";

    /// <summary>Gets the request count from the environment, or 100 000.</summary>
    public static int Requests =>
        int.TryParse(Environment.GetEnvironmentVariable(Variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 100_000;
}
