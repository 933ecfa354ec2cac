namespace LlmRouting.Tests.Architecture;

/// <summary>Finds the repository's C# sources (walking up from the test's base directory to LlmRouting.sln), build output excluded.</summary>
internal static class RepositorySources
{
    public static string Root { get; } = FindRoot();

    /// <summary>Gets the <c>.cs</c> files under <paramref name="folder"/> (relative to the root), without <c>bin/</c> and <c>obj/</c>.</summary>
    public static IEnumerable<string> CSharpFiles(string folder)
    {
        string directory = Path.Combine(Root, folder);
        return Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)
            .Where(path => !IsBuildOutput(Path.GetRelativePath(directory, path)))
            .Order(StringComparer.Ordinal);
    }

    /// <summary>Gets <paramref name="path"/> relative to the root, with forward slashes.</summary>
    public static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    private static bool IsBuildOutput(string relative)
    {
        string[] parts = relative.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        return parts.Any(p => p is "bin" or "obj");
    }

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LlmRouting.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("The repository root (LlmRouting.sln) is not above the test's base directory.");
    }
}
