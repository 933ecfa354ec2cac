namespace LlmRouting.Cli.Tests;

/// <summary>Finds the shared, read-only RouteLLM data: walks up from the test's base directory to a folder holding <c>shared/data/routellm</c>.</summary>
internal static class SharedData
{
    public static string RouteLlm
    {
        get
        {
            for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "shared", "data", "routellm");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new DirectoryNotFoundException($"No 'shared/data/routellm' folder above '{AppContext.BaseDirectory}'; the end-to-end tests read RouteLLM's MMLU data from there (../shared/data/routellm relative to the repository).");
        }
    }

    public static string Mmlu => Path.Combine(RouteLlm, "mmlu");
}
