using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmRouting.Cli.Data;

/// <summary>Prompts with weak and strong outcomes, loaded from CSV or JSONL files and folders.</summary>
internal sealed class LabelledDataset
{
    public LabelledDataset(IReadOnlyList<LabelledPrompt> prompts, bool numeric, int excluded, IReadOnlyList<string> files)
    {
        Prompts = prompts;
        IsNumeric = numeric;
        Excluded = excluded;
        Files = files;
    }

    /// <summary>Gets the prompts, in input order.</summary>
    public IReadOnlyList<LabelledPrompt> Prompts { get; }

    /// <summary>Gets a value indicating whether the outcomes are numeric scores rather than booleans.</summary>
    public bool IsNumeric { get; }

    /// <summary>Gets the number of prompts dropped by the exclusion list.</summary>
    public int Excluded { get; }

    /// <summary>Gets the files read.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Loads a dataset.</summary>
    /// <param name="paths">Files (.csv, .jsonl) or folders (every *.csv and *.jsonl in them, by name).</param>
    /// <param name="strong">The strong model's column.</param>
    /// <param name="weak">The weak model's column.</param>
    /// <param name="exclude">A JSONL file of <c>{"eval_prompt": …}</c> lines whose prompts are dropped, if any.</param>
    /// <param name="promptColumn">The prompt column.</param>
    /// <param name="groupColumn">
    /// The column that names each prompt's group (a task, a topic, a source), or <see langword="null"/> for the file's name: folds
    /// by group, intervals over groups, the adaptive router's group regions and <c>--task group</c> then use that value.
    /// </param>
    /// <returns>The dataset.</returns>
    /// <exception cref="CliException">Any input problem, with a message naming the file, column and row.</exception>
    public static LabelledDataset Load(IReadOnlyList<string> paths, string strong, string weak, string? exclude = null, string promptColumn = "prompt", string? groupColumn = null) =>
        LoadCore(paths, strong, weak, exclude, promptColumn, groupColumn);

    /// <summary>Loads prompts only (no outcome columns; outcomes are 0).</summary>
    /// <param name="paths">Files or folders.</param>
    /// <param name="exclude">A JSONL exclusion file, if any.</param>
    /// <param name="promptColumn">The prompt column.</param>
    /// <returns>The dataset.</returns>
    public static LabelledDataset LoadPrompts(IReadOnlyList<string> paths, string? exclude = null, string promptColumn = "prompt") =>
        LoadCore(paths, null, null, exclude, promptColumn, groupColumn: null);

    private static LabelledDataset LoadCore(IReadOnlyList<string> paths, string? strong, string? weak, string? exclude, string promptColumn, string? groupColumn)
    {
        if (paths.Count == 0)
        {
            throw new CliException("No data given: pass --data <file|folder>.");
        }

        bool promptsOnly = strong is null && weak is null;
        if (!promptsOnly && (string.IsNullOrWhiteSpace(strong) || string.IsNullOrWhiteSpace(weak)))
        {
            throw new CliException("Both --strong and --weak must name a column.");
        }

        if (!promptsOnly && string.Equals(strong, weak, StringComparison.Ordinal))
        {
            throw new CliException($"--strong and --weak name the same column '{strong}'; routing needs two different models.");
        }

        if (groupColumn is not null && (string.IsNullOrWhiteSpace(groupColumn) || groupColumn == promptColumn || groupColumn == strong || groupColumn == weak))
        {
            throw new CliException($"--group-column '{groupColumn}' must name a column of its own, not empty and not the prompt, --strong or --weak column.");
        }

        List<string> files = ResolveFiles(paths);
        HashSet<string> excluded = exclude is null ? [] : ReadExclusions(exclude);
        var raw = new List<RawRow>();
        foreach (string file in files)
        {
            if (file.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase))
            {
                ReadJsonl(file, strong, weak, promptColumn, groupColumn, raw);
            }
            else
            {
                ReadCsv(file, strong, weak, promptColumn, groupColumn, raw);
            }
        }

        int excludedCount = 0;
        if (excluded.Count > 0)
        {
            int before = raw.Count;
            raw.RemoveAll(r => excluded.Contains(r.Prompt) || excluded.Contains(r.Prompt.Trim()));
            excludedCount = before - raw.Count;
        }

        if (raw.Count == 0)
        {
            throw new CliException($"The dataset is empty: no prompts in {string.Join(", ", files.Select(f => $"'{f}'"))}{(excludedCount > 0 ? $" after excluding {excludedCount}" : string.Empty)}.");
        }

        bool strongNumeric = !promptsOnly && ColumnKind(raw, strong!, r => r.Strong);
        bool weakNumeric = !promptsOnly && ColumnKind(raw, weak!, r => r.Weak);
        bool numeric = strongNumeric || weakNumeric;
        var prompts = new List<LabelledPrompt>(raw.Count);
        foreach (RawRow r in raw)
        {
            prompts.Add(new LabelledPrompt(r.Prompt, Parse(r.Weak, numeric), Parse(r.Strong, numeric), r.Group) { Conversation = r.Conversation });
        }

        return new LabelledDataset(prompts, numeric, excludedCount, files);
    }

    private static List<string> ResolveFiles(IReadOnlyList<string> paths)
    {
        var files = new List<string>();
        foreach (string path in paths)
        {
            if (Directory.Exists(path))
            {
                string[] found = [.. Directory.EnumerateFiles(path, "*.csv").Concat(Directory.EnumerateFiles(path, "*.jsonl").Where(f => !IsExclusionFile(f))).Order(StringComparer.Ordinal)];
                if (found.Length == 0)
                {
                    throw new CliException($"The folder '{path}' holds no *.csv or *.jsonl files.");
                }

                files.AddRange(found);
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                throw new CliException($"The data file or folder '{path}' does not exist.");
            }
        }

        return files;
    }

    // RouteLLM ships its decontamination list next to the data; a folder scan must not read it as data.
    private static bool IsExclusionFile(string file)
    {
        using StreamReader reader = File.OpenText(file);
        string? first = reader.ReadLine();
        return first is not null && first.Contains("\"eval_prompt\"", StringComparison.Ordinal);
    }

    private static HashSet<string> ReadExclusions(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"The exclusion file '{path}' does not exist.");
        }

        var set = new HashSet<string>(StringComparer.Ordinal);
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                using JsonDocument doc = JsonDocument.Parse(line);
                if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("eval_prompt", out JsonElement p) && p.ValueKind == JsonValueKind.String)
                {
                    set.Add(p.GetString()!);
                    set.Add(p.GetString()!.Trim());
                }
                else
                {
                    throw new CliException($"The exclusion file '{path}' line {lineNumber} has no string \"eval_prompt\".");
                }
            }
            catch (JsonException e)
            {
                throw new CliException($"The exclusion file '{path}' line {lineNumber} is not valid JSON: {e.Message}", e);
            }
        }

        return set;
    }

    private static void ReadCsv(string file, string? strong, string? weak, string promptColumn, string? groupColumn, List<RawRow> rows)
    {
        using StreamReader reader = File.OpenText(file);
        string fileGroup = Path.GetFileNameWithoutExtension(file);
        int p = -1, s = -1, w = -1, g = -1, width = 0;
        bool header = true;
        try
        {
            foreach (CsvRecord record in CsvParser.Read(reader))
            {
                if (header)
                {
                    header = false;
                    width = record.Fields.Length;
                    p = Column(record.Fields, promptColumn, file, "prompt column");
                    s = strong is null ? -1 : Column(record.Fields, strong, file, "--strong");
                    w = weak is null ? -1 : Column(record.Fields, weak, file, "--weak");
                    g = groupColumn is null ? -1 : Column(record.Fields, groupColumn, file, "--group-column");
                    continue;
                }

                if (record.Fields.Length != width)
                {
                    throw new CliException($"'{file}' line {record.Line}: {record.Fields.Length} fields, the header has {width}.");
                }

                string group = g < 0 ? fileGroup : GroupValue(record.Fields[g], groupColumn!, file, record.Line);
                rows.Add(new RawRow(record.Fields[p], s < 0 ? "0" : record.Fields[s], w < 0 ? "0" : record.Fields[w], group, file, record.Line));
            }
        }
        catch (CliException e) when (!e.Message.StartsWith('\''))
        {
            throw new CliException($"'{file}' {e.Message}", e);
        }

        if (header)
        {
            throw new CliException($"'{file}' is empty: it has no header row.");
        }
    }

    private static int Column(string[] header, string name, string file, string what)
    {
        int index = Array.FindIndex(header, h => string.Equals(h.Trim(), name, StringComparison.Ordinal));
        if (index < 0)
        {
            throw new CliException($"'{file}': column '{name}' ({what}) not found; the columns are: {string.Join(", ", header.Select(h => $"'{h}'"))}.");
        }

        return index;
    }

    /// <summary>A row's group from <c>--group-column</c>: its trimmed value, which must not be empty (a row without a group cannot be held out with one).</summary>
    private static string GroupValue(string value, string column, string file, int line)
    {
        string group = value.Trim();
        return group.Length > 0 ? group : throw new CliException($"'{file}' line {line}: the --group-column '{column}' is empty; every row needs a group.");
    }

    private static void ReadJsonl(string file, string? strong, string? weak, string promptColumn, string? groupColumn, List<RawRow> rows)
    {
        string fileGroup = Path.GetFileNameWithoutExtension(file);
        int lineNumber = 0;
        foreach (string line in File.ReadLines(file))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                throw new CliException($"'{file}' line {lineNumber} is not valid JSON: {e.Message}", e);
            }

            using (doc)
            {
                JsonElement root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    throw new CliException($"'{file}' line {lineNumber} is not a JSON object.");
                }

                (string prompt, IReadOnlyList<ChatMessage>? conversation) = JsonPrompt.Read(Value(root, promptColumn, file, lineNumber, "prompt column"), $"'{file}' line {lineNumber}: field '{promptColumn}'");
                rows.Add(new RawRow(
                    prompt,
                    strong is null ? "0" : Field(root, strong, file, lineNumber, "--strong"),
                    weak is null ? "0" : Field(root, weak, file, lineNumber, "--weak"),
                    groupColumn is null ? fileGroup : GroupValue(JsonGroup(root, groupColumn, file, lineNumber), groupColumn, file, lineNumber),
                    file,
                    lineNumber)
                { Conversation = conversation });
            }
        }
    }

    /// <summary>The group field of a JSONL line; <c>null</c> is an empty group.</summary>
    private static string JsonGroup(JsonElement root, string name, string file, int line) =>
        root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Null ? string.Empty : Field(root, name, file, line, "--group-column");

    private static JsonElement Value(JsonElement root, string name, string file, int line, string what)
    {
        if (!root.TryGetProperty(name, out JsonElement value))
        {
            string columns = string.Join(", ", root.EnumerateObject().Select(p => $"'{p.Name}'"));
            throw new CliException($"'{file}' line {line}: field '{name}' ({what}) not found; the fields are: {columns}.");
        }

        return value;
    }

    private static string Field(JsonElement root, string name, string file, int line, string what)
    {
        JsonElement value = Value(root, name, file, line, what);
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.True => "True",
            JsonValueKind.False => "False",
            _ => value.GetRawText(),
        };
    }

    /// <summary>Checks a column's values: all boolean (True/False/1/0) or all numeric; returns whether it is numeric.</summary>
    private static bool ColumnKind(List<RawRow> rows, string column, Func<RawRow, string> value)
    {
        bool allBool = true;
        foreach (RawRow row in rows)
        {
            if (!TryBool(value(row), out _))
            {
                allBool = false;
                break;
            }
        }

        if (allBool)
        {
            return false;
        }

        foreach (RawRow row in rows)
        {
            string v = value(row);
            if (!TryBool(v, out _) && !TryNumber(v, out _))
            {
                throw new CliException($"Column '{column}' is neither boolean (True/False, 1/0) nor numeric: '{row.File}' line {row.Line} has '{Truncate(v)}'.");
            }
        }

        // A mix of words True/False and numbers other than 0/1 is not a column anyone meant.
        foreach (RawRow row in rows)
        {
            string v = value(row).Trim();
            if (!TryNumber(v, out _))
            {
                throw new CliException($"Column '{column}' mixes numbers and booleans: '{row.File}' line {row.Line} has '{Truncate(v)}'.");
            }
        }

        return true;
    }

    private static double Parse(string value, bool numeric) =>
        TryBool(value, out bool b) && (!numeric || !TryNumber(value, out _)) ? (b ? 1 : 0) :
        TryNumber(value, out double d) ? d : throw new InvalidOperationException("unreachable: column kinds are checked first");

    private static bool TryBool(string value, out bool result)
    {
        string v = value.Trim();
        if (v.Equals("true", StringComparison.OrdinalIgnoreCase) || v == "1")
        {
            result = true;
            return true;
        }

        if (v.Equals("false", StringComparison.OrdinalIgnoreCase) || v == "0")
        {
            result = false;
            return true;
        }

        result = false;
        return false;
    }

    private static bool TryNumber(string value, out double result) =>
        double.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out result) && double.IsFinite(result);

    private static string Truncate(string v) => v.Length <= 40 ? v : v[..40] + "…";

    private sealed record RawRow(string Prompt, string Strong, string Weak, string Group, string File, int Line)
    {
        public IReadOnlyList<ChatMessage>? Conversation { get; init; }
    }
}
