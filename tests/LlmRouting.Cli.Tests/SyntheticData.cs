using System.Globalization;
using System.Text;

namespace LlmRouting.Cli.Tests;

/// <summary>
/// Labelled prompts generated for the tests (never ../shared): three "subjects" in RouteLLM's MMLU layout with a known
/// signal — the harder a prompt (more sentences, more conditions, negations, comparisons and quantities), the likelier
/// the weak model fails where the strong one succeeds.
/// </summary>
internal static class SyntheticData
{
    public const string Strong = "gpt-4-1106-preview";
    public const string Weak = "mistralai/Mixtral-8x7B-Instruct-v0.1";

    private static readonly Lazy<string> Folder = new(Generate);

    /// <summary>Gets the folder holding <c>mmlu_anatomy.csv</c> (135 prompts), <c>mmlu_astronomy.csv</c> (152), <c>mmlu_abstract_algebra.csv</c> (100) and <c>contaminated_prompts.jsonl</c>.</summary>
    public static string Mmlu => Folder.Value;

    /// <summary>Generates one labelled file's rows: prompt, weak and strong outcome, and the hardness used.</summary>
    /// <param name="count">The number of prompts.</param>
    /// <param name="seed">The seed.</param>
    /// <param name="offset">The subject's shift of the weak model's accuracy.</param>
    /// <param name="tag">A word that makes the subject's prompts unique.</param>
    /// <returns>The rows.</returns>
    public static List<(string Prompt, bool Weak, bool Strong, double Hardness)> Rows(int count, int seed, double offset, string tag)
    {
        var random = new Random(seed);
        var rows = new List<(string, bool, bool, double)>(count);
        string[] nouns = ["box", "ship", "garden", "ledger", "river", "tower", "engine", "market"];
        string[] cues = ["if", "not", "most", "each", "suppose", "except", "likely", "many", "because", "least"];
        for (int i = 0; i < count; i++)
        {
            double hardness = random.NextDouble();
            var prompt = new StringBuilder();
            int sentences = 1 + (int)Math.Round(hardness * 6);
            for (int s = 0; s < sentences; s++)
            {
                prompt.Append(CultureInfo.InvariantCulture, $"The {tag} {nouns[random.Next(nouns.Length)]} number {i} holds {random.Next(2, 90)} parts");
                int cueCount = (int)Math.Round(hardness * 3);
                for (int c = 0; c < cueCount; c++)
                {
                    prompt.Append(' ').Append(cues[random.Next(cues.Length)]).Append(" the ").Append(nouns[random.Next(nouns.Length)]);
                }

                prompt.Append(". ");
            }

            prompt.Append("Which one is right?\nA. the first\nB. the second\nC. the third\nD. none\nAnswer:");
            bool weak = random.NextDouble() < 0.9 - (0.55 * hardness) + offset;
            bool strong = random.NextDouble() < 0.95 - (0.15 * hardness) + offset;
            rows.Add((prompt.ToString(), weak, strong, hardness));
        }

        return rows;
    }

    /// <summary>Writes rows as a RouteLLM-style CSV.</summary>
    /// <param name="path">The file.</param>
    /// <param name="rows">The rows.</param>
    public static void WriteCsv(string path, IEnumerable<(string Prompt, bool Weak, bool Strong, double Hardness)> rows)
    {
        var csv = new StringBuilder($"prompt,{Weak},{Strong}\n");
        foreach ((string prompt, bool weak, bool strong, double _) in rows)
        {
            csv.Append('"').Append(prompt.Replace("\"", "\"\"", StringComparison.Ordinal)).Append("\",").Append(weak ? "True" : "False").Append(',').Append(strong ? "True" : "False").Append('\n');
        }

        File.WriteAllText(path, csv.ToString());
    }

    private static string Generate()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"llmroute-synthetic-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        WriteCsv(Path.Combine(folder, "mmlu_anatomy.csv"), Rows(135, 11, 0.0, "anatomy"));
        WriteCsv(Path.Combine(folder, "mmlu_astronomy.csv"), Rows(152, 12, 0.05, "astronomy"));
        WriteCsv(Path.Combine(folder, "mmlu_abstract_algebra.csv"), Rows(100, 13, -0.1, "algebra"));

        // One listed prompt that none of the files holds: exclusion must drop nothing here.
        File.WriteAllText(Path.Combine(folder, "contaminated_prompts.jsonl"), "{\"eval_prompt\": \"A prompt that is in no file.\"}\n");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        };
        return folder;
    }
}
