namespace LlmRouting.Strategies;

/// <summary>
/// Seeded cross-validation folds, shared by the adaptive router's inner folds and <c>llmroute eval --folds</c> so both
/// split data the same way: whole groups (e.g. subjects) to folds of similar size, or single items at random.
/// </summary>
internal static class FoldAssignment
{
    /// <summary>Assigns every group to one of <paramref name="folds"/> folds of similar size: largest groups first, each to the least-loaded fold (seeded order among equals).</summary>
    /// <param name="sizes">Each group's item count.</param>
    /// <param name="folds">The number of folds.</param>
    /// <param name="seed">The seed of the order among groups of equal size.</param>
    /// <returns>Each group's fold; <see langword="null"/> with fewer groups than folds.</returns>
    public static Dictionary<string, int>? ByGroup(IReadOnlyDictionary<string, int> sizes, int folds, int seed)
    {
        if (sizes.Count < folds)
        {
            return null;
        }

        string[] groups = [.. sizes.Keys.Order(StringComparer.Ordinal)];
        new Random(seed).Shuffle(groups);
        int[] load = new int[folds];
        var assignment = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string group in groups.OrderByDescending(g => sizes[g]))
        {
            int fold = Array.IndexOf(load, load.Min());
            assignment[group] = fold;
            load[fold] += sizes[group];
        }

        return assignment;
    }

    /// <summary>Assigns every item to one of <paramref name="folds"/> folds at random (seeded), sizes differing by at most one.</summary>
    public static int[] ByItem(int count, int folds, int seed)
    {
        int[] order = [.. Enumerable.Range(0, count)];
        new Random(seed).Shuffle(order);
        int[] fold = new int[count];
        for (int k = 0; k < count; k++)
        {
            fold[order[k]] = k % folds;
        }

        return fold;
    }
}
