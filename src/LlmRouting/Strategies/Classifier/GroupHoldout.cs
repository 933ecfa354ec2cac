namespace LlmRouting.Strategies;

/// <summary>Chooses which rows to hold out: whole groups (e.g. MMLU subjects) when there are three or more, else random rows.</summary>
/// <remarks>Deterministic for a seed. Shared by <see cref="ClassifierTrainer"/>'s validation split and the <c>llmroute train</c> hold-out.</remarks>
internal static class GroupHoldout
{
    /// <summary>Marks about <paramref name="fraction"/> of the rows as held out.</summary>
    /// <param name="groups">Each row's group, or <see langword="null"/> (a row without a group is never held out by group).</param>
    /// <param name="fraction">The share to hold out; 0 or less holds out nothing.</param>
    /// <param name="seed">The random seed.</param>
    /// <returns>One flag per row: <see langword="true"/> when held out.</returns>
    public static bool[] Choose(IReadOnlyList<string?> groups, double fraction, int seed)
    {
        var held = new bool[groups.Count];
        if (fraction <= 0)
        {
            return held;
        }

        var random = new Random(seed);
        string[] names = [.. groups.OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        int target = (int)Math.Round(groups.Count * fraction);
        if (names.Length >= 3)
        {
            // Whole groups, shuffled, until the target is reached; at least one group always stays for training.
            random.Shuffle(names);
            var chosen = new HashSet<string>(StringComparer.Ordinal);
            int count = 0;
            foreach (string name in names)
            {
                if (count >= target || chosen.Count == names.Length - 1)
                {
                    break;
                }

                chosen.Add(name);
                count += groups.Count(g => string.Equals(g, name, StringComparison.Ordinal));
            }

            for (int i = 0; i < held.Length; i++)
            {
                held[i] = groups[i] is { } g && chosen.Contains(g);
            }

            return held;
        }

        int[] order = [.. Enumerable.Range(0, groups.Count)];
        random.Shuffle(order);
        for (int i = 0; i < target; i++)
        {
            held[order[i]] = true;
        }

        return held;
    }
}
