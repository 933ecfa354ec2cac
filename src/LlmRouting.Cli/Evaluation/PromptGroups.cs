namespace LlmRouting.Cli.Evaluation;

/// <summary>Indexes prompts by their group (file, e.g. MMLU subject).</summary>
internal static class PromptGroups
{
    /// <summary>The indexes of each group's prompts, in input order; groups in ordinal order of their names.</summary>
    /// <param name="groups">The group of each prompt.</param>
    /// <returns>One array of prompt indexes per distinct group.</returns>
    public static int[][] Members(IReadOnlyList<string> groups)
    {
        var byGroup = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < groups.Count; i++)
        {
            if (!byGroup.TryGetValue(groups[i], out List<int>? members))
            {
                byGroup[groups[i]] = members = [];
            }

            members.Add(i);
        }

        return [.. byGroup.Keys.Order(StringComparer.Ordinal).Select(g => byGroup[g].ToArray())];
    }
}
