using System.CommandLine;

namespace LlmRouting.Cli.Commands;

/// <summary>Options shared by the commands, and the error handling every command uses.</summary>
internal static class CommonOptions
{
    public static Option<string[]> Data() => new("--data")
    {
        Description = "Labelled prompts: a CSV (RFC 4180) or JSONL file, or a folder of them; repeatable.",
        Required = true,
        AllowMultipleArgumentsPerToken = true,
    };

    public static Option<string> Strong() => new("--strong") { Description = "The column with the strong (premium) model's outcome: True/False, 1/0 or a numeric score.", Required = true };

    public static Option<string> Weak() => new("--weak") { Description = "The column with the weak (economy) model's outcome.", Required = true };

    public static Option<string?> Exclude() => new("--exclude") { Description = "A JSONL file of {\"eval_prompt\": …} lines; those prompts are dropped (decontamination)." };

    public static Option<string?> GroupColumn() => new("--group-column")
    {
        Description = "The column (or JSONL field) that names each prompt's group — a task, a topic, a source — instead of its file's name: folds by group, intervals, the adaptive router's regions and --task group use it.",
    };

    /// <summary>Whether <c>--task</c> sends each prompt's group as the caller's task metadata ('group') or none ('none').</summary>
    /// <exception cref="CliException">Another value.</exception>
    public static bool TaskFromGroup(string task) => task.ToLowerInvariant() switch
    {
        "none" => false,
        "group" => true,
        _ => throw new CliException($"--task must be 'group' or 'none' (was '{task}')."),
    };

    public static Option<string> PromptColumn() => new("--prompt-column") { Description = "The prompt column.", DefaultValueFactory = _ => "prompt" };

    /// <summary>Runs a command body: user errors print <c>error: …</c> to stderr and exit with code 1.</summary>
    public static int Run(System.CommandLine.ParseResult parse, Func<object?> body)
    {
        try
        {
            body();
            return 0;
        }
        catch (CliException e)
        {
            parse.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        catch (IOException e)
        {
            parse.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        catch (UnauthorizedAccessException e)
        {
            parse.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }
}
