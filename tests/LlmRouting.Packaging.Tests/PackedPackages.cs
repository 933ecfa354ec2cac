using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

namespace LlmRouting.Packaging.Tests;

/// <summary>Packs every shipping project once (<c>dotnet pack --no-build</c>, the configuration these tests were built in) into a temporary folder.</summary>
public sealed class PackedPackages : IDisposable
{
    /// <summary>The shipping projects: package id → project path relative to the repository root.</summary>
    public static readonly IReadOnlyDictionary<string, string> Projects = new Dictionary<string, string>
    {
        ["LlmRouting"] = "src/LlmRouting/LlmRouting.csproj",
        ["LlmRouting.Redis"] = "src/LlmRouting.Redis/LlmRouting.Redis.csproj",
        ["LlmRouting.JsonSchema"] = "src/LlmRouting.JsonSchema/LlmRouting.JsonSchema.csproj",
        ["LlmRouting.Cli"] = "src/LlmRouting.Cli/LlmRouting.Cli.csproj",
    };

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    public PackedPackages()
    {
        RepositoryRoot = FindRepositoryRoot();
        Output = Directory.CreateTempSubdirectory("llmrouting-pack-").FullName;
        Version = XDocument.Load(Path.Combine(RepositoryRoot, "Directory.Build.props"))
            .Descendants("VersionPrefix").Single().Value;
        foreach (string project in Projects.Values)
        {
            Pack(Path.Combine(RepositoryRoot, project));
        }
    }

    public string RepositoryRoot { get; }

    public string Output { get; }

    /// <summary>The one version every package carries (<c>VersionPrefix</c> in Directory.Build.props).</summary>
    public string Version { get; }

    public string PackagePath(string id) => Path.Combine(Output, $"{id}.{Version}.nupkg");

    public string SymbolsPath(string id) => Path.Combine(Output, $"{id}.{Version}.snupkg");

    public void Dispose() => Directory.Delete(Output, recursive: true);

    private void Pack(string project)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot,
        };
        foreach (string argument in new[] { "pack", project, "-c", Configuration, "--no-build", "--nologo", "-o", Output })
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("dotnet could not be started.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet pack {project} did not finish in 3 minutes.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet pack {project} failed ({process.ExitCode}):\n{output.Result}\n{error.Result}");
        }
    }

    private static string FindRepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LlmRouting.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No LlmRouting.sln above {AppContext.BaseDirectory}.");
    }
}

internal static class Nupkg
{
    public static string? ReadText(string package, string entryName)
    {
        using ZipArchive zip = ZipFile.OpenRead(package);
        ZipArchiveEntry? entry = zip.GetEntry(entryName);
        if (entry is null)
        {
            return null;
        }

        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    public static IReadOnlyList<string> Entries(string package)
    {
        using ZipArchive zip = ZipFile.OpenRead(package);
        return zip.Entries.Select(e => e.FullName).ToList();
    }

    public static XElement Metadata(string package, string id)
    {
        string nuspec = ReadText(package, $"{id}.nuspec") ?? throw new InvalidOperationException($"{package} has no nuspec.");
        XElement root = XDocument.Parse(nuspec).Root!;
        return root.Elements().Single(e => e.Name.LocalName == "metadata");
    }

    public static XElement? Child(this XElement element, string localName) =>
        element.Elements().SingleOrDefault(e => e.Name.LocalName == localName);
}
