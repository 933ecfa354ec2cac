namespace LlmRouting.Cli.Data;

/// <summary>One prompt with the weak and strong models' outcomes (1/0 for correctness, or a numeric score).</summary>
/// <param name="Prompt">The prompt text.</param>
/// <param name="Weak">The weak (cheap) model's outcome.</param>
/// <param name="Strong">The strong (premium) model's outcome.</param>
/// <param name="Group">The source file name without extension (e.g. the MMLU subject).</param>
internal sealed record LabelledPrompt(string Prompt, double Weak, double Strong, string Group);
