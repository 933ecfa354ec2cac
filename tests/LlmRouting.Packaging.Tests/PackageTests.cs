using System.Text.RegularExpressions;

namespace LlmRouting.Packaging.Tests;

/// <summary>What a package page and a debugger see: README, metadata, symbols, one version.</summary>
public sealed partial class PackageTests(PackedPackages packages) : IClassFixture<PackedPackages>
{
    public static TheoryData<string> Ids => new(PackedPackages.Projects.Keys);

    [Theory]
    [MemberData(nameof(Ids))]
    public void EachPackage_HasTheOneVersion_AndASymbolsPackageWithItsPdb(string id)
    {
        Assert.True(File.Exists(packages.PackagePath(id)), $"{id}: no {Path.GetFileName(packages.PackagePath(id))}");
        Assert.True(File.Exists(packages.SymbolsPath(id)), $"{id}: no {Path.GetFileName(packages.SymbolsPath(id))}");
        Assert.Contains(Nupkg.Entries(packages.SymbolsPath(id)), e => e.EndsWith(".pdb", StringComparison.Ordinal));
        Assert.Equal(packages.Version, Nupkg.Metadata(packages.PackagePath(id), id).Child("version")?.Value);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void EachPackage_CarriesItsOwnReadme_WithOnlyAbsoluteLinks(string id)
    {
        string package = packages.PackagePath(id);
        Assert.Equal("README.md", Nupkg.Metadata(package, id).Child("readme")?.Value);
        string readme = Nupkg.ReadText(package, "README.md") ?? throw new Xunit.Sdk.XunitException($"{id}: no README.md in the package");

        Assert.StartsWith($"# {id}", readme, StringComparison.Ordinal);
        string[] relative = MarkdownLink().Matches(readme).Select(m => m.Groups["url"].Value)
            .Where(url => !url.StartsWith("https://", StringComparison.Ordinal) && !url.StartsWith('#'))
            .ToArray();
        Assert.True(relative.Length == 0, $"{id}: links that break on a package page: {string.Join(", ", relative)}");
        Assert.DoesNotContain("./test.sh", readme, StringComparison.Ordinal);
        Assert.DoesNotContain("samples/", readme, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void EachPackage_NamesItsRepository_AndTheCommitItWasBuiltFrom(string id)
    {
        var metadata = Nupkg.Metadata(packages.PackagePath(id), id);
        var repository = metadata.Child("repository") ?? throw new Xunit.Sdk.XunitException($"{id}: no <repository>");
        Assert.Equal("git", repository.Attribute("type")?.Value);
        Assert.StartsWith("https://github.com/", repository.Attribute("url")?.Value, StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? string.Empty);
        Assert.StartsWith("https://", metadata.Child("projectUrl")?.Value, StringComparison.Ordinal);
        Assert.Equal("MIT", metadata.Child("license")?.Value);
        Assert.False(string.IsNullOrWhiteSpace(metadata.Child("description")?.Value), $"{id}: no description");
    }

    [Fact]
    public void EveryLibraryProject_HasAPublicApiBaseline()
    {
        foreach ((string id, string project) in PackedPackages.Projects)
        {
            if (id == "LlmRouting.Cli")
            {
                continue; // a tool, not a library: it has no public API to keep stable
            }

            string folder = Path.GetDirectoryName(Path.Combine(packages.RepositoryRoot, project))!;
            Assert.True(File.Exists(Path.Combine(folder, "PublicAPI.Shipped.txt")), $"{id}: no PublicAPI.Shipped.txt");
            string unshipped = Path.Combine(folder, "PublicAPI.Unshipped.txt");
            Assert.True(File.Exists(unshipped), $"{id}: no PublicAPI.Unshipped.txt");
            Assert.Contains(File.ReadLines(unshipped).Concat(File.ReadLines(Path.Combine(folder, "PublicAPI.Shipped.txt"))),
                line => line.Length > 0 && !line.StartsWith('#'));
        }
    }

    [GeneratedRegex(@"\]\((?<url>[^)\s]+)\)")]
    private static partial Regex MarkdownLink();
}
