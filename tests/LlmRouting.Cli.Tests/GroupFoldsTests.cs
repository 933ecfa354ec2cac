using LlmRouting.Cli;
using LlmRouting.Cli.Data;
using LlmRouting.Cli.Evaluation;

namespace LlmRouting.Cli.Tests;

public class GroupFoldsTests
{
    private static readonly LabelledPrompt[] Prompts =
    [
        .. Enumerable.Range(0, 30).Select(i => new LabelledPrompt($"p{i}", i % 2, 1, $"g{i % 5}")),
    ];

    [Fact]
    public void ByGroup_HoldsOutWholeGroups_EachOnce()
    {
        var seen = new List<int>();
        var scorers = new List<Recording>();
        GroupFolds.Score(
            Prompts,
            3,
            seed: 2,
            train =>
            {
                var scorer = new Recording(train, seen);
                scorers.Add(scorer);
                return scorer;
            },
            progress: null,
            TextWriter.Null);

        Dictionary<string, int> assignment = GroupFolds.Assign(Prompts, 3, seed: 2);
        Assert.Equal(5, assignment.Count);
        foreach (IGrouping<string, LabelledPrompt> group in Prompts.GroupBy(p => p.Group))
        {
            // Every prompt of a group is scored in the same fold, by a router that never saw that group.
            Assert.Single(group.Select(p => assignment[p.Group]).Distinct());
        }

        Assert.Equal(30, seen.Count);
        foreach (Recording scorer in scorers)
        {
            HashSet<string> trainedOn = [.. scorer.Training.Select(p => p.Group)];
            Assert.DoesNotContain(Prompts.Where(p => scorer.Scored.Contains(p.Prompt)), p => trainedOn.Contains(p.Group));
        }
    }

    [Fact]
    public void ByPrompt_SplitsPromptsEvenly_AndTheSameSeedGivesTheSameSplit()
    {
        int[] folds = GroupFolds.AssignPrompts(31, 4, seed: 7);

        Assert.Equal([8, 8, 8, 7], folds.GroupBy(f => f).OrderBy(g => g.Key).Select(g => g.Count()));
        Assert.Equal(folds, GroupFolds.AssignPrompts(31, 4, seed: 7));
        Assert.NotEqual(folds, GroupFolds.AssignPrompts(31, 4, seed: 8));
    }

    [Fact]
    public void ByPrompt_EveryRouterIsTrainedOnEveryGroup_AndNeverOnThePromptsItScores()
    {
        var log = new StringWriter();
        var scorers = new List<Recording>();
        GroupFolds.Score(
            Prompts,
            3,
            seed: 1,
            train =>
            {
                var scorer = new Recording(train, []);
                scorers.Add(scorer);
                return scorer;
            },
            progress: null,
            log,
            byPrompt: true);

        Assert.Equal(3, scorers.Count);
        foreach (Recording scorer in scorers)
        {
            Assert.Equal(5, scorer.Training.Select(p => p.Group).Distinct().Count());
            Assert.Empty(scorer.Scored.Intersect(scorer.Training.Select(p => p.Prompt)));
        }

        Assert.Equal(30, scorers.Sum(s => s.Scored.Count));
        Assert.Contains("Fold 1/3: 10 random prompts from 5 group(s), router fitted on 20.", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ByPrompt_MoreFoldsThanPrompts_IsAClearError()
    {
        CliException e = Assert.Throws<CliException>(() => GroupFolds.AssignPrompts(3, 5, seed: 1));
        Assert.Equal("--folds 5 needs at least 5 prompts; the data has 3.", e.Message);
    }

    private sealed class Recording(IReadOnlyList<LabelledPrompt> training, List<int> seen) : PromptScorer
    {
        public IReadOnlyList<LabelledPrompt> Training { get; } = training;

        public List<string> Scored { get; } = [];

        public override string Name => "recording";

        public override double[] ScoreAll(IReadOnlyList<string> prompts, ProgressBar? progress)
        {
            Scored.AddRange(prompts);
            seen.AddRange(prompts.Select(_ => 1));
            return new double[prompts.Count];
        }
    }
}
