namespace LlmRouting.Tests.Architecture;

/// <summary>Keeps every source file small enough to read in one sitting (the issue-12 rule: no file over 400 lines).</summary>
public class SourceSizeTests
{
    internal const int MaxLines = 400;

    [Theory]
    [InlineData("src")]
    [InlineData("benchmarks")]
    public void NoSourceFileIsOverTheLineLimit(string folder)
    {
        string[] tooLong = RepositorySources.CSharpFiles(folder)
            .Select(path => (Path: RepositorySources.Relative(path), Lines: File.ReadLines(path).Count()))
            .Where(file => file.Lines > MaxLines)
            .Select(file => $"{file.Path} ({file.Lines} lines)")
            .ToArray();

        Assert.True(tooLong.Length == 0, $"Over {MaxLines} lines (split into partial classes or extracted types): {string.Join(", ", tooLong)}");
    }

    [Fact]
    public void TheSourceWalkFindsTheLibrary()
    {
        // Guards the size test against passing vacuously (a wrong root or an empty walk).
        Assert.Contains(RepositorySources.CSharpFiles("src"), path => RepositorySources.Relative(path) == "src/LlmRouting/LlmRouterChatClient.cs");
    }
}
